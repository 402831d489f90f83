// Which per-key streams an event belongs to, for ordering listeners under concurrency. Mirrors
// sinks/routing.ts routeOf (consumer/ must not import sinks/; a unit test checks that both agree):
// key events -> "<db>:<key>", commands -> "<db>:<key>" per key (PUBLISH/SPUBLISH -> "pubsub:<channel>"),
// transactions -> the keys of all their commands; anything with no key or acting on a whole database
// or server (snapshot/stream boundaries, aux, function, FLUSHDB, SWAPDB ...) -> null, a barrier.
// Keys are latin1 strings of the routing-key bytes: one char per byte, so distinct byte strings stay
// distinct Map keys.
import type { CommandBody, ReplicationEvent } from '../events/types.js';

export function orderKeys(e: ReplicationEvent): string[] | null {
  switch (e.type) {
    case 'key-value':
    case 'key-chunk':
      return [keyOf(e.db, e.key)];
    case 'command':
      return commandKeys([e], e.db);
    case 'transaction':
      return commandKeys(e.commands, e.db);
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

function keyOf(db: number, key: Buffer): string {
  return `${db}:${key.toString('latin1')}`;
}

function commandKeys(commands: ReadonlyArray<CommandBody & { db?: number }>, db: number): string[] | null {
  const first = commands[0];
  if (commands.length === 1 && first) {
    if (first.keys.length === 1) return [keyOf(first.db ?? db, first.keys[0]!)];
    if ((first.command === 'PUBLISH' || first.command === 'SPUBLISH') && first.args.length >= 2) {
      return [`pubsub:${first.args[1]!.toString('latin1')}`];
    }
  }
  const keys = new Set<string>();
  for (const c of commands) {
    if (c.keys.length === 0) return null;
    for (const k of c.keys) keys.add(keyOf(c.db ?? db, k));
  }
  return keys.size === 0 ? null : [...keys];
}
