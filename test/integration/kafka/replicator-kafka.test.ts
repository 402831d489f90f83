// Redis -> Replicator -> KafkaSink -> Kafka (shared broker) -> SDK: a full sync of a prepared dataset
// plus scripted writes (multi-key commands, FLUSHDB, MULTI/EXEC, a collection > 1024 elements, binary
// keys, two databases) arrive; in every partition the events are in stream order and each key lives in
// one partition; the SDK listeners receive exactly the events the Replicator emitted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore } from '../../../src/checkpoint/file.js';
import { compareEvents, eventId } from '../../../src/events/identity.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { partitionForKey } from '../../../src/sinks/kafka/partitioner.js';
import { routeOf } from '../../../src/events/routing.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { redisClient, startMaster } from '../../helpers/redis-master.js';
import { streamOrder } from '../../helpers/stream-order.js';
import { replicateDuring } from '../../helpers/replicate-during.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import {
  assertPartitionOrder,
  consumeWithSdk,
  decodeRecords,
  distinctEvents,
  jsonLines,
  readTopic,
  recordIdentity,
} from './kafka-helpers.js';

const PARTITIONS = 4;
const BIN_KEY = Buffer.from([0xff, 0x00, 0x80, 0x3a, 0xc3]);
const BIN_VALUE = Buffer.from([0x00, 0xfe, 0xff, 0x0a]);

