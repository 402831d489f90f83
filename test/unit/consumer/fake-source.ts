// In-process fake MessageSource for the consumer SDK's unit tests (tests using it say "fake source"):
// the test pushes messages of a lane as a broker client would, and sees what the SDK answers
// (receipt, or rejection = not acknowledged). Messages are built with the real envelope
// (events/envelope.ts), so headers, parts and codecs are those the sinks publish.
import { encodeEvent, H, jsonCodec, partHeaders, type EventCodec } from '../../../src/events/envelope.js';
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
  lagByLane: Record<string, number> | undefined;

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
        return receipt;
      },
      (error: unknown) => {
        this.outcomes.push({ lane, count: messages.length, error });
        throw error;
      },
    );
    this.inProgress.add(p);
    void p.catch(() => undefined).finally(() => this.inProgress.delete(p));
    return p;
  }
}

export interface MessageOptions {
  lane?: string;
  codec?: EventCodec;
  /** Split into parts of this size (default: never). */
  maxValueBytes?: number;
  /** ce_copies header. */
  copies?: number;
  key?: Buffer | null;
  /** Drop these headers (to test decoding without the envelope's identity). */
  without?: string[];
}

/** The messages the sinks would publish for an event (one per part). */
export function messagesOf(e: ReplicationEvent, o: MessageOptions = {}): SourceMessage[] {
  const enc = encodeEvent(e, { codec: o.codec ?? jsonCodec, sourceId: 'test:6379', maxValueBytes: o.maxValueBytes ?? 1 << 30 });
  const headers = { ...enc.headers };
  if (o.copies !== undefined) headers[H.copies] = String(o.copies);
  for (const h of o.without ?? []) delete headers[h];
  return enc.parts.map((value, i) => ({
    lane: o.lane ?? 't/0',
    key: o.key ?? null,
    value,
    headers: partHeaders(headers, i, enc.parts.length),
  }));
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
