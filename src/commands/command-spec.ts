// The command table's vocabulary: the compact raw form the generator writes (table.ts) and the typed,
// documented entry every lookup returns (CommandInfo). Field meanings follow the servers' own
// src/commands/*.json (documented at https://redis.io/docs/latest/develop/reference/key-specs/ and
// https://redis.io/docs/latest/commands/command/).

/** Command groups as the JSON files name them (plus 'vector_set' for the Redis 8 module). */
export type CommandGroup =
  | 'bitmap'
  | 'cluster'
  | 'connection'
  | 'generic'
  | 'geo'
  | 'hash'
  | 'hyperloglog'
  | 'list'
  | 'pubsub'
  | 'scripting'
  | 'sentinel'
  | 'server'
  | 'set'
  | 'sorted_set'
  | 'stream'
  | 'string'
  | 'transactions'
  | 'vector_set';

export type ServerFamily = 'redis' | 'valkey';

/** Key-spec flags: access (RO read-only, RW read-write, OW overwrite, RM remove), logical operation
 *  (ACCESS, UPDATE, INSERT, DELETE), and NOT_KEY (a channel used only for slot routing, not a key),
 *  INCOMPLETE (the spec may miss keys), VARIABLE_FLAGS (flags depend on arguments). */
export type KeySpecFlag =
  | 'RO'
  | 'RW'
  | 'OW'
  | 'RM'
  | 'ACCESS'
  | 'UPDATE'
  | 'INSERT'
  | 'DELETE'
  | 'NOT_KEY'
  | 'INCOMPLETE'
  | 'VARIABLE_FLAGS';

export type BeginSearch =
  /** The first key is at argv[pos]. */
  | { type: 'index'; pos: number }
  /** The first key follows `keyword`, searched from argv[startFrom] forward, or backward from
   *  argv[argc + startFrom] when startFrom < 0. `keywordLower` is what arguments are matched against. */
  | { type: 'keyword'; keyword: string; keywordLower: string; startFrom: number }
  | { type: 'unknown' };

export type FindKeys =
  /** Keys from the first to first+lastKey (lastKey >= 0), or to argc+lastKey (lastKey < 0, limit 0), or
   *  a 1/limit share of the remaining arguments (lastKey -1, limit > 0), every `step` arguments. */
  | { type: 'range'; lastKey: number; step: number; limit: number }
  /** argv[first + keyNumIndex] holds the key count; keys start at first + firstKey, every `step`. */
  | { type: 'keynum'; keyNumIndex: number; firstKey: number; step: number }
  | { type: 'unknown' };

export interface KeySpec {
  readonly flags: readonly KeySpecFlag[];
  readonly beginSearch: BeginSearch;
  readonly findKeys: FindKeys;
}

/** A stable, documented entry of the command table. */
export interface CommandInfo {
  /** Canonical upper-case name; for a subcommand 'CONTAINER SUB' ('XGROUP CREATE'). */
  readonly name: string;
  /** Upper-case container name for subcommands ('XGROUP'), else null. */
  readonly container: string | null;
  readonly group: CommandGroup;
  /** Redis arity: argc including the name (and subcommand); negative = at least -arity. */
  readonly arity: number;
  /** Command flags as in the JSON files: 'WRITE', 'READONLY', 'DENYOOM', 'PUBSUB', 'FAST' ... */
  readonly flags: readonly string[];
  /** Has the WRITE flag. */
  readonly write: boolean;
  readonly keySpecs: readonly KeySpec[];
  /** First version that has it ('2.0.0'); null when the source does not say. */
  readonly since: string | null;
  readonly deprecatedSince: string | null;
  /** Server families whose tables define it. */
  readonly families: readonly ServerFamily[];
  /** For containers (XGROUP, FUNCTION, CLIENT ...): subcommands by lower-case name. */
  readonly subcommands: ReadonlyMap<string, CommandInfo> | null;
}

// ---------------------------------------------------------------------------------------------
// Raw form (what scripts/gen-command-table.mjs writes into table.ts)

export interface RawKeySpec {
  /** Flags, space separated. */
  f: string;
  /** begin_search index pos */
  i?: number;
  /** begin_search keyword [keyword, startfrom] */
  kw?: readonly [string, number];
  /** begin_search unknown */
  bu?: 1;
  /** find_keys range [lastkey, step, limit] */
  r?: readonly [number, number, number];
  /** find_keys keynum [keynumidx, firstkey, step] */
  n?: readonly [number, number, number];
  /** find_keys unknown */
  fu?: 1;
}

export interface RawCommand {
  /** group */
  g: CommandGroup;
  /** arity */
  a: number;
  /** command flags, space separated */
  f: string;
  /** since */
  s?: string;
  /** deprecated since */
  d?: string;
  /** key specs */
  k?: readonly RawKeySpec[];
  /** 1 = container of subcommands ('container|sub' entries) */
  c?: 1;
  /** the only family defining it; absent = every family */
  fam?: ServerFamily;
}

/** Keyed by lower-case name, 'container|sub' for subcommands. */
export type RawCommandTable = Record<string, RawCommand>;

const ALL_FAMILIES: readonly ServerFamily[] = ['redis', 'valkey'];

export function compileKeySpec(raw: RawKeySpec): KeySpec {
  const flags = (raw.f === '' ? [] : raw.f.split(' ')) as KeySpecFlag[];
  let beginSearch: BeginSearch;
  if (raw.i !== undefined) beginSearch = { type: 'index', pos: raw.i };
  else if (raw.kw !== undefined) {
    beginSearch = { type: 'keyword', keyword: raw.kw[0], keywordLower: raw.kw[0].toLowerCase(), startFrom: raw.kw[1] };
  } else beginSearch = { type: 'unknown' };
  let findKeys: FindKeys;
  if (raw.r !== undefined) findKeys = { type: 'range', lastKey: raw.r[0], step: raw.r[1], limit: raw.r[2] };
  else if (raw.n !== undefined) findKeys = { type: 'keynum', keyNumIndex: raw.n[0], firstKey: raw.n[1], step: raw.n[2] };
  else findKeys = { type: 'unknown' };
  return { flags, beginSearch, findKeys };
}

/** Builds the typed entry of `key` ('set', 'xgroup|create'); subcommands are attached by the caller. */
export function compileCommand(key: string, raw: RawCommand, subcommands: ReadonlyMap<string, CommandInfo> | null): CommandInfo {
  const bar = key.indexOf('|');
  const container = bar < 0 ? null : key.slice(0, bar).toUpperCase();
  const flags = raw.f === '' ? [] : raw.f.split(' ');
  return {
    name: bar < 0 ? key.toUpperCase() : `${container} ${key.slice(bar + 1).toUpperCase()}`,
    container,
    group: raw.g,
    arity: raw.a,
    flags,
    write: flags.includes('WRITE'),
    keySpecs: (raw.k ?? []).map(compileKeySpec),
    since: raw.s ?? null,
    deprecatedSince: raw.d ?? null,
    families: raw.fam ? [raw.fam] : ALL_FAMILIES,
    subcommands,
  };
}
