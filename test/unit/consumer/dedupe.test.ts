// consumer/dedupe.ts: per-lane watermark dedupe, per-lane epoch fencing, once-only copies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LaneGuard } from '../../../src/consumer/dedupe.js';
import { readMessageMeta } from '../../../src/consumer/message-meta.js';
import { compareEvents, compareIdentity, identityOf } from '../../../src/events/identity.js';
import { encodeEvent, jsonCodec } from '../../../src/events/envelope.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { ConsumerError } from '../../../src/consumer/errors.js';

const R1 = '1'.repeat(40);
const R2 = '2'.repeat(40);

describe('LaneGuard', () => {
  it('drops what is not newer than the highest accepted identity of the lane and replid', () => {
    const g = new LaneGuard(10, true);
    const accept = (lane: string, replid: string, offset: number): string => {
      const v = g.check(lane, replid, { offset }, undefined);
      if (v === 'new') g.accept(lane, replid, { offset }, undefined);
      return v;
    };
    assert.equal(accept('a', R1, 10), 'new');
    assert.equal(accept('a', R1, 20), 'new');
    assert.equal(accept('a', R1, 20), 'duplicate');
    assert.equal(accept('a', R1, 15), 'duplicate');
    assert.equal(accept('b', R1, 15), 'new', 'lanes are independent');
    assert.equal(accept('a', R2, 5), 'new', 'a new history has its own watermark');
    assert.equal(accept('a', R1, 21), 'new');
  });

  it('orders snapshot records by rdbOffset and chunks by index within one offset', () => {
    const g = new LaneGuard(10, true);
    g.accept('a', R1, { offset: 100, rdbOffset: 500, index: 2 }, undefined);
    assert.equal(g.check('a', R1, { offset: 100, rdbOffset: 500, index: 1 }, undefined), 'duplicate');
    assert.equal(g.check('a', R1, { offset: 100, rdbOffset: 500, index: 3 }, undefined), 'new');
    assert.equal(g.check('a', R1, { offset: 100, rdbOffset: 400 }, undefined), 'duplicate');
    assert.equal(g.check('a', R1, { offset: 100 }, undefined), 'new', 'snapshot-end (no rdbOffset) comes after the records');
  });

  it('fences lower epochs per lane once a higher one was accepted', () => {
    const g = new LaneGuard(10, true);
    g.accept('a', R1, { offset: 10 }, 1);
    g.accept('a', R1, { offset: 20 }, 2);
    assert.equal(g.check('a', R1, { offset: 30 }, 1), 'fenced');
    assert.equal(g.check('a', R1, { offset: 30 }, 2), 'new');
    assert.equal(g.check('a', R1, { offset: 30 }, undefined), 'new', 'events without epoch are not fenced');
    assert.equal(g.check('b', R1, { offset: 30 }, 1), 'new', 'another lane may still hold the old leader\'s events');
  });

  it('does no watermark dedupe when off, but still fences', () => {
    const g = new LaneGuard(10, false);
    g.accept('a', R1, { offset: 20 }, 3);
    assert.equal(g.check('a', R1, { offset: 10 }, 3), 'new');
    assert.equal(g.check('a', R1, { offset: 10 }, 2), 'fenced');
  });

  it('forgets the least recently used lane beyond maxLanes (a duplicate then gets through)', () => {
    const g = new LaneGuard(2, true);
    g.accept('a', R1, { offset: 10 }, undefined);
    g.accept('b', R1, { offset: 10 }, undefined);
    g.accept('c', R1, { offset: 10 }, undefined);
    assert.equal(g.lanesTracked, 2);
    assert.equal(g.check('a', R1, { offset: 10 }, undefined), 'new');
    assert.equal(g.check('c', R1, { offset: 10 }, undefined), 'duplicate');
  });
});

