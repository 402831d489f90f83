// Message -> events, in lane order: read the envelope headers, drop fenced and duplicate events (cheaply,
// from the headers, before decoding, when the message carries one event), reassemble split events,
// decode, unpack packs (each packed event is checked on its own). Synchronous: the consumer calls
// accept() for the messages of a delivery in order and schedules what comes out. Events published as
// several copies come out of every copy; the consumer delivers them once (rendezvous.ts).
import { eventId, identityOf, type Identity } from '../events/identity.js';
import type { ReplicationEvent } from '../events/types.js';
import type { CodecRegistry } from './decode.js';
import { dedupeRole, LaneGuard } from './dedupe.js';
import { ConsumerError } from './errors.js';
import { readMessageMeta } from './message-meta.js';
import { orderKeys } from './order-keys.js';
import { Reassembler, type Assembly, type ReassemblyLimits } from './reassembly.js';
import type { SourceMessage } from './source.js';

export interface IntakeOptions extends ReassemblyLimits {
  /** 'watermark': drop events not newer than the lane's highest; 'off': deliver redeliveries again. */
  dedupe: 'watermark' | 'off';
  /** Lanes whose dedupe/fencing state is kept (LRU). */
  maxLanes: number;
}

/** An event ready for the listeners, with what its context needs. */
export interface IntakeEvent {
  kind: 'event';
  event: ReplicationEvent;
  /** ce_id, or computed from the event when the header is absent. */
  id: string;
  copies: number;
  /** Where the copies went (ce_lanes / l=), when the writer said. */
  lanes: string | undefined;
  parts: number;
  /** Ordering keys (null = barrier), see order-keys.ts. */
  keys: string[] | null;
  /** Headers of the message (of the first part when split; of the pack when packed). */
  headers: Record<string, string>;
  /** Key of the message (null for a pack). */
  key: Buffer | null;
}

export type DropReason = 'duplicate' | 'fenced';
export interface Dropped {
  kind: 'dropped';
  reason: DropReason;
}

export type IntakeResult =
  | IntakeEvent
  | Dropped
  | { kind: 'held'; assembly: Assembly }
  /** A pack: its events in order, each delivered or dropped on its own. */
  | { kind: 'pack'; items: Array<IntakeEvent | Dropped> };

const DUPLICATE: Dropped = { kind: 'dropped', reason: 'duplicate' };
const FENCED: Dropped = { kind: 'dropped', reason: 'fenced' };

export class MessageIntake {
  private readonly guard: LaneGuard;
  private readonly reassembler: Reassembler;
  /** Headers of the first part of each split event in progress (the context shows them). */
  private readonly firstHeaders = new WeakMap<Assembly, Record<string, string>>();

  constructor(
    opts: IntakeOptions,
    private readonly codecs: CodecRegistry,
    onGiveUp: (a: Assembly, err: ConsumerError) => void,
  ) {
    this.guard = new LaneGuard(opts.maxLanes, opts.dedupe === 'watermark');
    this.reassembler = new Reassembler(opts, onGiveUp);
  }

  get partialEvents(): number {
    return this.reassembler.openEvents;
  }

  get partialBytes(): number {
    return this.reassembler.bytes;
  }

  /** Throws (ConsumerError SDK_*, or the codec's EVENT_BAD_*) for a message that cannot become an event. */
  accept(m: SourceMessage): IntakeResult {
    const meta = readMessageMeta(m.headers);
    if (meta.packed !== undefined) {
      const events = this.codecs.decodePack(m.value, meta.contentType, meta.packed);
      return { kind: 'pack', items: events.map((e) => this.admit(m, e, undefined, undefined, undefined, 1, undefined, 1, m.headers)) };
    }
    if (meta.identity !== undefined) {
      const verdict = this.guard.check(m.lane, meta.replid!, meta.identity, meta.epoch, dedupeRole(meta.eventType));
      if (verdict !== 'new') return verdict === 'duplicate' ? DUPLICATE : FENCED;
    }
    let value = m.value;
    let parts = 1;
    let headers = m.headers;
    if (meta.part !== undefined) {
      if (meta.id === undefined) throw new ConsumerError('SDK_BAD_HEADER', `a message of lane ${m.lane} is a part of an event without that event's identity: its parts cannot be matched`);
      const out = this.reassembler.add(m.lane, meta.id, meta.part.i, meta.part.n, m.value);
      if (out.status === 'held') {
        if (meta.part.i === 0) this.firstHeaders.set(out.assembly, m.headers);
        return { kind: 'held', assembly: out.assembly };
      }
      value = out.value;
      parts = out.parts;
      headers = this.firstHeaders.get(out.assembly) ?? headers;
    }
    const event = this.codecs.decode(value, meta.contentType);
    return this.admit(m, event, meta.identity, meta.replid, meta.id, meta.copies, meta.lanes, parts, headers, meta.epoch);
  }

  /** Forgets all state (the consumer stopped). */
  clear(): void {
    this.guard.clear();
    this.reassembler.clear();
  }

  /** Dedupe/fencing by the decoded event when the headers did not already decide, then accept it. */
  private admit(
    m: SourceMessage,
    event: ReplicationEvent,
    checked: Identity | undefined,
    replid: string | undefined,
    id: string | undefined,
    copies: number,
    lanes: string | undefined,
    parts: number,
    headers: Record<string, string>,
    headerEpoch?: number,
  ): IntakeEvent | Dropped {
    const epoch = headerEpoch ?? event.epoch;
    const role = dedupeRole(event.type);
    let identity = checked;
    if (identity === undefined) {
      identity = identityOf(event);
      const verdict = this.guard.check(m.lane, event.replid, identity, epoch, role);
      if (verdict !== 'new') return verdict === 'duplicate' ? DUPLICATE : FENCED;
    }
    this.guard.accept(m.lane, replid ?? event.replid, identity, epoch, role);
    return { kind: 'event', event, id: id ?? eventId(event), copies, lanes, parts, keys: orderKeys(event), headers, key: m.key };
  }
}
