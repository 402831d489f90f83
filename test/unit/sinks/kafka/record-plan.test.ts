import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H, jsonCodec } from '../../../../src/events/envelope.js';
import { toJson } from '../../../../src/events/json.js';
import type { CommandEvent, ReplicationEvent } from '../../../../src/events/types.js';
import { routingKey } from '../../../../src/sinks/routing.js';
import { partitionForKey } from '../../../../src/sinks/kafka/partitioner.js';
import { RECORD_BATCH_OVERHEAD, planRecords, type KafkaRecord, type PlanContext } from '../../../../src/sinks/kafka/record-plan.js';
import { TopicResolver } from '../../../../src/sinks/kafka/topics.js';

const REPLID = 'a'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s);

function cmd(offset: number, args: string[], keys: string[], db = 0): CommandEvent {
  return { type: 'command', replid: REPLID, offset, db, command: args[0]!.toUpperCase(), args: args.map(b), keys: keys.map(b), known: true };
}

function ctx(partitions: Record<string, number>, topic = 'events', maxMessageBytes = 1_000_000): PlanContext {
  return {
    codec: jsonCodec,
    sourceId: '127.0.0.1:6379',
    resolver: new TopicResolver(topic),
    maxMessageBytes,
    partitionsOf: (t) => partitions[t],
    knownTopics: new Set(Object.keys(partitions)),
  };
}

function records(events: ReplicationEvent[], c: PlanContext): KafkaRecord[] {
  const plan = planRecords(events, c);
  assert.ok('records' in plan, 'no missing topics');
  return plan.records;
}

/** Keys of db 0 that land in distinct partitions (or all in one), found by hashing. */
function keysInPartitions(n: number, count: number, distinct: boolean): string[] {
  const out: string[] = [];
  const used = new Set<number>();
  let first = -1;
  for (let i = 0; out.length < count; i++) {
    const k = `k${i}`;
    const p = partitionForKey(routingKey(0, b(k)), n);
    if (distinct ? !used.has(p) : first === -1 || p === first) {
      used.add(p);
      if (first === -1) first = p;
      out.push(k);
    }
  }
  return out;
}

test('a single-key command: one record in its key partition, keyed "<db>:<key>"', () => {
  const [r, ...rest] = records([cmd(10, ['SET', 'user:1', 'v'], ['user:1'], 2)], ctx({ events: 8 }));
  assert.equal(rest.length, 0);
  assert.equal(r!.topic, 'events');
  assert.deepEqual(r!.key, b('2:user:1'));
  assert.equal(r!.partition, partitionForKey(b('2:user:1'), 8));
  assert.equal(r!.headers[H.offset], '10');
  assert.equal(r!.headers[H.copies], undefined);
  assert.deepEqual(jsonCodec.decode(r!.value), cmd(10, ['SET', 'user:1', 'v'], ['user:1'], 2));
});

test('MSET over keys of 3 partitions: one copy per partition, same ce_id, ce_copies = 3', () => {
  const keys = keysInPartitions(8, 3, true);
  const e = cmd(20, ['MSET', keys[0]!, '1', keys[1]!, '2', keys[2]!, '3'], keys);
  const rs = records([e], ctx({ events: 8 }));
  assert.equal(rs.length, 3);
  assert.deepEqual(
    rs.map((r) => r.partition),
    keys.map((k) => partitionForKey(routingKey(0, b(k)), 8)),
  );
  for (const [i, r] of rs.entries()) {
    assert.deepEqual(r.key, routingKey(0, b(keys[i]!)));
    assert.equal(r.headers[H.copies], '3');
    assert.equal(r.headers[H.id], rs[0]!.headers[H.id]);
    assert.deepEqual(toJson(jsonCodec.decode(r.value)), toJson(e));
  }
});

test('DEL of keys in one partition: a single record, keyed by the first key', () => {
  const keys = keysInPartitions(8, 3, false);
  const rs = records([cmd(30, ['DEL', ...keys], keys)], ctx({ events: 8 }));
  assert.equal(rs.length, 1);
  assert.deepEqual(rs[0]!.key, routingKey(0, b(keys[0]!)));
  assert.equal(rs[0]!.headers[H.copies], undefined);
});

