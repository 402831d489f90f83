// Runs a Replicator in-process and records every event it delivers, every (re)sync and every retry,
// so a test can wait for a condition ("the stream reached offset N") and then inspect what arrived.
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandEvent, ReplicationEvent, TransactionEvent } from '../../src/events/types.js';
import { Replicator, type ReplicatorOptions } from '../../src/pipeline/replicator.js';
import type { SyncInfo } from '../../src/replication/client.js';

export class EventRecorder {
  readonly events: ReplicationEvent[] = [];
  readonly syncs: SyncInfo[] = [];
  readonly retries: Error[] = [];
  readonly replicator: Replicator;
  /** Set when `done` rejected (a fatal error). */
  fatal: Error | null = null;
  private closed = false;

  constructor(options: ReplicatorOptions) {
    this.replicator = new Replicator(options);
    this.replicator.on('event', (e) => {
      this.events.push(e);
    });
    this.replicator.on('sync', (info) => this.syncs.push(info));
    this.replicator.on('retrying', (err) => this.retries.push(err));
    this.replicator.done.catch((err: Error) => {
      this.fatal = err;
    });
  }

  static async open(options: ReplicatorOptions): Promise<EventRecorder> {
    const r = new EventRecorder(options);
    await r.replicator.open();
    return r;
  }

  /** Offset of the last event delivered (-1 before any). */
  get lastOffset(): number {
    return this.events.at(-1)?.offset ?? -1;
  }

  /** Command and transaction events, in order. */
  get writes(): (CommandEvent | TransactionEvent)[] {
    return this.events.filter((e): e is CommandEvent | TransactionEvent => e.type === 'command' || e.type === 'transaction');
  }

  /** Polls `done()` until it is true; fails with `what` and the last events after `timeoutMs`. */
  async waitFor(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      if (await done()) return;
      if (this.fatal) throw new Error(`while waiting for ${what}: the replicator stopped: ${this.fatal.message}`, { cause: this.fatal });
      if (Date.now() - started > timeoutMs) {
        const tail = this.events.slice(-5).map((e) => `${e.type}@${e.offset}`).join(', ');
        const retries = this.retries.map((e) => e.message).join(' | ');
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.events.length} events, last: ${tail}; retries: ${retries || 'none'})`);
      }
      await delay(20);
    }
  }

  /** Waits until an event with exactly this offset (or beyond) was delivered. */
  waitForOffset(offset: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(`an event at offset ${offset}`, () => this.lastOffset >= offset, timeoutMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.replicator.close(5000);
    } catch {
      // close() rethrows a fatal error that the test already saw through `fatal`
    }
  }
}
