// RedisEventConsumer against an in-process fake source (every test name says so): typed listeners get
// the events the replicator published, per-key order holds under concurrency, barriers order against
// everything, split events are reassembled, redeliveries / copies / fenced events are dropped, a failing
// listener is retried (never skipped) and a delivery resolves only after the listeners finished.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisEventConsumer, type RedisEventConsumerOptions } from '../../../src/consumer/consumer.js';
import type { EventContext } from '../../../src/consumer/listeners.js';
import type { DeliveryReceipt, SourceMessage } from '../../../src/consumer/source.js';
import { binaryCodec } from '../../../src/events/binary-codec.js';
import { H } from '../../../src/events/envelope.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { ReplicatorError } from '../../../src/errors.js';
import type { Logger } from '../../../src/util/logger.js';
import { prng } from '../../helpers/chunkings.js';
import { deferred, FakeSource, flushdb, messagesOf, messagesOfAll, mset, packOf, REPLID, setCommand, sleep } from './fake-source.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

async function started(opts: Partial<RedisEventConsumerOptions> = {}): Promise<{ c: RedisEventConsumer; src: FakeSource }> {
  const src = new FakeSource();
  const c = new RedisEventConsumer({ source: src, topic: 'events', group: 'test', retry: { initialMs: 2, maxMs: 10 }, ...opts });
  await c.start();
  return { c, src };
}

function keyOf(e: ReplicationEvent): string {
  return e.type === 'command' ? e.keys.map((k) => k.toString()).join(',') : e.type;
}

const snapshot: ReplicationEvent[] = [
  { type: 'snapshot-begin', replid: REPLID, offset: 100, db: -1, rdbOffset: 0, reason: 'initial', magic: 'REDIS', rdbVersion: 12 },
  { type: 'aux', replid: REPLID, offset: 100, db: -1, rdbOffset: 9, key: b('redis-ver'), value: b('7.4.1'), inBody: false },
  { type: 'key-value', replid: REPLID, offset: 100, db: 0, rdbOffset: 30, key: b('k1'), rdbType: 0, valueType: 'string', value: Buffer.from([0xff, 0]) },
  {
    type: 'key-value', replid: REPLID, offset: 100, db: 0, rdbOffset: 40, key: b('z'), rdbType: 5, valueType: 'zset',
    value: [[b('a'), -0], [b('b'), Infinity]],
  },
  { type: 'key-chunk', replid: REPLID, offset: 100, db: 0, rdbOffset: 60, key: b('l'), rdbType: 18, valueType: 'list', value: [b('x')], index: 0, last: false },
  { type: 'key-chunk', replid: REPLID, offset: 100, db: 0, rdbOffset: 60, key: b('l'), rdbType: 18, valueType: 'list', value: [b('y')], index: 1, last: true },
  { type: 'function', replid: REPLID, offset: 100, db: -1, rdbOffset: 70, code: b('#!lua name=x\n') },
  { type: 'module-aux', replid: REPLID, offset: 100, db: -1, rdbOffset: 80, module: 'm', moduleId: '1', encver: 1, when: 2, raw: b('r') },
  { type: 'snapshot-end', replid: REPLID, offset: 100, db: -1, rdbOffset: 89, checksum: 'verified', checksumHex: '00', keys: 3, bytes: 90 },
  { type: 'stream-begin', replid: REPLID, offset: 100, db: 0, mode: 'full' },
  setCommand(130, 'k1', 'v2'),
  {
    type: 'transaction', replid: REPLID, offset: 170, db: 0,
    commands: [{ command: 'INCR', args: [b('INCR'), b('n')], keys: [b('n')], known: true, db: 0 }],
  },
  { type: 'stream-end', replid: REPLID, offset: 170, db: 0, reason: 'closed' },
];

