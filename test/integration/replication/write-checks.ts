// The checks that every write of a load (helpers/write-load.ts) reached the replicator, in order and
// with an unbroken offset chain.
import assert from 'node:assert/strict';
import type { CommandEvent, ReplicationEvent } from '../../../src/events/types.js';
import { loadIndexes } from '../../helpers/write-load.js';
import { respLength } from './offset-accounting.js';

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
