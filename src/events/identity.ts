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

/** Position of an event in its replication history: what compareEvents orders by (see types.ts). */
export interface Identity {
  offset: number;
  /** Snapshot records only. */
  rdbOffset?: number;
  /** key-chunk events only. */
  index?: number;
}

/** The Identity of an event (only the fields it has). */
export function identityOf(e: ReplicationEvent): Identity {
  const id: Identity = { offset: e.offset };
  if (e.rdbOffset !== undefined) id.rdbOffset = e.rdbOffset;
  if (e.type === 'key-chunk') id.index = e.index;
  return id;
}

/**
 * Orders two positions of the same replication history: by offset, then snapshot records (which all
 * share the snapshot's offset) by their position in the RDB, which comes before anything without one,
 * then by chunk index (none first). Negative when a comes first.
 */
export function compareIdentity(a: Identity, b: Identity): number {
  if (a.offset !== b.offset) return a.offset - b.offset;
  const ra = a.rdbOffset ?? Infinity;
  const rb = b.rdbOffset ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return (a.index ?? -1) - (b.index ?? -1);
}

/** compareIdentity of two events. */
export function compareEvents(a: ReplicationEvent, b: ReplicationEvent): number {
  return compareIdentity(identityOf(a), identityOf(b));
}
