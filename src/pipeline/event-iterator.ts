// Async iteration over the replicator's events. A batch offered to the iterator is acknowledged once the
// consumer has asked for the event after its last one, so the checkpoint never passes an event the loop
// body has not finished with.
import type { ReplicationEvent } from '../events/types.js';

interface Offered {
  events: readonly ReplicationEvent[];
  next: number;
  ack: () => void;
}

export class EventIterator implements AsyncIterator<ReplicationEvent> {
  private readonly queue: Offered[] = [];
  private waiting: { resolve: (r: IteratorResult<ReplicationEvent>) => void; reject: (e: Error) => void } | null = null;
  private finished = false;
  private error: Error | null = null;
  /** The batch whose last event was handed out: acknowledged on the next request. */
  private handedOut: Offered | null = null;

  constructor(private readonly onReturn: () => void) {}

  offer(events: readonly ReplicationEvent[]): Promise<void> {
    if (this.finished) return new Promise(() => undefined); // never acknowledged: left for the next run
    return new Promise((ack) => {
      this.queue.push({ events, next: 0, ack });
      this.wake();
    });
  }

  next(): Promise<IteratorResult<ReplicationEvent>> {
    if (this.handedOut) {
      this.handedOut.ack();
      this.handedOut = null;
    }
    if (this.error) return Promise.reject(this.error);
    const r = this.take();
    if (r) return Promise.resolve(r);
    if (this.finished) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<ReplicationEvent>> {
    this.finished = true;
    this.onReturn();
    return Promise.resolve({ done: true, value: undefined });
  }

  end(): void {
    this.finished = true;
    this.wake();
  }

  fail(err: Error): void {
    this.error = err;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.reject(err);
    }
  }

  private take(): IteratorResult<ReplicationEvent> | null {
    const head = this.queue[0];
    if (!head) return null;
    const value = head.events[head.next++]!;
    if (head.next >= head.events.length) {
      this.queue.shift();
      this.handedOut = head;
    }
    return { done: false, value };
  }

  private wake(): void {
    if (!this.waiting) return;
    const r = this.take() ?? (this.finished ? ({ done: true, value: undefined } as const) : null);
    if (!r) return;
    const w = this.waiting;
    this.waiting = null;
    w.resolve(r);
  }
}
