// A steady write load on a master (SET <prefix>:<i> <i>, pipelined in small batches) that runs until
// stopped, and how to find its writes among events. With `keys`, the writes go to that many keys
// (SET <prefix>:<i mod keys> <i>): each key then sees a sequence of values whose order matters.
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { ReplicationEvent } from '../../src/events/types.js';

export class WriteLoad {
  private count = 0;
  private stopping = false;
  private failure: Error | null = null;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: Redis,
    readonly prefix: string,
    batch = 20,
    pauseMs = 10,
    keys = Infinity,
  ) {
    this.loop = (async () => {
      while (!this.stopping) {
        const p = this.client.pipeline();
        for (let i = this.count; i < this.count + batch; i++) p.set(`${this.prefix}:${i % keys}`, String(i));
        const results = await p.exec();
        for (const [err] of results ?? []) if (err) throw err;
        this.count += batch;
        await delay(pauseMs);
      }
    })().catch((err: Error) => {
      // kept for stop(): a rejection nobody awaits yet would end the test process
      this.failure = err;
    });
  }

  /** Writes the master acknowledged so far. */
  get written(): number {
    return this.count;
  }

  /** Stops after the batch in flight; resolves to the number of acknowledged writes (0..n-1). */
  async stop(): Promise<number> {
    this.stopping = true;
    await this.loop;
    if (this.failure) throw this.failure;
    return this.count;
  }
}

/** Indexes of the load's SET commands among the events, in event order (duplicates kept). */
export function loadIndexes(events: readonly ReplicationEvent[], prefix: string): number[] {
  const p = Buffer.from(`${prefix}:`);
  const out: number[] = [];
  for (const e of events) {
    if (e.type !== 'command' || e.command !== 'SET') continue;
    const key = e.args[1]!;
    if (key.length > p.length && key.subarray(0, p.length).equals(p)) out.push(Number(key.subarray(p.length).toString()));
  }
  return out;
}
