// Which per-key streams an event belongs to. Per-key order is the guarantee: every event that touches a
// key is published to that key's partition (Kafka, message key "<db>:<key>") or message group (RocketMQ).
//  - key-value / key-chunk: the key.
//  - a command with keys: each key (a multi-key command such as MSET, DEL k1 k2, RENAME, SMOVE is
//    published once per partition/group of its keys: every copy carries the whole command and the same
//    ce_id, and the consumer SDK delivers it once).
//  - a transaction: the keys of all its commands (each with the db it ran in).
//  - events that concern no key or a whole database (snapshot begin/end, aux, function, module aux,
//    stream begin/end, FLUSHDB, FLUSHALL, SWAPDB, FUNCTION ..., keyless commands): a barrier, published
//    to every partition so it is ordered against every key.
//  - PUBLISH / SPUBLISH: the channel ("pubsub:<channel>"), so each channel keeps its order.
import type { CommandBody, ReplicationEvent } from '../events/types.js';

export type Route = { kind: 'keys'; keys: Buffer[] } | { kind: 'all' };

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

export function routeOf(e: ReplicationEvent): Route {
  switch (e.type) {
    case 'key-value':
    case 'key-chunk':
      return { kind: 'keys', keys: [routingKey(e.db, e.key)] };
    case 'command':
      return commandRoute([e], e.db);
    case 'transaction':
      return commandRoute(e.commands, e.db);
    case 'snapshot-begin':
    case 'snapshot-end':
    case 'aux':
    case 'function':
    case 'module-aux':
    case 'stream-begin':
    case 'stream-end':
      return ALL;
    default: {
      const never: never = e;
      return never;
    }
  }
}

function commandRoute(commands: ReadonlyArray<CommandBody & { db?: number }>, db: number): Route {
  const first = commands[0];
  if (commands.length === 1 && first) {
    if (first.keys.length === 1) return { kind: 'keys', keys: [routingKey(first.db ?? db, first.keys[0]!)] };
    if ((first.command === 'PUBLISH' || first.command === 'SPUBLISH') && first.args.length >= 2) {
      return { kind: 'keys', keys: [Buffer.concat([PUBSUB_PREFIX, first.args[1]!])] };
    }
  }
  const seen = new Set<string>();
  const keys: Buffer[] = [];
  for (const c of commands) {
    // A command without keys acts on the database or the server (FLUSHDB, SWAPDB, FUNCTION LOAD,
    // PUBLISH ...): ordered against everything.
    if (c.keys.length === 0) return ALL;
    for (const k of c.keys) {
      const rk = routingKey(c.db ?? db, k);
      const id = rk.toString('latin1');
      if (seen.has(id)) continue;
      seen.add(id);
      keys.push(rk);
    }
  }
  return { kind: 'keys', keys };
}
