// Which events are published, from filter.* settings, compiled once. Filtered-out events still move the
// replication offset (the checkpoint passes over them). Events about no key (snapshot and stream
// boundaries, aux, function, FLUSHALL ...) pass the key and db filters; a command or transaction with
// several keys passes when one of its keys (in an accepted db) passes.
import type { CommandBody, EventType, ReplicationEvent } from '../events/types.js';
import { compileGlobs } from './glob.js';

export interface EventFilterOptions {
  /** Databases to keep (empty = all). */
  dbs?: readonly number[];
  /** Key patterns to keep (Redis glob; empty = all keys). */
  keys?: readonly string[];
  /** Key patterns to drop (applied after `keys`). */
  excludeKeys?: readonly string[];
  /** Event types to keep (empty = all). */
  types?: readonly EventType[];
  /** Command names to drop (upper case, e.g. PUBLISH, 'XGROUP CREATE'). */
  excludeCommands?: readonly string[];
}

export type EventFilter = (event: ReplicationEvent) => boolean;

/** null when no filter is configured (the pipeline then skips filtering entirely). */
export function compileEventFilter(opts: EventFilterOptions): EventFilter | null {
  const dbs = opts.dbs?.length ? new Set(opts.dbs) : null;
  const include = opts.keys?.length ? compileGlobs(opts.keys) : null;
  const exclude = opts.excludeKeys?.length ? compileGlobs(opts.excludeKeys) : null;
  const types = opts.types?.length ? new Set<string>(opts.types) : null;
  const commands = opts.excludeCommands?.length ? new Set(opts.excludeCommands.map((c) => c.toUpperCase())) : null;
  if (!dbs && !include && !exclude && !types && !commands) return null;

  const keyOk = (db: number, key: Buffer): boolean =>
    (!dbs || dbs.has(db)) && (!include || include(key)) && (!exclude || !exclude(key));
  const commandOk = (c: CommandBody, db: number): boolean => {
    if (commands?.has(c.command)) return false;
    // Keyless commands act on the server (FLUSHALL, FUNCTION, PUBLISH ...) except FLUSHDB, which is about its db.
    if (c.keys.length === 0) return !dbs || c.command !== 'FLUSHDB' || dbs.has(db);
    return c.keys.some((k) => keyOk(db, k));
  };

  return (e) => {
    if (types && !types.has(e.type)) return false;
    switch (e.type) {
      case 'key-value':
      case 'key-chunk':
        return keyOk(e.db, e.key);
      case 'command':
        return commandOk(e, e.db);
      case 'transaction':
        return e.commands.some((c) => commandOk(c, c.db));
      default:
        return true;
    }
  };
}
