// In-process fake MessageSource for the consumer SDK's unit tests (tests using it say "fake source"):
// the test pushes messages of a lane as a broker client would, and sees what the SDK answers
// (receipt, or rejection = not acknowledged). Like the Kafka source, it honours a receipt that stops at
// a copy: the messages not taken are delivered again, in order, once `resume` settled (settled() waits
// for that). Messages are built with the real envelope (events/envelope.ts), so headers, parts, packs
// and codecs are those the sinks publish.
import {
  codecToken,
  compactHeader,
  COMPACT_HEADER,
  encodeEvent,
  encodePack,
  H,
  jsonCodec,
  packHeader,
  partHeaders,
  withPart,
  type EventCodec,
} from '../../../src/events/envelope.js';
import type { CommandEvent, ReplicationEvent } from '../../../src/events/types.js';
import type { DeliveryReceipt, MessageSource, SourceMessage } from '../../../src/consumer/source.js';

export type Deliver = (messages: SourceMessage[]) => Promise<DeliveryReceipt | void>;

export class FakeSource implements MessageSource {
  readonly name = 'fake';
  private deliverFn: Deliver | null = null;
  private readonly inProgress = new Set<Promise<unknown>>();
  started = 0;
  stopped = 0;
  /** Every delivery and its outcome, in completion order. */
  readonly outcomes: Array<{ lane: string; count: number; receipt?: DeliveryReceipt | void; error?: unknown }> = [];
  /** What each `resume` of a receipt settled with (a number = resolved with that safe prefix; 'rejected'). */
  readonly resumes: Array<{ lane: string; result: number | 'rejected' }> = [];
  lagByLane: Record<string, number> | undefined;
  /** False: behave like an old source that ignores DeliveryReceipt.taken/resume (delivers the rest at once). */
  honourResume = true;
  private owned: Set<string> | undefined;
  private readonly assignmentListeners: Array<() => void> = [];

  /** Sets the lanes this consumer owns (undefined = the source cannot tell) and tells the SDK, like a rebalance. */
  setAssignment(lanes: string[] | undefined): void {
    this.owned = lanes === undefined ? undefined : new Set(lanes);
    for (const l of this.assignmentListeners) l();
  }

  assignment(): ReadonlySet<string> | undefined {
    return this.owned;
  }

  onAssignment(listener: () => void): void {
    this.assignmentListeners.push(listener);
  }

  /** Resolves once no delivery (redeliveries of messages not taken included) is in progress. */
  async settled(): Promise<void> {
    while (this.inProgress.size > 0) await Promise.allSettled([...this.inProgress]);
  }

  async start(deliver: Deliver): Promise<void> {
    this.started++;
    this.deliverFn = deliver;
  }

  async stop(): Promise<void> {
    this.stopped++;
    await Promise.allSettled([...this.inProgress]);
  }

  lag(): Record<string, number> {
    return this.lagByLane ?? {};
  }

  /** Hands messages (of one lane, in order) to the SDK; resolves with its receipt, rejects when it rejects. */
  push(messages: SourceMessage[]): Promise<DeliveryReceipt | void> {
    if (!this.deliverFn) throw new Error('fake source not started');
    const lane = messages[0]?.lane ?? '';
    const p = this.deliverFn(messages).then(
      (receipt) => {
        this.outcomes.push({ lane, count: messages.length, receipt });
        if (receipt?.resume) {
          const r = receipt.resume.then(
            (safe) => void this.resumes.push({ lane, result: safe }),
            () => void this.resumes.push({ lane, result: 'rejected' }),
          );
          this.track(r);
        }
        const rest = receipt && receipt.taken !== undefined ? messages.slice(receipt.taken) : [];
        if (rest.length > 0) {
          const again = this.honourResume && receipt?.resume ? receipt.resume.catch(() => undefined).then(() => this.push(rest)) : this.push(rest);
          this.track(again);
        }
        return receipt;
      },
      (error: unknown) => {
        this.outcomes.push({ lane, count: messages.length, error });
        throw error;
      },
    );
    this.track(p);
    return p;
  }

