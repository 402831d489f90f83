// Which per-key streams an event belongs to. Per-key order is the guarantee: every event that touches a
// key is published to that key's partition (Kafka, message key "<db>:<key>") or message group (RocketMQ),
// and the consumer SDK orders listeners by the same keys (consumer/order-keys.ts), so both use this one
// definition.
//  - key-value / key-chunk: the key.
//  - a command with keys: each key (a multi-key command such as MSET, DEL k1 k2, RENAME, SMOVE is
//    published once per partition/group of its keys: every copy carries the whole command and the same
//    ce_id, and the consumer SDK delivers it once).
//  - a transaction: the keys of all its commands (each with the db it ran in).
//  - events that concern no key or a whole database (snapshot begin/end, aux, function, module aux,
//    stream begin/end, FLUSHDB, FLUSHALL, SWAPDB, FUNCTION ..., keyless commands): a barrier, published
//    to every partition so it is ordered against every key.
//  - PUBLISH / SPUBLISH: the channel ("pubsub:<channel>"), so each channel keeps its order.
import type { CommandBody, ReplicationEvent } from './types.js';

export type Route = { kind: 'keys'; keys: Buffer[] } | { kind: 'all' };

/** How a route's keys are made: bytes for the sinks, latin1 strings for the SDK's ordering maps. */
interface KeyForm<K> {
  /** The key of `key` in database `db`: "<db>:<key>". */
  key(db: number, key: Buffer): K;
  /** The key of a pub/sub channel: "pubsub:<channel>". */
  channel(name: Buffer): K;
  /** A string that is equal exactly when two keys are (to drop repeats). */
  id(k: K): string;
}

/** "<db>:<key>" as bytes: the Kafka message key and the RocketMQ message group of a key. */
export function routingKey(db: number, key: Buffer): Buffer {
  const prefix = `${db}:`;
  const out = Buffer.allocUnsafe(prefix.length + key.length);
  out.write(prefix, 0, 'latin1');
  key.copy(out, prefix.length);
  return out;
}

const ALL: Route = { kind: 'all' };
const PUBSUB_PREFIX = Buffer.from('pubsub:');

const BYTES: KeyForm<Buffer> = {
  key: routingKey,
  channel: (name) => Buffer.concat([PUBSUB_PREFIX, name]),
  id: (k) => k.toString('latin1'),
};

/** One char per byte, so distinct byte strings stay distinct strings. */
const LATIN1: KeyForm<string> = {
  key: (db, key) => `${db}:${key.toString('latin1')}`,
  channel: (name) => `pubsub:${name.toString('latin1')}`,
  id: (k) => k,
};

export function routeOf(e: ReplicationEvent): Route {
  const keys = routeKeys(e, BYTES);
  return keys === null ? ALL : { kind: 'keys', keys };
}

/**
 * routeOf's keys as latin1 strings of their bytes (distinct Map keys for distinct byte strings); null
 * for a barrier. An empty transaction routes to no key: an empty array.
 */
export function routeKeyStrings(e: ReplicationEvent): string[] | null {
  return routeKeys(e, LATIN1);
}

/** The keys of an event's route; null: every partition (a barrier). */
function routeKeys<K>(e: ReplicationEvent, form: KeyForm<K>): K[] | null {
  switch (e.type) {
    case 'key-value':
    case 'key-chunk':
      return [form.key(e.db, e.key)];
    case 'command':
      return commandKeys([e], e.db, form);
    case 'transaction':
      return commandKeys(e.commands, e.db, form);
    case 'snapshot-begin':
    case 'snapshot-end':
    case 'aux':
    case 'function':
    case 'module-aux':
    case 'stream-begin':
    case 'stream-end':
      return null;
    default: {
      const never: never = e;
      return never;
    }
  }
}

function commandKeys<K>(commands: ReadonlyArray<CommandBody & { db?: number }>, db: number, form: KeyForm<K>): K[] | null {
  const first = commands[0];
  if (commands.length === 1 && first) {
    if (first.keys.length === 1) return [form.key(first.db ?? db, first.keys[0]!)];
    if ((first.command === 'PUBLISH' || first.command === 'SPUBLISH') && first.args.length >= 2) {
      return [form.channel(first.args[1]!)];
    }
  }
  const seen = new Set<string>();
  const keys: K[] = [];
  for (const c of commands) {
    // A command without keys acts on the database or the server (FLUSHDB, SWAPDB, FUNCTION LOAD,
    // PUBLISH ...): ordered against everything.
    if (c.keys.length === 0) return null;
    for (const k of c.keys) {
      const rk = form.key(c.db ?? db, k);
      const id = form.id(rk);
      if (seen.has(id)) continue;
      seen.add(id);
      keys.push(rk);
    }
  }
  return keys;
}