describe('RedisEventConsumer', () => {
  for (const codec of [undefined, binaryCodec]) {
    it(`hands every event type to its typed listener and to 'event', in order (fake source, ${codec ? 'binary' : 'json'} codec)`, async () => {
      const { c, src } = await started();
      const typed: ReplicationEvent[] = [];
      const all: ReplicationEvent[] = [];
      const contexts: EventContext[] = [];
      c.on('snapshot-begin', (e) => void typed.push(e));
      c.on('snapshot-end', (e) => void typed.push(e));
      c.on('aux', (e) => void typed.push(e));
      c.on('function', (e) => void typed.push(e));
      c.on('module-aux', (e) => void typed.push(e));
      c.on('key-value', (e) => void typed.push(e));
      c.on('key-chunk', (e) => void typed.push(e));
      c.on('command', async (e, ctx) => {
        // typed: e.command exists only on command events
        assert.equal(typeof e.command, 'string');
        contexts.push(ctx);
        typed.push(e);
      });
      c.on('transaction', (e) => void typed.push(e));
      c.on('stream-begin', (e) => void typed.push(e));
      c.on('stream-end', (e) => void typed.push(e));
      c.on('event', (e) => void all.push(e));
      const receipt = await src.push(messagesOfAll(snapshot, codec ? { codec } : {}));
      assert.deepEqual(receipt, { held: [], safePrefix: snapshot.length });
      assert.deepStrictEqual(typed, snapshot);
      assert.deepStrictEqual(all, snapshot);
      assert.equal(contexts.length, 1);
      assert.equal(contexts[0]!.lane, 't/0');
      assert.equal(contexts[0]!.id, `${REPLID}-130-x-x`);
      assert.equal(contexts[0]!.attempt, 1);
      assert.equal(contexts[0]!.copies, 1);
      assert.equal(contexts[0]!.headers[H.type], 'redis.command');
      assert.equal(c.stats().delivered, snapshot.length);
      await c.stop();
      await c.done;
      assert.equal(src.stopped, 1);
    });
  }

  it('decodes messages without envelope headers as JSON and dedupes them by the decoded identity (fake source)', async () => {
    const { c, src } = await started();
    const got: number[] = [];
    c.on('command', (e) => void got.push(e.offset));
    const bare = (e: ReplicationEvent): SourceMessage[] => messagesOf(e, { without: Object.values(H) });
    await src.push([...bare(setCommand(10, 'a', '1')), ...bare(setCommand(20, 'a', '2'))]);
    await src.push([...bare(setCommand(20, 'a', '2')), ...bare(setCommand(30, 'a', '3'))]);
    assert.deepEqual(got, [10, 20, 30]);
    assert.equal(c.stats().duplicatesDropped, 1);
    await c.stop();
  });

  it('keeps per-key order under concurrency with random listener delays across lanes (fake source)', async () => {
    const rnd = prng(42);
    const { c, src } = await started({ concurrency: 8 });
    const seen = new Map<string, number[]>();
    const running = new Set<string>();
    let maxInFlight = 0;
    let inFlight = 0;
    c.on('command', async (e) => {
      const k = keyOf(e);
      assert.ok(!running.has(k), `two events of key ${k} at once`);
      running.add(k);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(Math.floor(rnd() * 3));
      seen.set(k, [...(seen.get(k) ?? []), e.offset]);
      running.delete(k);
      inFlight--;
    });
    // 4 lanes (partitions), keys hashed to a lane, 400 events in 40 deliveries
    const lanes = new Map<string, ReplicationEvent[]>();
    for (let i = 0; i < 400; i++) {
      const key = `key${Math.floor(rnd() * 16)}`;
      const lane = `t/${Number(key.slice(3)) % 4}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), setCommand(1000 + i * 10, key, String(i))]);
    }
    await Promise.all(
      [...lanes].map(async ([lane, events]) => {
        for (let i = 0; i < events.length; i += 10) await src.push(messagesOfAll(events.slice(i, i + 10), { lane }));
      }),
    );
    for (const [k, offsets] of seen) assert.deepEqual(offsets, [...offsets].sort((x, y) => x - y), `order of ${k}`);
    assert.equal([...seen.values()].reduce((s, o) => s + o.length, 0), 400);
    assert.ok(maxInFlight > 1 && maxInFlight <= 8, `max in flight ${maxInFlight}`);
    await c.stop();
  });

  it('runs a barrier (FLUSHDB) after every earlier event and before every later one (fake source)', async () => {
    const { c, src } = await started({ concurrency: 4 });
    const log: string[] = [];
    c.on('command', async (e) => {
      log.push(`start ${e.offset}`);
      await sleep(e.command === 'FLUSHDB' ? 1 : 5 - (e.offset % 5));
      log.push(`end ${e.offset}`);
    });
    await src.push(messagesOfAll([setCommand(1, 'a', 'x'), setCommand(2, 'b', 'x'), setCommand(3, 'c', 'x'), flushdb(4), setCommand(5, 'a', 'y'), setCommand(6, 'd', 'y')]));
    const at = (s: string): number => log.indexOf(s);
    for (const o of [1, 2, 3]) assert.ok(at(`end ${o}`) < at('start 4'), `event ${o} finished before the barrier: ${log.join(', ')}`);
    for (const o of [5, 6]) assert.ok(at(`start ${o}`) > at('end 4'), `event ${o} started after the barrier: ${log.join(', ')}`);
    assert.ok(at('start 2') < at('end 1'), 'events before the barrier ran concurrently');
    await c.stop();
  });

  it('reassembles a split event across deliveries and reports the held parts in the receipt (fake source)', async () => {
    const { c, src } = await started();
    const got: ReplicationEvent[] = [];
    const ctxs: EventContext[] = [];
    c.on('event', (e, ctx) => {
      got.push(e);
      ctxs.push(ctx);
    });
    const big = setCommand(50, 'big', 'x'.repeat(5000));
    const parts = messagesOf(big, { maxValueBytes: 1000 });
    assert.equal(parts.length, 6);
    const before = messagesOf(setCommand(40, 'a', '1'));
    const after = messagesOf(setCommand(60, 'a', '2'));
    const r1 = (await src.push([...before, ...parts.slice(0, 3)])) as DeliveryReceipt;
    assert.deepEqual(r1, { held: [1, 2, 3], safePrefix: 1 });
    assert.equal(c.stats().partialEvents, 1);
    assert.equal(c.stats().partialBytes, 3000);
    const r2 = (await src.push([...parts.slice(3), ...after])) as DeliveryReceipt;
    assert.deepEqual(r2, { held: [], safePrefix: 4 });
    assert.deepStrictEqual(got, [setCommand(40, 'a', '1'), big, setCommand(60, 'a', '2')]);
    assert.equal(ctxs[1]!.parts, 6);
    assert.equal(ctxs[1]!.headers[H.part], '0/6', 'the context shows the first part\'s headers');
    assert.equal(c.stats().partialEvents, 0);
    await c.stop();
  });

  it('reassembles interleaved split events of two lanes delivered concurrently (fake source, binary codec)', async () => {
    const { c, src } = await started({ concurrency: 2 });
    const got = new Map<string, Buffer>();
    c.on('command', (e) => void got.set(e.keys[0]!.toString(), e.args[2]!));
    const v1 = Buffer.alloc(40_000, 1);
    const v2 = Buffer.alloc(30_000, 2);
    const e1: ReplicationEvent = { ...setCommand(10, 'one', ''), args: [b('SET'), b('one'), v1] };
    const e2: ReplicationEvent = { ...setCommand(11, 'two', ''), args: [b('SET'), b('two'), v2] };
    const p1 = messagesOf(e1, { lane: 't/0', codec: binaryCodec, maxValueBytes: 4096 });
    const p2 = messagesOf(e2, { lane: 't/1', codec: binaryCodec, maxValueBytes: 4096 });
    const pushes: Promise<unknown>[] = [];
    for (let i = 0; i < Math.max(p1.length, p2.length); i++) {
      if (p1[i]) pushes.push(src.push([p1[i]!]));
      if (p2[i]) pushes.push(src.push([p2[i]!]));
    }
    await Promise.all(pushes);
    assert.ok(got.get('one')?.equals(v1));
    assert.ok(got.get('two')?.equals(v2));
    await c.stop();
  });

  it('stops on a split event whose parts are missing, and skips it with onBadMessage skip (fake source)', async () => {
    const parts = messagesOf(setCommand(50, 'big', 'y'.repeat(3000)), { maxValueBytes: 1000 });
    {
      const { c, src } = await started();
      const errors: Array<[string, string]> = [];
      c.on('error', (err, ctx) => void errors.push([(err as ReplicatorError).code, ctx.stage]));
      await assert.rejects(src.push([parts[0]!, parts[2]!]), (e: unknown) => e instanceof ReplicatorError && e.code === 'SDK_INCOMPLETE_EVENT');
      assert.deepEqual(errors, [['SDK_INCOMPLETE_EVENT', 'message']]);
      await assert.rejects(c.done, (e: unknown) => e instanceof ReplicatorError && e.code === 'SDK_INCOMPLETE_EVENT');
      assert.equal(src.stopped, 1, 'the consumer stopped its source');
    }
    {
      const { c, src } = await started({ onBadMessage: 'skip' });
      const got: number[] = [];
      c.on('command', (e) => void got.push(e.offset));
      c.on('error', () => undefined);
      const receipt = await src.push([parts[1]!, ...messagesOf(setCommand(60, 'a', '1'))]);
      assert.deepEqual(receipt, { held: [], safePrefix: 2 });
      assert.deepEqual(got, [60]);
      assert.equal(c.stats().badMessages, 1);
      await c.stop();
    }
  });

  it('refuses a value its codec cannot decode and an unknown content-type (fake source)', async () => {
    const { c, src } = await started({ onBadMessage: 'skip' });
    const codes: string[] = [];
    c.on('error', (err) => void codes.push((err as ReplicatorError).code));
    const good = messagesOf(setCommand(10, 'a', '1'), { codec: binaryCodec })[0]!;
    await src.push([{ ...good, value: good.value.subarray(0, 10) }]);
    await src.push([{ ...good, headers: { ...good.headers, [H.contentType]: 'application/x-unknown' } }]);
    await src.push([{ ...good, headers: { ...good.headers, [H.contentType]: 'application/json' } }]);
    assert.deepEqual(codes, ['EVENT_BAD_BINARY', 'SDK_UNKNOWN_CONTENT_TYPE', 'EVENT_BAD_JSON']);
    await c.stop();
  });

  it('drops redelivered events and the older events replayed after a replicator restart (fake source)', async () => {
    const { c, src } = await started();
    const got: number[] = [];
    c.on('command', (e) => void got.push(e.offset));
    const events = [10, 20, 30, 40].map((o) => setCommand(o, 'k', String(o)));
    await src.push(messagesOfAll(events.slice(0, 3)));
    // the broker redelivers (commit lost), then the replicator republishes from its checkpoint (20)
    await src.push(messagesOfAll(events.slice(0, 3)));
    await src.push(messagesOfAll(events.slice(1)));
    assert.deepEqual(got, [10, 20, 30, 40]);
    assert.equal(c.stats().duplicatesDropped, 5);
    // a new replication history (resync) starts its own watermark
    await src.push(messagesOf(setCommand(5, 'k', 'new', { replid: 'e'.repeat(40) })));
    assert.deepEqual(got, [10, 20, 30, 40, 5]);
    await c.stop();
  });

  it('delivers sync boundaries that share a command\'s identity, and a full resync at an unchanged offset (fake source)', async () => {
    const { c, src } = await started();
    const got: string[] = [];
    c.on('event', (e) => void got.push(`${e.type}@${e.offset}${e.rdbOffset === undefined ? '' : '/' + e.rdbOffset}`));
    const lane = 't/0';
    // link lost after the command at 130, resumed with +CONTINUE at 130: stream-end and stream-begin
    // carry offset 130 too (same ce_id as the command)
    const end: ReplicationEvent = { type: 'stream-end', replid: REPLID, offset: 130, db: 0, reason: 'link-lost' };
    const begin: ReplicationEvent = { type: 'stream-begin', replid: REPLID, offset: 130, db: 0, mode: 'partial' };
    await src.push(messagesOfAll([setCommand(130, 'a', '1'), end, begin, setCommand(160, 'a', '2')], { lane }));
    // the master lost its backlog without any write: full resync, same replid, same offset 160
    const resync: ReplicationEvent[] = [
      { type: 'snapshot-begin', replid: REPLID, offset: 160, db: -1, rdbOffset: 0, reason: 'resync', magic: 'REDIS', rdbVersion: 12 },
      { type: 'key-value', replid: REPLID, offset: 160, db: 0, rdbOffset: 30, key: b('a'), rdbType: 0, valueType: 'string', value: b('2') },
      { type: 'snapshot-end', replid: REPLID, offset: 160, db: -1, rdbOffset: 40, checksum: 'verified', keys: 1, bytes: 50 },
      { type: 'stream-begin', replid: REPLID, offset: 160, db: 0, mode: 'full' },
      setCommand(190, 'a', '3'),
    ];
    await src.push(messagesOfAll(resync, { lane }));
    assert.deepEqual(got, [
      'command@130', 'stream-end@130', 'stream-begin@130', 'command@160',
      'snapshot-begin@160/0', 'key-value@160/30', 'snapshot-end@160/40', 'stream-begin@160', 'command@190',
    ]);
    // a redelivered command is still a duplicate after all that
    await src.push(messagesOf(setCommand(190, 'a', '3'), { lane }));
    assert.equal(got.length, 9);
    assert.equal(c.stats().duplicatesDropped, 1);
    await c.stop();
  });

  it('does not take a barrier for a copy of a multi-key command with the same ce_id (fake source)', async () => {
    const { c, src } = await started();
    const got: string[] = [];
    c.on('event', (e) => void got.push(e.type));
    const m = mset(130, 'a', 'b');
    const end: ReplicationEvent = { type: 'stream-end', replid: REPLID, offset: 130, db: 0, reason: 'closed' };
    await src.push([...messagesOf(m, { lane: 't/0', copies: 2 }), ...messagesOf(end, { lane: 't/0', copies: 2 })]);
    await src.push([...messagesOf(m, { lane: 't/1', copies: 2 }), ...messagesOf(end, { lane: 't/1', copies: 2 })]);
    await src.settled();
    assert.deepEqual(got, ['command', 'stream-end']);
    assert.equal(c.stats().copiesDropped, 2);
    await c.stop();
  });

  it('delivers again what is redelivered when dedupe is off (fake source)', async () => {
    const { c, src } = await started({ dedupe: 'off' });
    const got: number[] = [];
    c.on('command', (e) => void got.push(e.offset));
    await src.push(messagesOfAll([setCommand(10, 'k', 'a')]));
    await src.push(messagesOfAll([setCommand(10, 'k', 'a')]));
    assert.deepEqual(got, [10, 10]);
    await c.stop();
  });

  it('delivers a multi-key command published to several lanes once, or each copy with copies every (fake source)', async () => {
    for (const mode of ['once', 'every'] as const) {
      const { c, src } = await started({ copies: mode, concurrency: 4 });
      const got: Array<[number, string, number]> = [];
      c.on('command', (e, ctx) => void got.push([e.offset, ctx.lane, ctx.copies]));
      const m = mset(30, 'a', 'b', 'c');
      // a, b share partition 0; c is on partition 1: two copies
      await Promise.all([
        src.push([...messagesOf(setCommand(10, 'a', '1'), { lane: 't/0' }), ...messagesOf(m, { lane: 't/0', copies: 2, key: b('0:a') })]),
        src.push([...messagesOf(setCommand(20, 'c', '1'), { lane: 't/1' }), ...messagesOf(m, { lane: 't/1', copies: 2, key: b('0:c') })]),
      ]);
      await src.settled();
      const msets = got.filter(([o]) => o === 30);
      if (mode === 'once') {
        assert.equal(msets.length, 1);
        assert.equal(msets[0]![2], 2);
        assert.equal(c.stats().copiesDropped, 1);
      } else {
        assert.deepEqual(msets.map(([, lane]) => lane).sort(), ['t/0', 't/1']);
      }
      // a replay of the lane holding the first copy is a duplicate, not a copy
      await src.push(messagesOf(m, { lane: 't/0', copies: 2 }));
      assert.equal(got.filter(([o]) => o === 30).length, mode === 'once' ? 1 : 2);
      await c.stop();
    }
  });

  it('fences events of an older epoch in a lane once a newer epoch was seen there (fake source)', async () => {
    const { c, src } = await started();
    const got: string[] = [];
    c.on('command', (e, ctx) => void got.push(`${ctx.lane}:${e.offset}@${e.epoch}`));
    await src.push(messagesOfAll([setCommand(10, 'a', '1', { epoch: 1 }), setCommand(20, 'a', '2', { epoch: 2 })], { lane: 't/0' }));
    // the deposed leader (epoch 1) still publishes
    await src.push(messagesOfAll([setCommand(30, 'a', 'zombie', { epoch: 1 }), setCommand(30, 'a', '3', { epoch: 2 })], { lane: 't/0' }));
    // another lane that has not seen epoch 2 yet still gets its epoch-1 events
    await src.push(messagesOfAll([setCommand(15, 'b', '1', { epoch: 1 })], { lane: 't/1' }));
    assert.deepEqual(got, ['t/0:10@1', 't/0:20@2', 't/0:30@2', 't/1:15@1']);
    assert.equal(c.stats().fencedDropped, 1);
    await c.stop();
  });

  it('retries a failing listener with backoff, never skips it, and does not call earlier listeners again (fake source)', async () => {
    const { c, src } = await started();
    const calls: string[] = [];
    const errors: Array<[number | undefined, boolean]> = [];
    let failures = 2;
    c.on('command', (e) => void calls.push(`first ${e.offset}`));
    c.on('command', async (e) => {
      if (e.offset === 20 && failures-- > 0) throw new Error('listener down');
      calls.push(`second ${e.offset}`);
    });
    c.on('error', (_err, ctx) => {
      assert.equal(ctx.stage, 'listener');
      assert.equal(ctx.event?.offset, 20);
      errors.push([ctx.attempt, ctx.willRetry]);
    });
    const receipt = await src.push(messagesOfAll([setCommand(10, 'k', 'a'), setCommand(20, 'k', 'b'), setCommand(30, 'k', 'c')]));
    assert.deepEqual(receipt, { held: [], safePrefix: 3 });
    assert.deepEqual(calls, ['first 10', 'second 10', 'first 20', 'second 20', 'first 30', 'second 30']);
    assert.deepEqual(errors, [[1, true], [2, true]]);
    const s = c.stats();
    assert.equal(s.listenerErrors, 2);
    assert.equal(s.delivered, 3);
    await c.stop();
  });

  it('resolves a delivery only after every listener promise resolved (fake source)', async () => {
    const { c, src } = await started({ concurrency: 4 });
    const gates = new Map<number, ReturnType<typeof deferred<void>>>();
    c.on('command', (e) => {
      const g = deferred();
      gates.set(e.offset, g);
      return g.promise;
    });
    let settled = false;
    const p = src.push(messagesOfAll([setCommand(10, 'a', '1'), setCommand(20, 'b', '1')])).then(() => {
      settled = true;
    });
    await sleep(5);
    assert.equal(gates.size, 2);
    gates.get(20)!.resolve();
    await sleep(5);
    assert.equal(settled, false, 'not acknowledged while a listener is running');
    assert.equal(c.stats().inFlight, 1);
    gates.get(10)!.resolve();
    await p;
    assert.equal(settled, true);
    await c.stop();
  });

  it('stops on a listener error with onListenerError stop: the delivery is not acknowledged, done rejects (fake source)', async () => {
    const { c, src } = await started({ onListenerError: 'stop' });
    const got: number[] = [];
    c.on('command', (e) => {
      if (e.offset === 20) throw new Error('fatal for this app');
      got.push(e.offset);
    });
    const errors: boolean[] = [];
    c.on('error', (_err, ctx) => void errors.push(ctx.willRetry));
    await assert.rejects(src.push(messagesOfAll([setCommand(10, 'k', 'a'), setCommand(20, 'k', 'b'), setCommand(30, 'k', 'c')])), /fatal for this app/);
    await assert.rejects(c.done, /fatal for this app/);
    assert.deepEqual(got, [10], 'nothing after the failed event ran');
    assert.deepEqual(errors, [false]);
    assert.equal(src.stopped, 1);
    await assert.rejects(src.push(messagesOf(setCommand(40, 'k', 'd'))), (e: unknown) => e instanceof ReplicatorError && e.code === 'SDK_STOPPED');
  });

  it('stop() while a listener waits for its retry leaves the delivery unacknowledged (fake source)', async () => {
    const { c, src } = await started({ retry: { initialMs: 10_000, maxMs: 10_000 } });
    c.on('command', () => {
      throw new Error('still failing');
    });
    c.on('error', () => undefined);
    const p = src.push(messagesOf(setCommand(10, 'k', 'a')));
    await sleep(5);
    const t0 = Date.now();
    await c.stop();
    assert.ok(Date.now() - t0 < 1000, 'stop did not wait for the backoff');
    await assert.rejects(p, (e: unknown) => e instanceof ReplicatorError && e.code === 'SDK_STOPPED');
    await c.done;
  });

  it('validates its options and listener names (fake source)', async () => {
    const src = new FakeSource();
    assert.throws(() => new RedisEventConsumer({ topic: 't', group: 'g' }), /exactly one of kafka, rocketmq, source/);
    assert.throws(() => new RedisEventConsumer({ source: src, kafka: { brokers: ['x:1'] }, topic: 't', group: 'g' }), /exactly one/);
    assert.throws(() => new RedisEventConsumer({ source: src, topic: [], group: 'g' }), /topic is required/);
    assert.throws(() => new RedisEventConsumer({ source: src, topic: 't', group: 'g', concurrency: 0 }), /concurrency/);
    const c = new RedisEventConsumer({ source: src, topic: 't', group: 'g' });
    assert.throws(() => c.on('comand' as 'command', () => undefined), /unknown listener name "comand"/);
    await c.start();
    await assert.rejects(c.start(), /SDK_ALREADY_STARTED|called on a consumer that is running/);
    await c.stop();
  });

  it('rejects start() and done when the source cannot start, and releases the source (fake source)', async () => {
    const src = new FakeSource();
    src.start = async () => {
      throw new Error('broker unreachable');
    };
    const c = new RedisEventConsumer({ source: src, topic: 't', group: 'g' });
    await assert.rejects(c.start(), /broker unreachable/);
    await assert.rejects(c.done, /broker unreachable/);
    assert.equal(src.stopped, 1);
  });

  it('reports lag from the source in stats (fake source)', async () => {
    const { c, src } = await started();
    src.lagByLane = { 't/0': 12 };
    assert.deepEqual(c.stats().lag, { 't/0': 12 });
    await c.stop();
  });
});

describe('RedisEventConsumer: events published as several copies', () => {
  const rename = (offset: number, from: string, to: string): ReplicationEvent => ({
    type: 'command', replid: REPLID, offset, db: 0, command: 'RENAME', args: [b('RENAME'), b(from), b(to)], keys: [b(from), b(to)], known: true,
  });
  const label = (e: ReplicationEvent): string => (e.type === 'command' ? `${e.command}@${e.offset}` : `${e.type}@${e.offset}`);

  it('delivers RENAME a a2 after the SET a still waiting in the slower lane, once, with compact headers (fake source)', async () => {
    for (const style of ['compact', 'cloudevents'] as const) {
      const { c, src } = await started({ concurrency: 4 });
      src.setAssignment(['t/0', 't/1']);
      const got: string[] = [];
      c.on('command', (e) => void got.push(label(e)));
      // a lives in partition 0, a2 in partition 1: RENAME is copied to both (l=0,1)
      const copy = { copies: 2, lanes: '0,1', style };
      const first = await src.push([...messagesOf(rename(20, 'a', 'a2'), { ...copy, lane: 't/1' }), ...messagesOf(setCommand(30, 'a2', 'x'), { lane: 't/1', style })]);
      // the fast lane stops at its copy: the copy is held, nothing after it taken, the lane must wait
      assert.ok(first && first.resume, 'the lane was told to wait');
      assert.deepEqual([first.held, first.safePrefix, first.taken], [[0], 0, 1]);
      assert.deepEqual(got, [], 'RENAME not delivered before the earlier SET a of partition 0');
      assert.equal(c.stats().waitingForCopies, 1);
      await src.push([...messagesOf(setCommand(10, 'a', '1'), { lane: 't/0', style }), ...messagesOf(rename(20, 'a', 'a2'), { ...copy, lane: 't/0' })]);
      await src.settled();
      assert.deepEqual(got, ['SET@10', 'RENAME@20', 'SET@30'], style);
      // the waiting lane's resume reported its copy processed; the rest was delivered afterwards
      assert.deepEqual(src.resumes, [{ lane: 't/1', result: 1 }]);
      assert.deepEqual([c.stats().copiesDropped, c.stats().waitingForCopies, c.stats().delivered], [1, 0, 3]);
      await c.stop();
    }
  });

  it('runs a barrier copied to 3 lanes after everything before it in each lane and before everything after it (fake source)', async () => {
    const { c, src } = await started({ concurrency: 8 });
    src.setAssignment(['t/0', 't/1', 't/2']);
    const log: string[] = [];
    c.on('command', async (e) => {
      log.push(`start ${label(e)}`);
      await sleep(e.command === 'FLUSHDB' ? 1 : 1 + (e.offset % 4));
      log.push(`end ${label(e)}`);
    });
    const barrier = flushdb(100);
    const lanes = ['t/0', 't/1', 't/2'];
    await Promise.all(
      lanes.map(async (lane, i) => {
        const before = [setCommand(10 + i, `k${i}`, 'x'), setCommand(20 + i, `j${i}`, 'x')];
        const after = [setCommand(200 + i, `k${i}`, 'y'), setCommand(210 + i, `m${i}`, 'y')];
        await sleep(i * 3); // the lanes reach the barrier at different times
        await src.push([
          ...messagesOfAll(before, { lane, style: 'compact' }),
          ...messagesOf(barrier, { lane, copies: 3, lanes: '*', style: 'compact' }),
          ...messagesOfAll(after, { lane, style: 'compact' }),
        ]);
      }),
    );
    await src.settled();
    const at = (x: string): number => log.indexOf(x);
    assert.equal(log.filter((x) => x === 'start FLUSHDB@100').length, 1, 'the barrier ran once');
    for (const i of [0, 1, 2]) {
      for (const o of [10 + i, 20 + i]) assert.ok(at(`end SET@${o}`) < at('start FLUSHDB@100'), `SET@${o} before the barrier: ${log.join(', ')}`);
      for (const o of [200 + i, 210 + i]) assert.ok(at(`start SET@${o}`) > at('end FLUSHDB@100'), `SET@${o} after the barrier: ${log.join(', ')}`);
    }
    assert.equal(c.stats().copiesDropped, 2);
    await c.stop();
  });

  it('waits only for the lanes this consumer owns among those the copies went to (fake source)', async () => {
    const { c, src } = await started();
    src.setAssignment(['t/0', 't/2']); // partitions 1 and 3 belong to another member
    const got: string[] = [];
    c.on('command', (e, ctx) => void got.push(`${label(e)} ${ctx.lane}`));
    const m = mset(40, 'a', 'b', 'c');
    const r = await src.push(messagesOf(m, { lane: 't/0', copies: 3, lanes: '0,1,3', style: 'compact' }));
    assert.equal(r?.resume, undefined, 'no other owned lane to wait for');
    assert.deepEqual(got, ['MSET@40 t/0']);
    // a barrier to every partition waits for t/0 and t/2 only
    const first = await src.push(messagesOf(flushdb(50), { lane: 't/2', copies: 4, lanes: '*', style: 'compact' }));
    assert.ok(first?.resume);
    await src.push(messagesOf(flushdb(50), { lane: 't/0', copies: 4, lanes: '*', style: 'compact' }));
    await src.settled();
    assert.deepEqual(got, ['MSET@40 t/0', 'FLUSHDB@50 t/0']);
    await c.stop();
  });

  it('without lanes or assignment (RocketMQ) waits for as many lanes as copies (fake source)', async () => {
    const { c, src } = await started();
    const got: string[] = [];
    c.on('command', (e) => void got.push(label(e)));
    const m = mset(40, 'a', 'b', 'c');
    const r1 = await src.push(messagesOf(m, { lane: 't/ga', copies: 3 }));
    const r2 = await src.push(messagesOf(m, { lane: 't/gb', copies: 3 }));
    assert.ok(r1?.resume && r2?.resume);
    assert.deepEqual(got, []);
    await src.push(messagesOf(m, { lane: 't/gc', copies: 3 }));
    await src.settled();
    assert.deepEqual(got, ['MSET@40']);
    assert.deepEqual(src.resumes.map((x) => x.result), [1, 1]);
    await c.stop();
  });

  it('re-evaluates waiting events on a rebalance: runs them when the missing lane is revoked, forgets them when the arrived ones are (fake source)', async () => {
    const { c, src } = await started();
    src.setAssignment(['t/0', 't/1', 't/2']);
    const got: string[] = [];
    c.on('command', (e) => void got.push(label(e)));
    await src.push(messagesOf(flushdb(60), { lane: 't/0', copies: 3, lanes: '*', style: 'compact' }));
    await src.push(messagesOf(flushdb(60), { lane: 't/1', copies: 3, lanes: '*', style: 'compact' }));
    assert.deepEqual(got, []);
    src.setAssignment(['t/0', 't/1']); // t/2, which had not reached its copy, went to another member
    await src.settled();
    assert.deepEqual(got, ['FLUSHDB@60']);
    assert.deepEqual(src.resumes.map((x) => x.result), [1, 1]);

    // now the lanes that arrived are revoked: the wait is cancelled and the event not delivered here
    src.setAssignment(['t/0', 't/1', 't/2']);
    await src.push(messagesOf(flushdb(70), { lane: 't/0', copies: 3, lanes: '*', style: 'compact' }));
    src.setAssignment(['t/1', 't/2']);
    await src.settled();
    assert.deepEqual(got, ['FLUSHDB@60']);
    assert.deepEqual(src.resumes.at(-1), { lane: 't/0', result: 'rejected' });
    assert.equal(c.stats().waitingForCopies, 0);
    await c.stop();
  });

  it('delivers anyway after alignTimeoutMs with a warning, and drops the late copy (fake source)', async () => {
    const warnings: string[] = [];
    const logger = capturingLogger((msg) => void warnings.push(msg));
    const { c, src } = await started({ alignTimeoutMs: 40, logger });
    src.setAssignment(['t/0', 't/1']);
    const got: string[] = [];
    c.on('command', (e) => void got.push(label(e)));
    const m = mset(80, 'a', 'b');
    await src.push([...messagesOf(m, { lane: 't/0', copies: 2, lanes: '0,1', style: 'compact' }), ...messagesOf(setCommand(90, 'a', 'z'), { lane: 't/0', style: 'compact' })]);
    assert.deepEqual(got, []);
    await sleep(80);
    await src.settled();
    assert.deepEqual(got, ['MSET@80', 'SET@90']);
    assert.equal(c.stats().alignTimeouts, 1);
    assert.ok(warnings.some((w) => /before all its copies arrived/.test(w)), warnings.join('|'));
    await src.push(messagesOf(m, { lane: 't/1', copies: 2, lanes: '0,1', style: 'compact' }));
    assert.deepEqual(got, ['MSET@80', 'SET@90'], 'the late copy is dropped');
    await c.stop();
  });

  it('a source that ignores resume: the next delivery of the stopped lane waits for the copy (fake source)', async () => {
    const { c, src } = await started();
    src.honourResume = false;
    src.setAssignment(['t/0', 't/1']);
    const got: string[] = [];
    c.on('command', (e) => void got.push(label(e)));
    await src.push([...messagesOf(rename(20, 'a', 'a2'), { lane: 't/1', copies: 2, lanes: '0,1', style: 'compact' }), ...messagesOf(setCommand(30, 'a2', 'x'), { lane: 't/1', style: 'compact' })]);
    await sleep(10);
    assert.deepEqual(got, [], 'SET a2 waits behind the copy');
    await src.push([...messagesOf(setCommand(10, 'a', '1'), { lane: 't/0', style: 'compact' }), ...messagesOf(rename(20, 'a', 'a2'), { lane: 't/0', copies: 2, lanes: '0,1', style: 'compact' })]);
    await src.settled();
    assert.deepEqual(got, ['SET@10', 'RENAME@20', 'SET@30']);
    await c.stop();
  });

  it('unpacks packs: events in order, dedupe and fencing per event, barriers inside a pack (fake source)', async () => {
    const { c, src } = await started({ concurrency: 4 });
    const got: string[] = [];
    c.on('event', (e, ctx) => void got.push(`${label(e)}${ctx.key === null ? '' : ' keyed'}`));
    for (const codec of [undefined, binaryCodec]) {
      got.length = 0;
      const lane = codec ? 't/1' : 't/0';
      const o = codec ? { lane, codec } : { lane };
      await src.push([packOf([setCommand(10, 'a', '1'), setCommand(20, 'b', '1', { epoch: 2 }), flushdb(30), setCommand(40, 'a', '2')], o)]);
      assert.deepEqual(got, ['SET@10', 'SET@20', 'FLUSHDB@30', 'SET@40']);
      // a replayed pack overlapping the last one: only the newer events; an older epoch is fenced
      await src.push([packOf([setCommand(40, 'a', '2'), setCommand(50, 'c', '1', { epoch: 1 }), setCommand(60, 'c', '2', { epoch: 2 })], o)]);
      assert.deepEqual(got.slice(4), ['SET@60']);
    }
    assert.deepEqual([c.stats().duplicatesDropped, c.stats().fencedDropped], [2, 2]);
    // a pack whose value disagrees with its header is a bad message
    const bad = packOf([setCommand(70, 'a', '1'), setCommand(80, 'a', '1')]);
    bad.headers = { rmqr: 'n=3;c=json' };
    await assert.rejects(src.push([bad]), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_PACK');
  });
});

/** A logger that hands its warnings to `onWarn` and drops the rest. */
function capturingLogger(onWarn: (msg: string) => void): Logger {
  const l: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (msg) => onWarn(msg),
    error: () => undefined,
    child: () => l,
  };
  return l;
}
