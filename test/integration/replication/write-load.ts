// A steady write load on a master (SET <prefix>:<i> <i>, pipelined in small batches) that runs until
// stopped, and the checks that every one of those writes reached the replicator.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { CommandEvent, ReplicationEvent } from '../../../src/events/types.js';
import { respLength } from './offset-accounting.js';

export class WriteLoad {
  private count = 0;
  private stopping = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly client: Redis,
    readonly prefix: string,
    batch = 20,
    pauseMs = 2,
  ) {
    this.loop = (async () => {
      while (!this.stopping) {
        const p = this.client.pipeline();
        for (let i = 0; i < batch; i++, this.count++) p.set(`${this.prefix}:${this.count}`, String(this.count));
        const results = await p.exec();
        for (const [err] of results ?? []) if (err) throw err;
        await delay(pauseMs);
      }
    })();
  }

  /** Writes acknowledged so far. */
  get written(): number {
    return this.count;
  }

  /** Stops after the batch in flight; resolves to the number of writes issued. */
  async stop(): Promise<number> {
    this.stopping = true;
    await this.loop;
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

/** Every write 0..n-1 appears at least once (exactly once when `exactlyOnce`), and in order. */
export function assertAllWrites(events: readonly ReplicationEvent[], prefix: string, n: number, exactlyOnce: boolean): void {
  const seen = loadIndexes(events, prefix);
  const unique = [...new Set(seen)].sort((a, b) => a - b);
  assert.equal(unique.length, n, `writes seen: ${unique.length} of ${n}`);
  assert.equal(unique[0], 0);
  assert.equal(unique.at(-1), n - 1);
  if (exactlyOnce) {
    assert.equal(seen.length, n, `${seen.length - n} duplicates`);
    for (let i = 0; i < seen.length; i++) assert.equal(seen[i], i, 'writes arrive in order');
  }
}

const PING_BYTES = respLength([Buffer.from('PING')]);
const SELECT0_BYTES = respLength([Buffer.from('SELECT'), Buffer.from('0')]);

/**
 * Offset chain of the command events of one replid (deduplicated by offset): each event must start
 * where the previous one ended, allowing only the master's own keepalive PINGs (14 bytes each) and a
 * SELECT 0 in between. Returns the unexplained gaps ("prevEnd -> start") and the number of PINGs.
 */
export function offsetChainGaps(events: readonly CommandEvent[], startOffset: number): { gaps: string[]; pings: number } {
  const byOffset = new Map<number, CommandEvent>();
  for (const e of events) byOffset.set(e.offset, e);
  const sorted = [...byOffset.values()].sort((a, b) => a.offset - b.offset);
  const gaps: string[] = [];
  let pings = 0;
  let prev = startOffset;
  for (const e of sorted) {
    const start = e.offset - respLength(e.args);
    let d = start - prev;
    if (d >= SELECT0_BYTES && (d - SELECT0_BYTES) % PING_BYTES === 0 && d % PING_BYTES !== 0) d -= SELECT0_BYTES;
    if (d < 0 || d % PING_BYTES !== 0) gaps.push(`${prev} -> ${start} (before ${e.command} ${e.args[1]?.toString() ?? ''})`);
    else pings += d / PING_BYTES;
    prev = e.offset;
  }
  return { gaps, pings };
}
