// Reassembles events split into parts (header ce_part "<i>/<n>", parts share ce_id and travel in order
// in one lane; see events/envelope.ts). Several events may be in progress per lane (a RocketMQ queue
// interleaves message groups). Memory is bounded: an event larger than maxEventBytes is refused, and
// when the parts held exceed maxHeldBytes or maxOpenEvents the oldest unfinished event is given up
// (reported, never delivered half).
//
// Redelivery restarts a sequence at part 0 (the replicator republishes a whole event; a source
// redelivers from its last commit, which never lies inside an event when it honours DeliveryReceipt);
// a part already held is ignored; a part after a gap, or one whose part 0 was never seen, cannot be
// reassembled: the SDK reports SDK_INCOMPLETE_EVENT.
import { ConsumerError } from './errors.js';

export interface Assembly {
  readonly lane: string;
  readonly id: string;
  readonly n: number;
  /** Next expected part index. */
  next: number;
  chunks: Buffer[];
  bytes: number;
  /** False once completed or given up. */
  open: boolean;
}

export type PartOutcome =
  | { status: 'held'; assembly: Assembly }
  | { status: 'complete'; value: Buffer; parts: number; assembly: Assembly };

export interface ReassemblyLimits {
  maxEventBytes: number;
  maxHeldBytes: number;
  maxOpenEvents: number;
}

export class Reassembler {
  private readonly open = new Map<string, Assembly>();
  private heldBytes = 0;

  /** `onGiveUp` is told about unfinished events dropped to stay within the limits. */
  constructor(
    private readonly limits: ReassemblyLimits,
    private readonly onGiveUp: (a: Assembly, err: ConsumerError) => void,
  ) {}

  /** Bytes held in unfinished events. */
  get bytes(): number {
    return this.heldBytes;
  }

  get openEvents(): number {
    return this.open.size;
  }

  /** Adds part i of n of event `id`; throws ConsumerError when it cannot be reassembled. */
  add(lane: string, id: string, i: number, n: number, value: Buffer): PartOutcome {
    const key = `${lane}\u0000${id}`;
    let a = this.open.get(key);
    if (a && (i === 0 || a.n !== n)) {
      // Part 0 again: a redelivery restarts the sequence.
      this.discard(key, a);
      a = undefined;
    }
    if (!a) {
      if (i !== 0) {
        throw new ConsumerError(
          'SDK_INCOMPLETE_EVENT',
          `part ${i}/${n} of event ${id} in lane ${lane} arrived without its earlier parts (committed before a restart, or consumption started mid-event): the event cannot be reassembled`,
        );
      }
      a = { lane, id, n, next: 0, chunks: [], bytes: 0, open: true };
      this.open.set(key, a);
    }
    if (i < a.next) return { status: 'held', assembly: a }; // redelivered part we already hold
    if (i > a.next) {
      this.discard(key, a);
      throw new ConsumerError('SDK_INCOMPLETE_EVENT', `event ${id} in lane ${lane}: part ${i}/${n} arrived after part ${a.next - 1}: parts ${a.next}..${i - 1} are missing`);
    }
    if (a.bytes + value.length > this.limits.maxEventBytes) {
      this.discard(key, a);
      throw new ConsumerError(
        'SDK_EVENT_TOO_LARGE',
        `event ${id} in lane ${lane} exceeds maxEventBytes (${this.limits.maxEventBytes}) at part ${i}/${n}: raise the consumer's maxEventBytes`,
      );
    }
    a.chunks.push(value);
    a.bytes += value.length;
    a.next++;
    this.heldBytes += value.length;
    if (a.next === n) {
      const value = Buffer.concat(a.chunks, a.bytes);
      this.discard(key, a);
      return { status: 'complete', value, parts: n, assembly: a };
    }
    this.enforceLimits(a);
    return { status: 'held', assembly: a };
  }

  /** Forgets everything (consumer stopped). */
  clear(): void {
    for (const a of this.open.values()) a.open = false;
    this.open.clear();
    this.heldBytes = 0;
  }

  private discard(key: string, a: Assembly): void {
    this.open.delete(key);
    this.heldBytes -= a.bytes;
    a.open = false;
    a.chunks = [];
  }

  private enforceLimits(current: Assembly): void {
    // Oldest first (Map insertion order); the event being added is never the one given up.
    for (const [key, a] of this.open) {
      if (this.heldBytes <= this.limits.maxHeldBytes && this.open.size <= this.limits.maxOpenEvents) return;
      if (a === current) continue;
      this.discard(key, a);
      this.onGiveUp(
        a,
        new ConsumerError(
          'SDK_INCOMPLETE_EVENT',
          `gave up event ${a.id} in lane ${a.lane} after ${a.next}/${a.n} parts: more than ${this.limits.maxOpenEvents} split events or ${this.limits.maxHeldBytes} bytes in progress (raise maxHeldBytes / maxOpenEvents)`,
        ),
      );
    }
  }
}
