import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMessageMeta, type MessageMeta } from '../../../../src/consumer/message-meta.js';
import { binaryCodec } from '../../../../src/events/binary-codec.js';
import { COMPACT_HEADER, decodePack, jsonCodec, type EventCodec, type HeaderStyle } from '../../../../src/events/envelope.js';
import { toJson } from '../../../../src/events/json.js';
import type { CommandEvent, ReplicationEvent } from '../../../../src/events/types.js';
import { routingKey } from '../../../../src/events/routing.js';
import { partitionForKey } from '../../../../src/sinks/kafka/partitioner.js';
import { RECORD_BATCH_OVERHEAD, planRecords, type KafkaRecord, type PlanContext } from '../../../../src/sinks/kafka/record-plan.js';
import { TopicResolver } from '../../../../src/sinks/kafka/topics.js';

const REPLID = 'a'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s);

function cmd(offset: number, args: string[], keys: string[], db = 0): CommandEvent {
  return { type: 'command', replid: REPLID, offset, db, command: args[0]!.toUpperCase(), args: args.map(b), keys: keys.map(b), known: true };
}

let style: HeaderStyle = 'compact';

/** One event per record (packMaxEvents 1) in the header style under test, unless `extra` says otherwise. */
function ctx(partitions: Record<string, number>, topic = 'events', maxMessageBytes = 1_000_000, extra: Partial<PlanContext> = {}): PlanContext {
  return {
    codec: jsonCodec,
    sourceId: '127.0.0.1:6379',
    resolver: new TopicResolver(topic),
    maxMessageBytes,
    partitionsOf: (t) => partitions[t],
    knownTopics: new Set(Object.keys(partitions)),
    headers: style,
    packMaxEvents: 1,
    ...extra,
  };
}

/** A test run once per header style. */
function styled(name: string, fn: () => void): void {
  for (const st of ['compact', 'cloudevents'] as const) {
    test(`${name} [${st} headers]`, () => {
      style = st;
      fn();
    });
  }
}

/** A record's value as the broker stores it (JSON packs are handed to kafkajs as text). */
function bytes(r: KafkaRecord): Buffer {
  return typeof r.value === 'string' ? Buffer.from(r.value, 'utf8') : r.value;
}

/** What the SDK reads from a record's headers, whichever the style. */
function meta(r: KafkaRecord): MessageMeta {
  return readMessageMeta(r.headers);
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

styled('a single-key command: one record in its key partition, keyed "<db>:<key>"', () => {
  const [r, ...rest] = records([cmd(10, ['SET', 'user:1', 'v'], ['user:1'], 2)], ctx({ events: 8 }));
  assert.equal(rest.length, 0);
  assert.equal(r!.topic, 'events');
  assert.deepEqual(r!.key, b('2:user:1'));
  assert.equal(r!.partition, partitionForKey(b('2:user:1'), 8));
  assert.equal(meta(r!).identity?.offset, 10);
  assert.equal(meta(r!).copies, 1);
  assert.deepEqual(Object.keys(r!.headers).length === 1, style === 'compact', 'compact style: one header');
  assert.deepEqual(jsonCodec.decode(bytes(r!)), cmd(10, ['SET', 'user:1', 'v'], ['user:1'], 2));
});

styled('MSET over keys of 3 partitions: one copy per partition, same identity, 3 copies, their lanes', () => {
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
    assert.equal(meta(r).copies, 3);
    assert.equal(meta(r).id, meta(rs[0]!).id);
    assert.equal(meta(r).lanes, rs.map((x) => x.partition).join(','));
    assert.deepEqual(toJson(jsonCodec.decode(bytes(r))), toJson(e));
  }
});

styled('DEL of keys in one partition: a single record, keyed by the first key', () => {
  const keys = keysInPartitions(8, 3, false);
  const rs = records([cmd(30, ['DEL', ...keys], keys)], ctx({ events: 8 }));
  assert.equal(rs.length, 1);
  assert.deepEqual(rs[0]!.key, routingKey(0, b(keys[0]!)));
  assert.equal(meta(rs[0]!).copies, 1);
});

styled('FLUSHALL and snapshot begin are barriers: every partition of every known topic, no key', () => {
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
    assert.equal(meta(r).copies, 7);
    assert.equal(meta(r).lanes, 'events/*,users/*');
    assert.equal(meta(r).eventType, 'command');
  }
});

