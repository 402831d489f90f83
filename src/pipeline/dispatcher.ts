// Groups events into batches, hands them to the delivery function in stream order with a bounded number
// in flight, and tracks which prefix is durable. A failed batch is delivered again (with backoff) before
// anything after it; batches after it that were already delivered stay delivered (the duplicates this
// causes carry their replid/offset). The bytes held by undelivered batches drive back-pressure: above
// maxPendingBytes new batches go to the spill (when one is configured and has room), and only when that
// is full too does onPressure(true) ask the caller to stop reading.
import { Backoff, type BackoffOptions } from '../util/backoff.js';
import { eventSize } from './event-size.js';
import type { Spill, SpillRef } from './spill.js';
import type { ReplicationEvent, StreamPosition } from '../events/types.js';
import { Watermark } from './watermark.js';

export interface DispatcherOptions {
  maxInFlight: number;
  maxEvents: number;
  lingerMs: number;
  /** Above this many bytes held in batches not yet durable, onPressure(true); below half, onPressure(false). */
  maxPendingBytes: number;
  retry?: BackoffOptions;
  /** Where batches go when memory is full (optional). */
  spill?: Spill;
}

export interface DispatcherCallbacks {
  deliver(batch: readonly ReplicationEvent[]): Promise<void>;
  onDurable(position: StreamPosition): void;
  onPressure(high: boolean): void;
  onDeliveryError(err: unknown, attempt: number, retryInMs: number): void;
}

interface Batch {
  id: number;
  /** null while the batch is in the spill. */
  events: ReplicationEvent[] | null;
  spilled: SpillRef | null;
  /** Bytes held in memory (0 while spilled). */
  bytes: number;
  state: 'queued' | 'inflight' | 'failed';
}

export class Dispatcher {
  private readonly watermark: Watermark;
  private readonly queue: Batch[] = []; // not yet durable, in stream order
  private current: ReplicationEvent[] = [];
  private currentBytes = 0;
  private currentPosition: StreamPosition | null = null;
  private linger: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private pendingBytes = 0;
  private pressured = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** A batch failed: nothing is sent until every batch in flight has settled and the backoff passed,
   *  so a retried batch never lands after a newer one that was sent while it was failing. */
  private halted = false;
  private lastError: unknown = null;
  private readonly backoff: Backoff;
  private drainWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly opts: DispatcherOptions,
    private readonly cb: DispatcherCallbacks,
    initial: StreamPosition | null,
  ) {
    this.watermark = new Watermark(initial);
    this.backoff = new Backoff(opts.retry ?? { initialMs: 500, maxMs: 30_000 });
  }

  get durable(): StreamPosition | null {
    return this.watermark.durable;
  }

  /** Bytes held in events that are not yet durable. */
  get pending(): number {
    return this.pendingBytes + this.currentBytes;
  }

  /** Appends events (in stream order); `position` is where the stream stands after them, if resumable. */
  push(events: readonly ReplicationEvent[], position: StreamPosition | null): void {
    if (this.stopped) return;
    let left = events.length;
    let pos = position;
    for (const e of events) {
      left--;
      this.current.push(e);
      this.currentBytes += eventSize(e);
      if (this.current.length >= this.opts.maxEvents) {
        // A batch that ends with the last event of this call ends at `position`.
        if (left === 0 && pos) {
          this.currentPosition = pos;
          pos = null;
        }
        this.seal();
      }
    }
    if (pos) this.currentPosition = pos;
    if (this.current.length > 0 || this.currentPosition) {
      if (this.opts.lingerMs === 0) this.seal();
      else this.linger ??= setTimeout(() => this.seal(), this.opts.lingerMs);
    }
    this.checkPressure();
  }

  /** Seals the partial batch and resolves once everything pushed so far is durable. */
  drain(): Promise<void> {
    this.seal();
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops delivering (pending batches are dropped; the caller resumes from `durable`). */
  stop(): void {
    this.stopped = true;
    if (this.linger) clearTimeout(this.linger);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.linger = this.retryTimer = null;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  private seal(): void {
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = null;
    }
    if (this.current.length === 0 && !this.currentPosition) return;
    const id = this.watermark.register(this.currentPosition);
    const spill = this.opts.spill;
    if (spill && this.current.length > 0 && this.pendingBytes + this.currentBytes > this.opts.maxPendingBytes && spill.hasRoom(this.currentBytes)) {
      this.queue.push({ id, events: null, spilled: spill.write(this.current), bytes: 0, state: 'queued' });
    } else {
      this.queue.push({ id, events: this.current, spilled: null, bytes: this.currentBytes, state: 'queued' });
      this.pendingBytes += this.currentBytes;
    }
    this.current = [];
    this.currentBytes = 0;
    this.currentPosition = null;
    this.pump();
  }

  private pump(): void {
    if (this.stopped || this.halted) return;
    for (const b of this.queue) {
      if (this.inFlight >= this.opts.maxInFlight) break;
      if (b.state === 'failed') break; // a failed batch goes again before anything after it
      if (b.state !== 'queued') continue;
      this.send(b);
    }
  }

  private send(b: Batch): void {
    b.state = 'inflight';
    this.inFlight++;
    const events = b.events ?? this.opts.spill!.read(b.spilled!);
    const done = events.length === 0 ? Promise.resolve() : this.cb.deliver(events);
    done.then(
      () => this.settled(b, null),
      (err: unknown) => this.settled(b, err ?? new Error('delivery failed')),
    );
  }

  private settled(b: Batch, err: unknown): void {
    this.inFlight--;
    if (this.stopped) return;
    if (err !== null) {
      b.state = 'failed';
      this.halted = true;
      this.lastError = err;
    } else {
      if (!this.halted) this.backoff.reset();
      const i = this.queue.indexOf(b);
      this.queue.splice(i, 1);
      this.pendingBytes -= b.bytes;
      if (b.spilled) this.opts.spill!.free(b.spilled);
      if (this.watermark.ack(b.id) && this.watermark.durable) this.cb.onDurable(this.watermark.durable);
      this.checkPressure();
      if (this.queue.length === 0) for (const w of this.drainWaiters.splice(0)) w();
    }
    if (this.halted) {
      if (this.inFlight === 0 && !this.retryTimer) this.scheduleRetry();
      return;
    }
    this.pump();
  }

  private scheduleRetry(): void {
    const wait = this.backoff.next();
    this.cb.onDeliveryError(this.lastError, this.backoff.attempts, wait);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.halted = false;
      for (const x of this.queue) if (x.state === 'failed') x.state = 'queued';
      this.pump();
    }, wait);
  }

  /** Bytes of undelivered batches in the spill. */
  get spilled(): number {
    return this.opts.spill?.bytes ?? 0;
  }

  private checkPressure(): void {
    const max = this.opts.maxPendingBytes;
    const spill = this.opts.spill;
    // The spill takes new batches while it has room; memory then stays under the limit.
    const spillFull = !spill || !spill.hasRoom(max / 16);
    const high = this.pending > max && spillFull;
    const low = this.pending < max / 2 && (!spill || spill.bytes < spill.maxBytes / 2);
    if (!this.pressured && high) {
      this.pressured = true;
      this.cb.onPressure(true);
    } else if (this.pressured && low) {
      this.pressured = false;
      this.cb.onPressure(false);
    }
  }
}
