// The order of events in a replication stream, for checks on what a sink published.
import { compareEvents } from '../../src/events/identity.js';
import type { ReplicationEvent } from '../../src/events/types.js';

// KNOWN COLLISION (reported to the lead): stream-end carries the offset of the last command before it,
// and a partial resync's stream-begin the checkpoint offset, i.e. the offset of a command already
// published; neither has rdbOffset/index, so eventId() and compareEvents() cannot tell them from that
// command. Events of equal identity are therefore ordered as they occur in a stream: the command, then
// stream-end, then stream-begin.
const TIE_RANK: Partial<Record<ReplicationEvent['type'], number>> = { 'stream-end': 1, 'stream-begin': 2 };

/** compareEvents, with the tie-break above. */
export function streamOrder(a: ReplicationEvent, b: ReplicationEvent): number {
  return compareEvents(a, b) || tieRank(a.type) - tieRank(b.type);
}

/** 0 for every type but stream-end (1) and stream-begin (2), see the tie-break above. */
export function tieRank(type: string): number {
  return TIE_RANK[type as ReplicationEvent['type']] ?? 0;
}