styled('a transaction routes by the keys of all its commands, each in its own database', () => {
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

styled('per partition, records keep stream order across keyed events, copies and barriers', () => {
  const events: ReplicationEvent[] = [];
  for (let i = 1; i <= 300; i++) {
    if (i % 50 === 0) events.push(cmd(i, ['FLUSHDB'], []));
    else if (i % 7 === 0) events.push(cmd(i, ['MSET', `k${i}`, 'x', `k${i + 1}`, 'y'], [`k${i}`, `k${i + 1}`]));
    else events.push(cmd(i, ['SET', `k${i % 13}`, 'v'], [`k${i % 13}`]));
  }
  const rs = records(events, ctx({ events: 5 }));
  const last = new Map<number, number>();
  for (const r of rs) {
    const off = meta(r).identity!.offset;
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

styled('an event larger than the message limit is split into ordered parts in each of its partitions', () => {
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
      assert.deepEqual(meta(r).part, { i, n });
      assert.equal(meta(r).copies, 2);
      assert.ok(r.size + RECORD_BATCH_OVERHEAD <= limit, `record of ${r.size} bytes fits a ${limit}-byte batch`);
      assert.ok(bytes(r).length + r.key!.length < r.size);
    });
    const whole = jsonCodec.decode(Buffer.concat(parts.map(bytes)));
    assert.deepEqual(toJson(whole), toJson(e));
  }
});

styled('topics without metadata are reported, all at once, before anything is encoded', () => {
  const c: PlanContext = { ...ctx({ events: 2 }), resolver: new TopicResolver('redis-{db}') };
  c.knownTopics.clear();
  const plan = planRecords([cmd(1, ['SET', 'a', '1'], ['a'], 1), cmd(2, ['SET', 'a', '1'], ['a'], 2)], c);
  assert.ok('missingTopics' in plan);
  assert.deepEqual(plan.missingTopics.sort(), ['redis-1', 'redis-2']);
});

styled('a key too long for the message limit is an error that names the fix', () => {
  const key = 'k'.repeat(20_000);
  assert.throws(() => planRecords([cmd(1, ['SET', key, 'v'], [key])], ctx({ events: 1 }, 'events', 16_384)), /kafka\.max\.message\.bytes/);
});

// ---------------------------------------------------------------------------------------------
// Packing

function packedCtx(partitions: Record<string, number>, extra: Partial<PlanContext> = {}): PlanContext {
  style = 'compact';
  return ctx(partitions, 'events', 1_000_000, { packMaxEvents: 256, ...extra });
}

/** The events of a record (a pack's, or the single one), decoded. */
function eventsOf(r: KafkaRecord, codec: EventCodec = jsonCodec): ReplicationEvent[] {
  const m = meta(r);
  return m.packed !== undefined ? decodePack(codec, bytes(r), m.packed) : [codec.decode(bytes(r))];
}

for (const codec of [jsonCodec, binaryCodec]) {
  test(`consecutive events of a partition share one record, in stream order; other partitions get their own (${codec.name} codec)`, () => {
    const [k0, k1] = keysInPartitions(4, 2, true);
    const events: ReplicationEvent[] = [];
    for (let i = 1; i <= 40; i++) events.push(cmd(i, ['SET', i % 2 ? k0! : k1!, String(i)], [i % 2 ? k0! : k1!]));
    const rs = records(events, packedCtx({ events: 4 }, { codec }));
    assert.equal(rs.length, 2);
    for (const r of rs) {
      const m = meta(r);
      assert.equal(m.packed, 20);
      assert.equal(r.key, null, 'a pack has no key (explicit partition)');
      assert.equal(r.events, 20);
      assert.deepEqual(Object.keys(r.headers), [COMPACT_HEADER]);
      const got = eventsOf(r, codec);
      assert.deepEqual(got.map((e) => e.offset), events.filter((e) => partitionForKey(routingKey(0, (e as CommandEvent).keys[0]!), 4) === r.partition).map((e) => e.offset));
      assert.deepEqual(got.map((e) => toJson(e)), got.map((e) => toJson(events[e.offset - 1]!)));
    }
  });
}

test('packs close at packMaxEvents and packMaxBytes; a pack of one is a keyed single event', () => {
  const [k0] = keysInPartitions(4, 1, true);
  const events = Array.from({ length: 10 }, (_, i) => cmd(i + 1, ['SET', k0!, 'v'.repeat(100)], [k0!]));
  const byCount = records(events, packedCtx({ events: 4 }, { packMaxEvents: 4 }));
  assert.deepEqual(byCount.map((r) => meta(r).packed ?? 1), [4, 4, 2]);
  const one = events[0]!;
  const size = jsonCodec.encode(one).length;
  // room for 3 events and the brackets/commas, not 4
  const byBytes = records(events, packedCtx({ events: 4 }, { packMaxBytes: size * 3 + 4 }));
  assert.deepEqual(byBytes.map((r) => meta(r).packed ?? 1), [3, 3, 3, 1]);
  const last = byBytes.at(-1)!;
  assert.deepEqual(last.key, routingKey(0, b(k0!)));
  assert.equal(meta(last).identity?.offset, 10);
  assert.equal(meta(last).packed, undefined);
  for (const r of byBytes) assert.ok(bytes(r).length <= size * 3 + 4 && r.size >= bytes(r).length);
});

test('multi-copy events, barriers and split events travel alone and close the packs of their partitions first', () => {
  const keys = keysInPartitions(3, 3, true);
  const big = 'x'.repeat(40_000);
  const events: ReplicationEvent[] = [
    cmd(1, ['SET', keys[0]!, '1'], [keys[0]!]),
    cmd(2, ['SET', keys[0]!, '2'], [keys[0]!]),
    cmd(3, ['SET', keys[1]!, '3'], [keys[1]!]),
    cmd(4, ['MSET', keys[0]!, 'a', keys[1]!, 'b'], [keys[0]!, keys[1]!]), // copies in partitions of k0 and k1
    cmd(5, ['SET', keys[0]!, '5'], [keys[0]!]),
    cmd(6, ['SET', keys[2]!, '6'], [keys[2]!]),
    cmd(7, ['FLUSHDB'], []), // barrier: all 3 partitions
    cmd(8, ['SET', keys[2]!, big], [keys[2]!]), // split in parts of < 40 000 bytes
    cmd(9, ['SET', keys[2]!, '9'], [keys[2]!]),
    cmd(10, ['SET', keys[2]!, '10'], [keys[2]!]),
  ];
  const rs = records(events, packedCtx({ events: 3 }, { maxMessageBytes: 32_768 }));
  const lanes = new Map<number, string[]>();
  for (const r of rs) {
    const m = meta(r);
    const what = m.packed !== undefined ? `pack(${eventsOf(r).map((e) => e.offset).join(',')})` : m.part ? `part${m.part.i}(${m.identity!.offset})` : `${m.identity!.offset}${m.copies > 1 ? `x${m.copies}` : ''}`;
    lanes.set(r.partition, [...(lanes.get(r.partition) ?? []), what]);
  }
  const p = (k: string): number => partitionForKey(routingKey(0, b(k)), 3);
  assert.deepEqual(lanes.get(p(keys[0]!)), ['pack(1,2)', '4x2', '5', '7x3']);
  assert.deepEqual(lanes.get(p(keys[1]!)), ['3', '4x2', '7x3']);
  assert.deepEqual(lanes.get(p(keys[2]!)), ['6', '7x3', 'part0(8)', 'part1(8)', 'pack(9,10)']);
});

test('cloudevents headers never pack: each record is one CloudEvent', () => {
  style = 'cloudevents';
  const [k0] = keysInPartitions(2, 1, true);
  const rs = records([cmd(1, ['SET', k0!, '1'], [k0!]), cmd(2, ['SET', k0!, '2'], [k0!])], ctx({ events: 2 }, 'events', 1_000_000, { packMaxEvents: 256 }));
  assert.equal(rs.length, 2);
  assert.ok(rs.every((r) => r.headers['ce_id'] !== undefined && r.headers[COMPACT_HEADER] === undefined));
});

test('a pack stays within the record limit even when packMaxBytes allows more', () => {
  const [k0] = keysInPartitions(2, 1, true);
  const limit = 20_000;
  const events = Array.from({ length: 200 }, (_, i) => cmd(i + 1, ['SET', k0!, 'v'.repeat(300)], [k0!]));
  const rs = records(events, packedCtx({ events: 2 }, { maxMessageBytes: limit, packMaxBytes: limit }));
  assert.ok(rs.length > 1);
  for (const r of rs) assert.ok(r.size + RECORD_BATCH_OVERHEAD <= limit, `record of ${r.size} bytes in a ${limit}-byte batch`);
  assert.equal(rs.reduce((n, r) => n + r.events, 0), 200);
});
