// Identity and order of events, as the consumer SDK uses them for dedupe (see types.ts header).
import type { ReplicationEvent } from './types.js';

/**
 * "<replid>-<offset>-<rdbOffset|x>-<index|x>": unique per data event of a replication history.
 * stream-begin / stream-end mark where the stream (re)started or stopped and share the offset of the
 * command before them, so their identity ends in "-begin" / "-end" instead of an index; a link that
 * drops and resumes at the same offset repeats them (they carry no data).
 */
export function eventId(e: ReplicationEvent): string {
  const tail = e.type === 'key-chunk' ? String(e.index) : e.type === 'stream-begin' ? 'begin' : e.type === 'stream-end' ? 'end' : 'x';
  return `${e.replid}-${e.offset}-${e.rdbOffset ?? 'x'}-${tail}`;
}

/**
 * Orders two events of the same replication history: by offset, then snapshot records (which all share
 * the snapshot's offset) by their position in the RDB, which comes before anything without one, then
 * by chunk index. Negative when a comes first.
 */
export function compareEvents(a: ReplicationEvent, b: ReplicationEvent): number {
  if (a.offset !== b.offset) return a.offset - b.offset;
  const ra = a.rdbOffset ?? Infinity;
  const rb = b.rdbOffset ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  const ia = a.type === 'key-chunk' ? a.index : -1;
  const ib = b.type === 'key-chunk' ? b.index : -1;
  return ia - ib;
}
