// Identity and order of events, as the consumer SDK uses them for dedupe (see types.ts header).
import type { ReplicationEvent } from './types.js';

/**
 * "<replid>-<offset>-<rdbOffset|x>-<index|x>": unique per data event of a replication history.
 * stream-begin / stream-end mark where the stream (re)started or stopped and share the offset of the
 * command before them, so their identity ends in "-begin" / "-end" instead of an index; a link that
 * drops and resumes at the same offset repeats them (they carry no data).
 */
export function eventId(e: ReplicationEvent): string {
  return eventIdOf(e.type, e.replid, e.offset, e.rdbOffset, e.type === 'key-chunk' ? e.index : undefined);
}

/** eventId from the fields a header carries (type, position, chunk index). */
export function eventIdOf(type: string, replid: string, offset: number, rdbOffset: number | undefined, index: number | undefined): string {
  const tail = type === 'key-chunk' ? String(index ?? 'x') : type === 'stream-begin' ? 'begin' : type === 'stream-end' ? 'end' : 'x';
  return `${replid}-${offset}-${rdbOffset ?? 'x'}-${tail}`;
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
