import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Watermark } from '../../../src/pipeline/watermark.js';

const pos = (offset: number) => ({ replid: 'a'.repeat(40), offset, db: 0 });

test('watermark moves only over a contiguous acknowledged prefix', () => {
  const w = new Watermark(pos(0));
  const a = w.register(pos(10));
  const b = w.register(pos(20));
  const c = w.register(pos(30));
  assert.equal(w.ack(b), false, 'b alone must not move the watermark past unacknowledged a');
  assert.equal(w.durable?.offset, 0);
  assert.equal(w.ack(a), true);
  assert.equal(w.durable?.offset, 20, 'a and b acknowledged: durable is b');
  assert.equal(w.pending, 1);
  w.ack(c);
  assert.equal(w.durable?.offset, 30);
  assert.equal(w.pending, 0);
});

test('batches without a position (inside a snapshot) keep the previous durable position', () => {
  const w = new Watermark(null);
  const a = w.register(null);
  const b = w.register(pos(5));
  w.ack(a);
  assert.equal(w.durable?.offset, undefined);
  w.ack(b);
  assert.equal(w.durable?.offset, 5);
});

test('acknowledging an unknown batch is a programming error', () => {
  const w = new Watermark(null);
  assert.throws(() => w.ack(3), /unknown/);
});
