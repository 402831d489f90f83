import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher, type DispatcherCallbacks } from '../../../src/pipeline/dispatcher.js';
import type { CommandEvent, ReplicationEvent, StreamPosition } from '../../../src/events/types.js';

const R = 'b'.repeat(40);
const cmd = (offset: number): CommandEvent => ({
  type: 'command', replid: R, offset, db: 0, command: 'SET', args: [Buffer.from('SET'), Buffer.from(`k${offset}`), Buffer.from('v')], keys: [Buffer.from(`k${offset}`)], known: true,
});
const at = (offset: number): StreamPosition => ({ replid: R, offset, db: 0 });

function harness(opts: Partial<{ maxInFlight: number; maxEvents: number; lingerMs: number; maxPendingBytes: number }>, deliver: DispatcherCallbacks['deliver']) {
  const durable: number[] = [];
  const pressure: boolean[] = [];
  const errors: unknown[] = [];
  const d = new Dispatcher(
    { maxInFlight: 1, maxEvents: 2, lingerMs: 0, maxPendingBytes: 1 << 20, retry: { initialMs: 5, maxMs: 10 }, ...opts },
    {
      deliver,
      onDurable: (p) => durable.push(p.offset),
      onPressure: (h) => pressure.push(h),
      onDeliveryError: (e) => errors.push(e),
    },
    null,
  );
  return { d, durable, pressure, errors };
}

test('dispatcher (in-process fake sink) delivers batches in order and reports each durable position', async () => {
  const seen: number[] = [];
  const { d, durable } = harness({ maxEvents: 2 }, async (batch) => {
    for (const e of batch) seen.push(e.offset);
  });
  for (let i = 1; i <= 5; i++) d.push([cmd(i)], at(i));
  await d.drain();
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(durable.at(-1), 5);
  assert.deepEqual([...durable].sort((a, b) => a - b), durable, 'durable offsets only grow');
});

test('dispatcher (in-process fake sink) redelivers a failed batch before later ones and never skips it', async () => {
  const delivered: number[][] = [];
  let failOnce = true;
  const { d, durable, errors } = harness({ maxEvents: 1, maxInFlight: 3 }, async (batch: readonly ReplicationEvent[]) => {
    const offs = batch.map((e) => e.offset);
    if (offs[0] === 2 && failOnce) {
      failOnce = false;
      throw new Error('broker down');
    }
    await new Promise((r) => setTimeout(r, 2));
    delivered.push(offs);
  });
  for (let i = 1; i <= 4; i++) d.push([cmd(i)], at(i));
  await d.drain();
  assert.equal(errors.length, 1);
  const flat = delivered.flat();
  for (const o of [1, 2, 3, 4]) assert.ok(flat.includes(o), `offset ${o} delivered`);
  assert.equal(durable.at(-1), 4);
  assert.ok(!durable.some((o) => o >= 2 && flat.indexOf(2) < 0), 'durable never passed the failed batch before it was redelivered');
});

test('dispatcher (in-process fake sink) signals back-pressure above maxPendingBytes and releases it below half', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { d, pressure } = harness({ maxEvents: 1, maxPendingBytes: 2000 }, () => gate);
  for (let i = 1; i <= 20; i++) d.push([cmd(i)], at(i));
  assert.deepEqual(pressure, [true]);
  release();
  await d.drain();
  assert.deepEqual(pressure, [true, false]);
});

test('dispatcher (in-process fake sink) sends nothing new after a failure until every batch in flight settled', async () => {
  const calls: number[] = [];
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  let attempts2 = 0;
  const { d } = harness({ maxEvents: 1, maxInFlight: 3 }, (batch) => {
    const o = batch[0]!.offset;
    calls.push(o);
    if (o === 2 && attempts2++ === 0) return Promise.reject(new Error('partition leader moved'));
    return new Promise<void>((resolve, reject) => pending.set(o, { resolve, reject }));
  });
  for (let i = 1; i <= 6; i++) d.push([cmd(i)], at(i));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls, [1, 2, 3], 'three in flight, batch 2 failed at once');
  pending.get(1)!.resolve();
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual(calls, [1, 2, 3], 'no new batch while 3 is still in flight after the failure');
  pending.get(3)!.resolve();
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(calls.slice(0, 4), [1, 2, 3, 2], 'the failed batch goes again first, after the backoff');
  for (const o of [2, 4, 5, 6]) {
    await new Promise((r) => setTimeout(r, 5));
    pending.get(o)?.resolve();
  }
  await d.drain();
  assert.deepEqual(calls, [1, 2, 3, 2, 4, 5, 6]);
});
