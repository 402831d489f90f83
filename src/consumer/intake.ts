// Message -> event, in lane order: read the envelope headers, drop fenced and duplicate events (cheaply,
// from the headers, before decoding), reassemble split events, decode, and deliver each event published
// as several copies once. Synchronous: the consumer calls accept() for the messages of a delivery in
// order and schedules what comes out.
import { eventId } from '../events/identity.js';
import type { ReplicationEvent } from '../events/types.js';
import type { CodecRegistry } from './decode.js';
import { CopyTracker, dedupeRole, LaneGuard } from './dedupe.js';
import { ConsumerError } from './errors.js';
import { readMessageMeta, type Identity } from './message-meta.js';
import { orderKeys } from './order-keys.js';
import { Reassembler, type Assembly, type ReassemblyLimits } from './reassembly.js';
import type { SourceMessage } from './source.js';

export interface IntakeOptions extends ReassemblyLimits {
  /** 'watermark': drop events not newer than the lane's highest; 'off': deliver redeliveries again. */
  dedupe: 'watermark' | 'off';
  /** 'once': an event published as several copies is delivered once; 'every': each copy in its lane. */
  copies: 'once' | 'every';
  /** Lanes whose dedupe/fencing state is kept (LRU). */
  maxLanes: number;
  /** Multi-copy events remembered until all their copies were seen (LRU). */
  maxTrackedCopies: number;
}

/** An event ready for the listeners, with what its context needs. */
export interface IntakeEvent {
  kind: 'event';
  event: ReplicationEvent;
  /** ce_id, or computed from the event when the header is absent. */
  id: string;
  copies: number;
  parts: number;
  /** Ordering keys (null = barrier), see order-keys.ts. */
  keys: string[] | null;
  /** Headers of the message (of the first part when split). */
  headers: Record<string, string>;
}

export type IntakeResult =
  | IntakeEvent
  | { kind: 'held'; assembly: Assembly }
  | { kind: 'dropped'; reason: 'duplicate' | 'fenced' | 'copy' };

export class MessageIntake {
  private readonly guard: LaneGuard;
  private readonly copyTracker: CopyTracker;
  private readonly reassembler: Reassembler;
  /** Headers of the first part of each split event in progress (the context shows them). */
  private readonly firstHeaders = new WeakMap<Assembly, Record<string, string>>();

  constructor(
    private readonly opts: IntakeOptions,
    private readonly codecs: CodecRegistry,
    onGiveUp: (a: Assembly, err: ConsumerError) => void,
  ) {
    this.guard = new LaneGuard(opts.maxLanes, opts.dedupe === 'watermark');
    this.copyTracker = new CopyTracker(opts.maxTrackedCopies);
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
    if (meta.identity !== undefined) {
      const verdict = this.guard.check(m.lane, meta.replid!, meta.identity, meta.epoch, dedupeRole(meta.eventType));
      if (verdict !== 'new') return { kind: 'dropped', reason: verdict };
    }
    let value = m.value;
    let parts = 1;
    let headers = m.headers;
    if (meta.part !== undefined) {
      if (meta.id === undefined) throw new ConsumerError('SDK_BAD_HEADER', `a message of lane ${m.lane} carries ce_part without ce_id: its parts cannot be matched`);
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
    let identity = meta.identity;
    const epoch = meta.epoch ?? event.epoch;
    const role = dedupeRole(event.type);
    if (identity === undefined) {
      identity = identityOf(event);
      const verdict = this.guard.check(m.lane, event.replid, identity, epoch, role);
      if (verdict !== 'new') return { kind: 'dropped', reason: verdict };
    }
    this.guard.accept(m.lane, meta.replid ?? event.replid, identity, epoch, role);
    const id = meta.id ?? eventId(event);
    // Keyed by type too: a stream-end shares its ce_id with the command before it.
    if (this.opts.copies === 'once' && meta.copies > 1 && !this.copyTracker.first(`${event.type}|${id}`, meta.copies)) {
      return { kind: 'dropped', reason: 'copy' };
    }
    return { kind: 'event', event, id, copies: meta.copies, parts, keys: orderKeys(event), headers };
  }

  /** Forgets all state (the consumer stopped). */
  clear(): void {
    this.guard.clear();
    this.copyTracker.clear();
    this.reassembler.clear();
  }
}

function identityOf(e: ReplicationEvent): Identity {
  const id: Identity = { offset: e.offset };
  if (e.rdbOffset !== undefined) id.rdbOffset = e.rdbOffset;
  if (e.type === 'key-chunk') id.index = e.index;
  return id;
}