test('FLUSHALL and snapshot begin are barriers: every partition of every known topic, no key', () => {
  const c = ctx({ events: 4, users: 3 });
  const rs = records(
    [
      cmd(40, ['FLUSHALL'], []),
      { type: 'snapshot-begin', replid: REPLID, offset: 0, db: -1, reason: 'initial', magic: 'REDIS', rdbVersion: 10 },
    ],
    c,
  );
  assert.equal(rs.length, 14);
  const flush = rs.slice(0, 7);
  assert.deepEqual(
    flush.map((r) => `${r.topic}/${r.partition}`).sort(),
    ['events/0', 'events/1', 'events/2', 'events/3', 'users/0', 'users/1', 'users/2'],
  );
  for (const r of flush) {
    assert.equal(r.key, null);
    assert.equal(r.headers[H.copies], '7');
    assert.equal(r.headers[H.type], 'redis.command');
  }
});

test('a transaction routes by the keys of all its commands, each in its own database', () => {
  const e: ReplicationEvent = {
    type: 'transaction',
    replid: REPLID,
    offset: 50,
    db: 0,
    commands: [
      { command: 'SET', args: [b('SET'), b('a'), b('1')], keys: [b('a')], known: true, db: 0 },
      { command: 'SET', args: [b('SET'), b('a'), b('2')], keys: [b('a')], known: true, db: 5 },
    ],
  };
  const rs = records([e], ctx({ events: 64 }));
  const expected = new Set([partitionForKey(b('0:a'), 64), partitionForKey(b('5:a'), 64)]);
  assert.deepEqual(new Set(rs.map((r) => r.partition)), expected);
  assert.equal(rs.length, expected.size);
});

test('per partition, records keep stream order across keyed events, copies and barriers', () => {
  const events: ReplicationEvent[] = [];
  for (let i = 1; i <= 300; i++) {
    if (i % 50 === 0) events.push(cmd(i, ['FLUSHDB'], []));
    else if (i % 7 === 0) events.push(cmd(i, ['MSET', `k${i}`, 'x', `k${i + 1}`, 'y'], [`k${i}`, `k${i + 1}`]));
    else events.push(cmd(i, ['SET', `k${i % 13}`, 'v'], [`k${i % 13}`]));
  }
  const rs = records(events, ctx({ events: 5 }));
  const last = new Map<number, number>();
  for (const r of rs) {
    const off = Number(r.headers[H.offset]);
    assert.ok(off > (last.get(r.partition) ?? 0), `partition ${r.partition}: offset ${off} after ${last.get(r.partition)}`);
    last.set(r.partition, off);
  }
  // every key's events are in one partition
  const partOfKey = new Map<string, number>();
  for (const r of rs) {
    if (r.key === null) continue;
    const k = r.key.toString();
    assert.equal(partOfKey.get(k) ?? r.partition, r.partition, k);
    partOfKey.set(k, r.partition);
  }
});

test('an event larger than the message limit is split into ordered parts in each of its partitions', () => {
  const big = Buffer.alloc(250_000, 'x');
  const keys = keysInPartitions(4, 2, true);
  const e: CommandEvent = { ...cmd(60, ['MSET', keys[0]!, 'v', keys[1]!, 'v'], keys), args: [b('MSET'), b(keys[0]!), big, b(keys[1]!), big] };
  const limit = 100_000;
  const rs = records([e], ctx({ events: 4 }, 'events', limit));
  const byPartition = new Map<number, KafkaRecord[]>();
  for (const r of rs) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  assert.equal(byPartition.size, 2);
  for (const parts of byPartition.values()) {
    const n = parts.length;
    assert.ok(n >= 6, `${n} parts`);
    parts.forEach((r, i) => {
      assert.equal(r.headers[H.part], `${i}/${n}`);
      assert.equal(r.headers[H.copies], '2');
      assert.ok(r.size + RECORD_BATCH_OVERHEAD <= limit, `record of ${r.size} bytes fits a ${limit}-byte batch`);
      assert.ok(r.value.length + r.key!.length < r.size);
    });
    const whole = jsonCodec.decode(Buffer.concat(parts.map((r) => r.value)));
    assert.deepEqual(toJson(whole), toJson(e));
  }
});

test('topics without metadata are reported, all at once, before anything is encoded', () => {
  const c: PlanContext = { ...ctx({ events: 2 }), resolver: new TopicResolver('redis-{db}') };
  c.knownTopics.clear();
  const plan = planRecords([cmd(1, ['SET', 'a', '1'], ['a'], 1), cmd(2, ['SET', 'a', '1'], ['a'], 2)], c);
  assert.ok('missingTopics' in plan);
  assert.deepEqual(plan.missingTopics.sort(), ['redis-1', 'redis-2']);
});

test('a key too long for the message limit is an error that names the fix', () => {
  const key = 'k'.repeat(20_000);
  assert.throws(() => planRecords([cmd(1, ['SET', key, 'v'], [key])], ctx({ events: 1 }, 'events', 16_384)), /kafka\.max\.message\.bytes/);
});