  private track(p: Promise<unknown>): void {
    this.inProgress.add(p);
    void p.catch(() => undefined).finally(() => this.inProgress.delete(p));
  }
}

export interface MessageOptions {
  lane?: string;
  codec?: EventCodec;
  /** Split into parts of this size (default: never). */
  maxValueBytes?: number;
  /** ce_copies / k= header. */
  copies?: number;
  /** ce_lanes / l= header (with copies). */
  lanes?: string;
  /** Header style (default cloudevents, the ce_* set). */
  style?: 'cloudevents' | 'compact';
  key?: Buffer | null;
  /** Drop these headers (to test decoding without the envelope's identity). */
  without?: string[];
}

/** The messages the sinks would publish for an event (one per part). */
export function messagesOf(e: ReplicationEvent, o: MessageOptions = {}): SourceMessage[] {
  if (o.style === 'compact') {
    const codec = o.codec ?? jsonCodec;
    const value = codec.encode(e);
    const max = o.maxValueBytes ?? 1 << 30;
    const header = compactHeader(e, codecToken(codec), o.copies ?? 1, o.lanes);
    const n = Math.max(1, Math.ceil(value.length / max));
    return Array.from({ length: n }, (_, i) => ({
      lane: o.lane ?? 't/0',
      key: o.key ?? null,
      value: value.subarray(i * max, (i + 1) * max),
      headers: { [COMPACT_HEADER]: withPart(header, i, n) },
    }));
  }
  const enc = encodeEvent(e, { codec: o.codec ?? jsonCodec, sourceId: 'test:6379', maxValueBytes: o.maxValueBytes ?? 1 << 30 });
  const headers = { ...enc.headers };
  if (o.copies !== undefined) headers[H.copies] = String(o.copies);
  if (o.lanes !== undefined) headers[H.lanes] = o.lanes;
  for (const h of o.without ?? []) delete headers[h];
  return enc.parts.map((value, i) => ({
    lane: o.lane ?? 't/0',
    key: o.key ?? null,
    value,
    headers: partHeaders(headers, i, enc.parts.length),
  }));
}

/** One pack message (compact header n=) carrying the events, as the Kafka sink packs them. */
export function packOf(events: readonly ReplicationEvent[], o: { lane?: string; codec?: EventCodec } = {}): SourceMessage {
  const codec = o.codec ?? jsonCodec;
  return {
    lane: o.lane ?? 't/0',
    key: null,
    value: encodePack(codec, events.map((e) => codec.encode(e))),
    headers: { [COMPACT_HEADER]: packHeader(events.length, codecToken(codec)) },
  };
}

export function messagesOfAll(events: readonly ReplicationEvent[], o: MessageOptions = {}): SourceMessage[] {
  return events.flatMap((e) => messagesOf(e, o));
}

export const REPLID = 'f'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

/** SET <key> <value> at `offset`. */
export function setCommand(offset: number, key: string, value: string, extra: { db?: number; epoch?: number; replid?: string } = {}): CommandEvent {
  const e: CommandEvent = {
    type: 'command', replid: extra.replid ?? REPLID, offset, db: extra.db ?? 0,
    command: 'SET', args: [b('SET'), b(key), b(value)], keys: [b(key)], known: true,
  };
  if (extra.epoch !== undefined) e.epoch = extra.epoch;
  return e;
}

export function flushdb(offset: number): ReplicationEvent {
  return { type: 'command', replid: REPLID, offset, db: 0, command: 'FLUSHDB', args: [b('FLUSHDB')], keys: [], known: true };
}

export function mset(offset: number, ...keys: string[]): ReplicationEvent {
  const args = [b('MSET')];
  for (const k of keys) args.push(b(k), b('v'));
  return { type: 'command', replid: REPLID, offset, db: 0, command: 'MSET', args, keys: keys.map(b), known: true };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A promise with its resolve/reject outside. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
