// consumer/reassembly.ts: parts of split events (ce_part) back into whole values, with bounded memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConsumerError } from '../../../src/consumer/errors.js';
import { Reassembler, type Assembly } from '../../../src/consumer/reassembly.js';

const limits = { maxEventBytes: 1000, maxHeldBytes: 2000, maxOpenEvents: 3 };
const isCode = (code: string) => (e: unknown) => e instanceof ConsumerError && e.code === code;

function parts(value: Buffer, n: number): Buffer[] {
  const size = Math.ceil(value.length / n);
  return Array.from({ length: n }, (_, i) => value.subarray(i * size, (i + 1) * size));
}

describe('Reassembler', () => {
  it('joins parts that arrive in order and forgets them', () => {
    const r = new Reassembler(limits, () => assert.fail('nothing given up'));
    const v = Buffer.from('0123456789abcdefghij');
    const p = parts(v, 3);
    assert.equal(r.add('l', 'id1', 0, 3, p[0]!).status, 'held');
    assert.equal(r.add('l', 'id1', 1, 3, p[1]!).status, 'held');
    assert.equal(r.bytes, p[0]!.length + p[1]!.length);
    const out = r.add('l', 'id1', 2, 3, p[2]!);
    assert.equal(out.status, 'complete');
    assert.ok(out.status === 'complete' && out.value.equals(v) && out.parts === 3 && !out.assembly.open);
    assert.equal(r.bytes, 0);
    assert.equal(r.openEvents, 0);
  });

  it('keeps interleaved events of several lanes apart, even with the same id', () => {
    const r = new Reassembler(limits, () => assert.fail('nothing given up'));
    const a = parts(Buffer.from('AAAAaaaa'), 2);
    const b = parts(Buffer.from('BBBBbbbb'), 2);
    r.add('l1', 'x', 0, 2, a[0]!);
    r.add('l2', 'x', 0, 2, b[0]!);
    const ob = r.add('l2', 'x', 1, 2, b[1]!);
    const oa = r.add('l1', 'x', 1, 2, a[1]!);
    assert.ok(oa.status === 'complete' && oa.value.toString() === 'AAAAaaaa');
    assert.ok(ob.status === 'complete' && ob.value.toString() === 'BBBBbbbb');
  });

  it('refuses a part whose part 0 was never seen, and a gap, with SDK_INCOMPLETE_EVENT', () => {
    const r = new Reassembler(limits, () => undefined);
    assert.throws(() => r.add('l', 'id', 1, 3, Buffer.from('x')), isCode('SDK_INCOMPLETE_EVENT'));
    r.add('l', 'id', 0, 3, Buffer.from('a'));
    assert.throws(() => r.add('l', 'id', 2, 3, Buffer.from('c')), (e: unknown) => isCode('SDK_INCOMPLETE_EVENT')(e) && /parts 1\.\.1 are missing/.test((e as Error).message));
    assert.equal(r.openEvents, 0, 'the broken sequence is dropped');
    assert.equal(r.bytes, 0);
  });

  it('restarts at a redelivered part 0 and ignores a part it already holds', () => {
    const r = new Reassembler(limits, () => undefined);
    r.add('l', 'id', 0, 3, Buffer.from('a'));
    r.add('l', 'id', 1, 3, Buffer.from('b'));
    assert.equal(r.add('l', 'id', 1, 3, Buffer.from('b')).status, 'held');
    r.add('l', 'id', 0, 3, Buffer.from('A')); // redelivery from the start
    r.add('l', 'id', 1, 3, Buffer.from('B'));
    const out = r.add('l', 'id', 2, 3, Buffer.from('C'));
    assert.ok(out.status === 'complete' && out.value.toString() === 'ABC');
    assert.equal(r.bytes, 0);
  });

  it('refuses an event larger than maxEventBytes with SDK_EVENT_TOO_LARGE', () => {
    const r = new Reassembler(limits, () => undefined);
    r.add('l', 'big', 0, 3, Buffer.alloc(600));
    assert.throws(() => r.add('l', 'big', 1, 3, Buffer.alloc(600)), isCode('SDK_EVENT_TOO_LARGE'));
    assert.equal(r.bytes, 0);
  });

  it('gives up the oldest unfinished event beyond maxOpenEvents or maxHeldBytes, never the current one', () => {
    const given: Assembly[] = [];
    const r = new Reassembler(limits, (a, err) => {
      assert.equal(err.code, 'SDK_INCOMPLETE_EVENT');
      given.push(a);
    });
    for (let i = 0; i < 4; i++) r.add(`l${i}`, `e${i}`, 0, 2, Buffer.alloc(10));
    assert.deepEqual(given.map((a) => a.id), ['e0']);
    assert.equal(r.openEvents, 3);
    assert.equal(given[0]!.open, false);
    r.add('l9', 'huge', 0, 3, Buffer.alloc(990));
    r.add('l9', 'huge', 1, 3, Buffer.alloc(5)); // 30 + 995 held: fine
    r.add('l8', 'e8', 0, 2, Buffer.alloc(990)); // 2015 > 2000: the oldest go until both limits hold
    assert.ok(r.bytes <= 2000 && r.openEvents <= 3, `${r.bytes} bytes, ${r.openEvents} open`);
    assert.ok(given.map((a) => a.id).includes('e1'));
    const out = r.add('l8', 'e8', 1, 2, Buffer.alloc(1));
    assert.equal(out.status, 'complete');
  });
});