test('redis -> kafka: full sync and scripted writes arrive in per-partition stream order; the SDK gets the same events', { timeout: 180_000 }, async (t) => {
  const { kafka } = testServers();
  const master = await startMaster('redis-kafka-e2e');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-kafka-e2e-'));
  const c0 = redisClient(master);
  const c1 = redisClient(master, 1);
  const topic = uniqueName('rmqr-e2e');
  try {
    await withLogsOnFailure([master, { name: 'kafka', logPath: kafka.logPath }], async () => {
      // dataset for the snapshot: strings, a list of 3000 elements (published as key chunks), hash, set,
      // zset, a binary key, and keys in db 1
      const p = c0.pipeline();
      for (let i = 0; i < 200; i++) p.set(`str:${i}`, `value-${i}`);
      p.rpush('snap:biglist', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
      p.hset('snap:hash', 'f1', 'v1', 'f2', 'v2');
      p.sadd('snap:set', 'a', 'b', 'c');
      p.zadd('snap:zset', 1.5, 'one', -2, 'two');
      p.set(BIN_KEY, BIN_VALUE);
      await p.exec();
      await c1.set('db1:snap', 'x');

      const sink = new KafkaSink({ brokers: [kafka.bootstrap], topic, createTopics: true, topicPartitions: PARTITIONS, sourceId: master.address });
      // closed when the writes are in: the close drains, so everything emitted is acknowledged by Kafka
      const emitted = await replicateDuring(
        { redis: `redis://${master.address}`, checkpoint: new FileCheckpointStore(join(dir, 'checkpoint.json')), sink, checkpointIntervalMs: 100 },
        async (seen) => {
          // scripted writes
          await c0.set('a', '1');
          await c0.mset('m1', '1', 'm2', '2', 'm3', '3', 'm4', '4', 'm5', '5');
          await c0.del('m1', 'm2', 'm3');
          await c0.rename('a', 'a2');
          await c0.sadd('s1', 'x', 'y');
          await c0.smove('s1', 's2', 'x');
          await c0.multi().set('t1', '1').incr('t2').lpush('t3', 'z').exec();
          await c0.rpush('live:biglist', ...Array.from({ length: 1500 }, (_, i) => `x${i}`));
          await c0.set(Buffer.concat([BIN_KEY, Buffer.from('live')]), BIN_VALUE);
          await c0.publish('chan', 'hello');
          await c1.set('db1:k', 'v');
          await c1.flushdb();
          await c1.set('db1:after-flush', 'v');
          await c0.expire('m4', 1000);
          await c0.set('marker', 'end');
          await waitFor('the marker write', () =>
            seen.some((e) => e.type === 'command' && e.command === 'SET' && e.args[1]!.toString() === 'marker'),
          );
        },
      );
      assert.ok(sink.stats().records > 0);

      // What the partitions hold, read raw.
      const records = decodeRecords(await readTopic([kafka.bootstrap], topic));
      await t.test('the partitions: stream order, one partition per key, copies, the emitted events', () => {
        assert.equal(assertPartitionOrder(records, false).length, 0);
        assert.deepEqual(new Set(records.map((r) => r.partition)), new Set([0, 1, 2, 3]));
        // message key = "<db>:<key>", in the partition Kafka's default partitioner computes for it
        for (const r of records) if (r.key) assert.equal(r.partition, partitionForKey(r.key, PARTITIONS));
        // each event once per partition it touches; barriers in every partition
        const copies = new Map<string, number>();
        for (const r of records) copies.set(recordIdentity(r), (copies.get(recordIdentity(r)) ?? 0) + 1);
        for (const e of emitted) {
          const route = routeOf(e);
          const id = `${eventId(e)}|redis.${e.type}`;
          const expected =
            route.kind === 'all' ? PARTITIONS : new Set(route.keys.map((k) => partitionForKey(k, PARTITIONS))).size;
          assert.equal(copies.get(id), expected, `${e.type}@${e.offset} copies`);
        }
        const flush = records.filter((r) => r.event.type === 'command' && r.event.command === 'FLUSHDB');
        assert.equal(flush.length, PARTITIONS);
        const mset = records.filter((r) => r.event.type === 'command' && r.event.command === 'MSET');
        assert.ok(mset.length > 1 && mset.every((r) => r.copies === mset.length));
        // distinct events = exactly what the replicator emitted
        assert.deepEqual(jsonLines(distinctEvents(records)), jsonLines([...emitted].sort(streamOrder)));
        assert.ok(emitted.some((e) => e.type === 'key-chunk'), 'the big list was chunked');
        assert.ok(emitted.some((e) => e.type === 'transaction'));
      });

      // The SDK: every event once, per-key order kept with 4 concurrent listeners. Events whose identity
      // collides with a command's (see kafka-helpers.ts) are dropped by its dedupe: compared apart.
      const collides = (e: ReplicationEvent): boolean =>
        (e.type === 'stream-end' || e.type === 'stream-begin') &&
        emitted.some((o) => o !== e && o.type !== e.type && compareEvents(o, e) === 0);
      const expected = emitted.filter((e) => !collides(e));
      const { events: got, stats } = await consumeWithSdk([kafka.bootstrap], topic, (ev) => ev.filter((e) => !collides(e)).length >= expected.length, {
        concurrency: 4,
      });
      await new Promise((r) => setTimeout(r, 500)); // nothing more may arrive
      await t.test('the SDK: every event once', () => {
        const gotComparable = got.filter((e) => !collides(e));
        assert.equal(gotComparable.length, expected.length, `SDK delivered ${gotComparable.length} of ${expected.length} (stats ${JSON.stringify(stats)})`);
        assert.deepEqual(jsonLines([...gotComparable].sort(streamOrder)), jsonLines([...expected].sort(streamOrder)));
        assert.ok(stats.copiesDropped > 0, 'copies of multi-key events and barriers were delivered once');
      });
      await t.test('the SDK: per-key order across partitions (multi-key events after the earlier events of each key)', () => {
        // per key: the SDK's delivery order is stream order
        const lastOfKey = new Map<string, ReplicationEvent>();
        for (const e of got) {
          const route = routeOf(e);
          if (route.kind !== 'keys') continue;
          for (const k of route.keys) {
            const id = k.toString('latin1');
            const prev = lastOfKey.get(id);
            assert.ok(!prev || compareEvents(prev, e) < 0, `key ${JSON.stringify(id)}: ${e.type}@${e.offset} after ${prev?.type}@${prev?.offset}`);
            lastOfKey.set(id, e);
          }
        }
      });
    });
  } finally {
    c0.disconnect();
    c1.disconnect();
    await master.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
