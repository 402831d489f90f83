// Duplicate and stale-event detection.
//
// Per lane (an ordering domain in which the replicator publishes events in stream order), the SDK keeps
// the highest identity accepted per replid: a redelivery (consumer restart from an older commit, or the
// replicator republishing from its checkpoint after a crash) replays events that are not newer, and they
// are dropped. This is exact only if a lane never holds a gap that is filled later (the sinks guarantee
// it: Kafka's idempotent producer keeps a partition gap-free; RocketMQ sends a group's messages one
// after the other), so `dedupe: 'off'` exists for sources that cannot promise it.
//
// Identities are not unique around sync boundaries (events/identity.ts): stream-begin and stream-end
// carry the offset of the command before them, and a full resync of the same history at an unchanged
// offset repeats the snapshot's identities. So:
//  - stream-begin / stream-end ('boundary') are never dropped as duplicates and do not move the mark;
//  - snapshot-begin ('restart') is never dropped as a duplicate and resets the mark to itself, so the
//    snapshot that follows is delivered whole (a redelivered one is delivered again: at least once).
//
// Fencing (cluster mode, events carrying `epoch`): per lane, once an event of epoch E was accepted,
// events of a lower epoch come from a deposed leader that is still publishing and are dropped. It is per
// lane rather than per consumer: a slower lane may still legitimately hold events the previous leader
// published before the takeover, and those are never republished.
//
// Copies of an event published to several lanes (multi-key commands, barriers) are each checked in
// their own lane here; delivering such an event once is rendezvous.ts's job.
//
// All state is bounded (LRU): forgetting a lane or an event id costs at most a duplicate delivery.
import { LruMap } from './lru.js';
import { compareIdentity, type Identity } from '../events/identity.js';

export type Verdict = 'new' | 'duplicate' | 'fenced';

/** How an event takes part in watermark dedupe (see the header comment). */
export type DedupeRole = 'ordered' | 'boundary' | 'restart';

/** The role of an event type. */
export function dedupeRole(type: string | undefined): DedupeRole {
  if (type === 'stream-begin' || type === 'stream-end') return 'boundary';
  if (type === 'snapshot-begin') return 'restart';
  return 'ordered';
}

interface LaneState {
  maxEpoch: number | undefined;
  /** replid -> highest accepted identity; a few replids (history changes) per lane. */
  marks: Map<string, Identity>;
}

const REPLIDS_PER_LANE = 8;

export class LaneGuard {
  private readonly lanes: LruMap<string, LaneState>;

  constructor(maxLanes: number, private readonly watermark: boolean) {
    this.lanes = new LruMap(maxLanes);
  }

  /** Whether an event at this position should be delivered; does not record it (see accept). */
  check(lane: string, replid: string, identity: Identity, epoch: number | undefined, role: DedupeRole = 'ordered'): Verdict {
    const s = this.lanes.get(lane);
    if (!s) return 'new';
    if (epoch !== undefined && s.maxEpoch !== undefined && epoch < s.maxEpoch) return 'fenced';
    if (!this.watermark || role !== 'ordered') return 'new';
    const mark = s.marks.get(replid);
    return mark !== undefined && compareIdentity(identity, mark) <= 0 ? 'duplicate' : 'new';
  }

  /** Records an event that passed check(). */
  accept(lane: string, replid: string, identity: Identity, epoch: number | undefined, role: DedupeRole = 'ordered'): void {
    let s = this.lanes.get(lane);
    if (!s) {
      s = { maxEpoch: undefined, marks: new Map() };
      this.lanes.set(lane, s);
    }
    if (epoch !== undefined && (s.maxEpoch === undefined || epoch > s.maxEpoch)) s.maxEpoch = epoch;
    if (!this.watermark || role === 'boundary') return;
    const mark = s.marks.get(replid);
    if (role === 'ordered' && mark !== undefined && compareIdentity(identity, mark) <= 0) return;
    s.marks.delete(replid); // re-insert last: the oldest history is the one forgotten
    s.marks.set(replid, identity);
    if (s.marks.size > REPLIDS_PER_LANE) s.marks.delete(s.marks.keys().next().value as string);
  }

  clear(): void {
    this.lanes.clear();
  }

  get lanesTracked(): number {
    return this.lanes.size;
  }
}
