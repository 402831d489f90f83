// Which per-key streams an event belongs to, for ordering listeners under concurrency: the routes the
// sinks publish by (events/routing.ts), as latin1 strings of the routing-key bytes. null is a barrier:
// an event routed to every partition, or one that routes to no key at all (an empty transaction), is
// ordered against everything.
import { routeKeyStrings } from '../events/routing.js';
import type { ReplicationEvent } from '../events/types.js';

export function orderKeys(e: ReplicationEvent): string[] | null {
  const keys = routeKeyStrings(e);
  return keys === null || keys.length === 0 ? null : keys;
}
