// Rebuilds whole keys from the snapshot events of one RDB (key-value events, and key-chunk events
// concatenated in index order, stream chunks merged by group and consumer name), checking the chunk
// protocol on the way: indexes 0..n-1 without gaps, `last` only on the final chunk, same attributes.
import type {
  FieldExpire,
  HashEntry,
  KeyChunkEvent,
  KeyValueEvent,
  ReplicationEvent,
  StreamConsumer,
  StreamGroup,
  StreamMeta,
  StreamValue,
  ZsetEntry,
} from '../../src/events/types.js';

export type AssembledValue =
  | { valueType: 'string'; value: Buffer }
  | { valueType: 'list' | 'set'; value: Buffer[] }
  | { valueType: 'zset'; value: ZsetEntry[] }
  | { valueType: 'hash'; value: HashEntry[]; fieldExpires?: FieldExpire[] }
  | { valueType: 'stream'; value: StreamValue }
  | { valueType: 'module'; value: unknown };

export interface AssembledKey {
  db: number;
  key: Buffer;
  rdbType: number;
  expireMs?: number;
  /** How many events carried the key (1 for key-value). */
  chunks: number;
  value: AssembledValue;
}

/** "<db>:<key hex>": a map key for (db, key). */
export function keyId(db: number, key: Buffer): string {
  return `${db}:${key.toString('hex')}`;
}

interface Partial {
  first: KeyChunkEvent;
  next: number;
  parts: KeyChunkEvent[];
}

/** Whole keys of the snapshot events, by keyId; throws on a broken chunk sequence. */
export function assembleSnapshot(events: readonly ReplicationEvent[]): Map<string, AssembledKey> {
  const out = new Map<string, AssembledKey>();
  let open: Partial | null = null;
  const put = (k: AssembledKey): void => {
    const id = keyId(k.db, k.key);
    if (out.has(id)) throw new Error(`key ${id} appears twice in the snapshot`);
    out.set(id, k);
  };
  for (const e of events) {
    if (e.type === 'key-value') {
      if (open) throw new Error(`key-value ${e.key.toString('hex')} inside the chunks of ${open.first.key.toString('hex')}`);
      put(fromKeyValue(e));
    } else if (e.type === 'key-chunk') {
      if (!open) {
        if (e.index !== 0) throw new Error(`chunk ${e.index} of ${e.key.toString('hex')} without chunk 0`);
        open = { first: e, next: 0, parts: [] };
      }
      if (!e.key.equals(open.first.key) || e.db !== open.first.db) throw new Error(`chunks of two keys interleave: ${open.first.key.toString('hex')} / ${e.key.toString('hex')}`);
      if (e.index !== open.next) throw new Error(`chunk index ${e.index} where ${open.next} was expected (${e.key.toString('hex')})`);
      if (e.valueType !== open.first.valueType || e.rdbType !== open.first.rdbType || e.expireMs !== open.first.expireMs) {
        throw new Error(`chunk ${e.index} of ${e.key.toString('hex')} changes the key attributes`);
      }
      open.parts.push(e);
      open.next++;
      if (e.last) {
        put(fromChunks(open.parts));
        open = null;
      }
    }
  }
  if (open) throw new Error(`chunks of ${open.first.key.toString('hex')} never reached last=true`);
  return out;
}

function base(e: KeyValueEvent | KeyChunkEvent, chunks: number, value: AssembledValue): AssembledKey {
  const k: AssembledKey = { db: e.db, key: e.key, rdbType: e.rdbType, chunks, value };
  if (e.expireMs !== undefined) k.expireMs = e.expireMs;
  return k;
}

function fromKeyValue(e: KeyValueEvent): AssembledKey {
  switch (e.valueType) {
    case 'string':
      return base(e, 1, { valueType: 'string', value: e.value });
    case 'list':
    case 'set':
      return base(e, 1, { valueType: e.valueType, value: e.value });
    case 'zset':
      return base(e, 1, { valueType: 'zset', value: e.value });
    case 'hash':
      return base(e, 1, e.fieldExpires ? { valueType: 'hash', value: e.value, fieldExpires: e.fieldExpires } : { valueType: 'hash', value: e.value });
    case 'stream':
      return base(e, 1, { valueType: 'stream', value: e.value });
    case 'module':
      return base(e, 1, { valueType: 'module', value: e.value });
    default: {
      const never: never = e;
      throw new Error(`unknown value type in ${JSON.stringify(never)}`);
    }
  }
}

function fromChunks(parts: KeyChunkEvent[]): AssembledKey {
  const first = parts[0]!;
  const type = first.valueType;
  switch (type) {
    case 'string':
      return base(first, parts.length, { valueType: 'string', value: Buffer.concat(parts.map((p) => p.value as Buffer)) });
    case 'list':
    case 'set':
      return base(first, parts.length, { valueType: type, value: parts.flatMap((p) => p.value as Buffer[]) });
    case 'zset':
      return base(first, parts.length, { valueType: 'zset', value: parts.flatMap((p) => p.value as ZsetEntry[]) });
    case 'hash': {
      const fieldExpires = parts.flatMap((p) => (p.valueType === 'hash' ? (p.fieldExpires ?? []) : []));
      const value = parts.flatMap((p) => p.value as HashEntry[]);
      return base(first, parts.length, fieldExpires.length > 0 ? { valueType: 'hash', value, fieldExpires } : { valueType: 'hash', value });
    }
    case 'stream':
      return base(first, parts.length, { valueType: 'stream', value: mergeStreamChunks(parts) });
    default: {
      const never: never = type;
      throw new Error(`unknown value type ${String(never)}`);
    }
  }
}

function mergeStreamChunks(parts: KeyChunkEvent[]): StreamValue {
  const entries: StreamValue['entries'] = [];
  const groups: StreamGroup[] = [];
  let meta: StreamMeta | undefined;
  for (const p of parts) {
    if (p.valueType !== 'stream') throw new Error('a stream chunk of another type');
    entries.push(...p.value.entries);
    if (p.value.meta) meta = p.value.meta;
    for (const g of p.value.groups) {
      const known = groups.find((x) => x.name.equals(g.name));
      if (!known) {
        groups.push({ ...g, pel: [...g.pel], consumers: g.consumers.map((c) => ({ ...c, pel: [...c.pel] })) });
        continue;
      }
      known.pel.push(...g.pel);
      for (const c of g.consumers) {
        const kc: StreamConsumer | undefined = known.consumers.find((x) => x.name.equals(c.name));
        if (kc) kc.pel.push(...c.pel);
        else known.consumers.push({ ...c, pel: [...c.pel] });
      }
    }
  }
  if (!meta) throw new Error('no chunk of the stream carried its meta');
  // A PEL entry's consumer may be null in a chunk that lacked the consumer: resolve it from the PELs.
  for (const g of groups) {
    for (const pe of g.pel) {
      if (pe.consumer !== null) continue;
      const owner = g.consumers.find((c) => c.pel.includes(pe.id));
      if (owner) pe.consumer = owner.name;
    }
  }
  return { entries, meta, groups };
}