describe('message headers', () => {
  it('reads the identity of an event from its headers, ordered like compareEvents', () => {
    const mk = (offset: number, rdbOffset?: number, index?: number): ReplicationEvent => {
      if (index !== undefined) {
        return { type: 'key-chunk', replid: R1, offset, db: 0, ...(rdbOffset === undefined ? {} : { rdbOffset }), key: Buffer.from('k'), rdbType: 0, valueType: 'string', value: Buffer.alloc(0), index, last: false };
      }
      return { type: 'aux', replid: R1, offset, db: -1, ...(rdbOffset === undefined ? {} : { rdbOffset }), key: Buffer.from('k'), value: Buffer.alloc(0), inBody: false };
    };
    const events = [mk(1), mk(1, 5), mk(1, 5, 0), mk(1, 5, 1), mk(1, 9), mk(2), mk(2, 3), mk(0, 100)];
    for (const a of events) {
      for (const b of events) {
        const ia = readMessageMeta(encodeEvent(a, { codec: jsonCodec, sourceId: 's', maxValueBytes: 1e6 }).headers).identity!;
        const ib = readMessageMeta(encodeEvent(b, { codec: jsonCodec, sourceId: 's', maxValueBytes: 1e6 }).headers).identity!;
        assert.deepEqual(ia, identityOf(a));
        assert.equal(Math.sign(compareIdentity(ia, ib)), Math.sign(compareEvents(a, b)));
      }
    }
    // offset first; within one offset the snapshot records by rdbOffset (none last), then chunk index (none first)
    const sorted = [...events].sort(compareEvents);
    assert.deepEqual(sorted, [mk(0, 100), mk(1, 5), mk(1, 5, 0), mk(1, 5, 1), mk(1, 9), mk(1), mk(2, 3), mk(2)]);
  });

  it('reads the envelope headers and refuses malformed ones with SDK_BAD_HEADER', () => {
    const m = readMessageMeta({ ce_id: 'x', ce_type: 'redis.command', ce_replid: R1, ce_offset: '42', ce_epoch: '3', ce_part: '1/4', ce_copies: '2', 'content-type': 'application/json' });
    assert.deepEqual(m, {
      id: 'x', eventType: 'command', replid: R1, identity: { offset: 42 }, epoch: 3, part: { i: 1, n: 4 }, copies: 2, lanes: undefined, packed: undefined,
      contentType: 'application/json',
    });
    assert.equal(readMessageMeta({ ce_copies: '3', ce_lanes: '0,2,5' }).lanes, '0,2,5');
    assert.equal(readMessageMeta({}).identity, undefined);
    assert.equal(readMessageMeta({}).copies, 1);
    const bad = (h: Record<string, string>): void => assert.throws(() => readMessageMeta(h), (e: unknown) => e instanceof ConsumerError && e.code === 'SDK_BAD_HEADER');
    bad({ ce_replid: R1, ce_offset: '4x' });
    bad({ ce_replid: R1, ce_offset: '99999999999999999' });
    bad({ ce_part: '3/3' });
    bad({ ce_part: '0/1' });
    bad({ ce_part: 'a/b' });
    bad({ ce_epoch: '' });
  });

  it('reads the compact rmqr header: one event, a part with copies and lanes, a pack; refuses malformed ones', () => {
    const one = readMessageMeta({ rmqr: `t=key-chunk;r=${R1};o=100;d=2;c=binary;ro=64;i=3;e=7` });
    assert.deepEqual(one, {
      id: `${R1}-100-64-3`, eventType: 'key-chunk', replid: R1, identity: { offset: 100, rdbOffset: 64, index: 3 }, epoch: 7, part: undefined,
      copies: 1, lanes: undefined, packed: undefined, contentType: 'application/vnd.redis-mq-replicator.event-v1+binary',
    });
    // unknown fields are ignored, any order
    const copy = readMessageMeta({ rmqr: `zz=1;l=*;k=8;p=1/3;c=json;d=-1;o=5;r=${R1};t=stream-end` });
    assert.equal(copy.id, `${R1}-5-x-end`);
    assert.deepEqual([copy.copies, copy.lanes, copy.part, copy.contentType], [8, '*', { i: 1, n: 3 }, 'application/json']);
    const pack = readMessageMeta({ rmqr: 'n=12;c=json' });
    assert.deepEqual([pack.packed, pack.identity, pack.id, pack.copies], [12, undefined, undefined, 1]);
    // the compact header wins over ce_* when both are present
    assert.equal(readMessageMeta({ rmqr: `t=command;r=${R1};o=9;d=0;c=json`, ce_offset: '1', ce_replid: R1 }).identity?.offset, 9);
    const bad = (v: string): void =>
      assert.throws(() => readMessageMeta({ rmqr: v }), (e: unknown) => e instanceof ConsumerError && e.code === 'SDK_BAD_HEADER' && e.message.includes('rmqr'));
    bad(`t=command;r=${R1};o=4x;d=0;c=json`);
    bad('t=command;p=3/3');
    bad('t=command;p=0/1');
    bad('n=0;c=json');
    bad('n=2;c=json;k=2');
    bad('n=2;c=json;p=0/2');
    bad('t');
  });
});
