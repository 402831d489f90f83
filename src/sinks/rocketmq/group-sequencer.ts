// Per-group ordering of sends across overlapping publish() calls. RocketMQ keeps a message group's order
// only if its messages reach the broker one after the other, and the client has no batch send: so a
// message is sent only after the previous message of its group (from this call or an earlier one) was
// acknowledged, while messages of different groups go concurrently (at most `concurrency` at once).
//
// Failure: when a send fails (after the client's own retries), every message not yet sent fails at
// once without being sent: those behind the failed one in its group must not overtake it, and the
// others belong to calls the pipeline will deliver again anyway. Until every call admitted before the
// failure has settled, new calls are refused too (HeldBackError, nothing sent): the pipeline may
// already be redelivering one failed batch while an earlier-admitted batch is still in flight and about
// to fail, and letting the redelivery (or a newer batch) through would put it ahead of that batch. Once
// nothing is in flight the state is clean and the pipeline's next attempt (the earliest failed batch
// first) goes through, so each group's messages reach the broker in stream order, a retried message
// possibly twice (same ce_id: the SDK drops the copy).
import { SinkError } from '../errors.js';

/** Thrown for a message that was not sent because an earlier one failed. Its message names that
 *  failure: the pipeline may report this error rather than the original one. */
export class HeldBackError extends SinkError {
  constructor(cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('SINK_ROCKETMQ_HELD_BACK', `not sent because an earlier message failed (${why}); the batch is published again in order`, {
      retriable: true,
      cause,
    });
  }
}

class Semaphore {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

const noop = (): void => undefined;

export class GroupSequencer {
  /** Per group: settles (never rejects) when the last message submitted to the group has settled. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly limiter: Semaphore;
  private failure: { error: unknown } | null = null;
  /** Calls that submitted messages and have not settled yet. */
  private active = 0;

  constructor(concurrency: number) {
    this.limiter = new Semaphore(concurrency);
  }

  /** Calls in progress (admitted, not settled). */
  get inProgress(): number {
    return this.active;
  }

  /**
   * Sends `items` (each in its group, in order) and settles when all of them have: resolves when every
   * send succeeded, else rejects with the first real failure (not a HeldBackError when avoidable).
   */
  async run<T>(items: readonly T[], groupOf: (item: T) => string, send: (item: T) => Promise<void>): Promise<void> {
    // submitted synchronously, so calls reach the groups in the order they were made
    this.throwIfFailed();
    this.active++;
    let results: PromiseSettledResult<void>[];
    try {
      results = await Promise.allSettled(items.map((item) => this.submit(groupOf(item), () => send(item))));
    } finally {
      this.active--;
      if (this.active === 0) this.failure = null;
    }
    let held: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      if (!(r.reason instanceof HeldBackError)) throw r.reason;
      held ??= r.reason;
    }
    if (held !== undefined) throw held;
  }

  /** Resolves once no call is in progress (for close()). */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.active === 0) resolve();
        else setTimeout(check, 20);
      };
      check();
    });
  }

  private submit(group: string, send: () => Promise<void>): Promise<void> {
    const prev = this.tails.get(group) ?? Promise.resolve();
    const run = prev.then(() => this.attempt(send));
    const tail = run.then(noop, noop);
    this.tails.set(group, tail);
    void tail.then(() => {
      if (this.tails.get(group) === tail) this.tails.delete(group);
    });
    return run;
  }

  private async attempt(send: () => Promise<void>): Promise<void> {
    this.throwIfFailed();
    await this.limiter.acquire();
    try {
      // checked again: a failure may have happened while this waited for a slot
      this.throwIfFailed();
      await send();
    } catch (err) {
      if (!(err instanceof HeldBackError)) this.failure ??= { error: err };
      throw err;
    } finally {
      this.limiter.release();
    }
  }

  private throwIfFailed(): void {
    if (this.failure) throw new HeldBackError(this.failure.error);
  }
}
