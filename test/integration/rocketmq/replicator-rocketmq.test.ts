// Redis -> Replicator -> RocketMqSink -> RocketMQ (shared bed, FIFO topics of this file) -> SDK:
//  - a full sync of a prepared dataset plus scripted writes (multi-key commands, MULTI/EXEC, PUBLISH,
//    FLUSHDB, a collection > 1024 elements, binary, long and odd keys, two databases) arrive; in every
//    message group the events are in stream order and every key's events are in its one group; the
//    SDK listeners receive exactly the events the Replicator emitted;
//  - a 5 MB value passes by splitting (ce_part) and the SDK reassembles it (sha256), both as snapshot
//    chunks and as one command of the live stream.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCheckpointStore } from '../../../src/checkpoint/file.js';
import { RedisEventConsumer } from '../../../src/consumer/consumer.js';
import { H } from '../../../src/events/envelope.js';
import { eventId } from '../../../src/events/identity.js';
import { toJson } from '../../../src/events/json.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { routeOf } from '../../../src/events/routing.js';
import { BARRIER_GROUP, messageGroupOf } from '../../../src/sinks/rocketmq/naming.js';
import { RocketMqSink } from '../../../src/sinks/rocketmq/rocketmq-sink.js';
import { testServers } from '../../helpers/servers.js';
import { masterOffset, redisClient, startMaster } from '../../helpers/redis-master.js';
import { replicateDuring } from '../../helpers/replicate-during.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import { createRocketmqFifoGroups, createRocketmqTopics } from '../../servers/rocketmq-admin.js';
import { assertGroupOrder, decodeMessages, explained, groupOf, MemoryLog, TopicReader } from './rocketmq-helpers.js';

const { rocketmq } = testServers();
const serverLogs = rocketmq.logPaths.map((logPath, i) => ({ name: i === 0 ? 'rocketmq-namesrv' : 'rocketmq-proxy', logPath }));
const E2E_TOPIC = uniqueName('rmqr-rmq-e2e');
const BIG_TOPIC = uniqueName('rmqr-rmq-big');
const SDK_GROUP = uniqueName('rmqr-rmq-sdk');
const RAW_GROUP = uniqueName('rmqr-rmq-raw');
const BIG_GROUP = uniqueName('rmqr-rmq-bigsdk');
const log = new MemoryLog();

const BIN_KEY = Buffer.from([0xff, 0x00, 0x80, 0x3a, 0xc3]);
const LONG_KEY = `long:${'x'.repeat(120)}`;
const ODD_KEY = 'line\nbreak key';

before(async () => {
  // topics and orderly groups of this file, before any client asks for their routes
  await createRocketmqTopics(rocketmq, [
    { name: E2E_TOPIC, type: 'FIFO', queues: 4 },
    { name: BIG_TOPIC, type: 'FIFO', queues: 2 },
  ]);
  await createRocketmqFifoGroups(rocketmq, [SDK_GROUP, RAW_GROUP, BIG_GROUP]);
});

const explain = <T>(fn: () => Promise<T>): Promise<T> => explained(serverLogs, log, fn);

const jsonLine = (e: ReplicationEvent): string => JSON.stringify(toJson(e));

test('redis -> rocketmq: full sync and scripted writes arrive in per-group stream order; the SDK gets the same events', { timeout: 240_000 }, async (t) => {
  const master = await startMaster('redis-rocketmq-e2e');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-rmq-e2e-'));
  const c0 = redisClient(master);
  const c1 = redisClient(master, 1);
  const sdk = new RedisEventConsumer({
    rocketmq: { endpoints: rocketmq.proxy, awaitDurationMs: 2000, invisibleDurationMs: 20_000 },
    topic: E2E_TOPIC,
    group: SDK_GROUP,
    concurrency: 8,
    logger: log.logger.child({ who: 'sdk' }),
  });
  const raw = new TopicReader(rocketmq.proxy, E2E_TOPIC, RAW_GROUP, log.logger.child({ who: 'raw' }));
  try {
    await explain(async () => {
      // dataset for the snapshot
      const p = c0.pipeline();
      for (let i = 0; i < 200; i++) p.set(`str:${i}`, `value-${i}`);
      p.rpush('snap:biglist', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
      p.hset('snap:hash', 'f1', 'v1', 'f2', 'v2');
      p.sadd('snap:set', 'a', 'b', 'c');
      p.zadd('snap:zset', 1.5, 'one', -2, 'two');
      p.set(BIN_KEY, Buffer.from([0x00, 0xfe]));
      p.set(LONG_KEY, 'long');
      p.set(ODD_KEY, 'odd');
      p.set('ttl:key', 'v', 'PX', 3_600_000);
      await p.exec();
      await c1.set('db1:snap', 'x');

      const sink = new RocketMqSink({ endpoints: rocketmq.proxy, topic: E2E_TOPIC, sourceId: master.address, logger: log.logger.child({ who: 'sink' }) });
      const options = {
        redis: `redis://${master.address}`,
        checkpoint: new FileCheckpointStore(join(dir, 'checkpoint.json')),
        sink,
        checkpointIntervalMs: 100,
        logger: log.logger.child({ who: 'replicator' }),
      };
      const emitted = await replicateDuring(options, async (_seen, replicator) => {
        // scripted writes
        await c0.set('a', '1');
        await c0.mset('m1', '1', 'm2', '2', 'm3', '3');
        await c0.del('m1', 'm2', 'm3');
        await c0.rename('a', 'a2');
        await c0.sadd('s1', 'x', 'y');
        await c0.smove('s1', 's2', 'x');
        await c0.multi().set('tx1', '1').incr('tx2').exec();
        await c0.publish('news', 'hello');
        for (let i = 0; i < 50; i++) await c0.incr('counter');
        await c0.set(BIN_KEY, Buffer.from([0x01]));
        await c0.append(LONG_KEY, '-more');
        await c0.set(ODD_KEY, 'odd2');
        await c0.rpush('snap:biglist', 'tail');
        await c1.set('db1:live', 'y');
        await c1.flushdb();
        await c0.set('after:flush', '1');
        const end = await masterOffset(c0);
        await waitFor('the replicator to publish up to the master offset', () => (replicator.status().durable?.offset ?? 0) >= end, 60_000, () =>
          JSON.stringify(replicator.status()),
        );
      });
      assert.equal(sink.stats().failures, 0);

      // what the SDK listeners get
      const received: ReplicationEvent[] = [];
      const lanes = new Map<string, string>();
      sdk.on('event', (e, ctx) => {
        received.push(e);
        lanes.set(eventId(e) + e.type, ctx.lane);
      });
      const wanted = new Set(emitted.map(jsonLine));
      await Promise.all([sdk.start(), raw.start()]);
      await waitFor(`the SDK to receive ${wanted.size} events`, () => received.length >= emitted.length, 90_000, () => `${received.length} received`);
      // let a stray duplicate show up if there were one
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(received.map(jsonLine).sort(), emitted.map(jsonLine).sort(), 'the SDK delivered each emitted event once, unchanged');
      for (const e of received) {
        const route = routeOf(e);
        if (route.kind === 'keys' && route.keys.length === 1) {
          assert.equal(lanes.get(eventId(e) + e.type), `${E2E_TOPIC}/${messageGroupOf(route.keys[0]!)}`, `lane of ${jsonLine(e).slice(0, 80)}`);
        }
      }
      assert.equal(sdk.stats().badMessages, 0);

      // what is really in the message groups
      const expectedCopies = emitted.reduce((n, e) => {
        const r = routeOf(e);
        return n + (r.kind === 'all' ? 1 : Math.max(1, new Set(r.keys.map((k) => messageGroupOf(k))).size));
      }, 0);
      await waitFor(`${expectedCopies} messages in the topic`, () => raw.messages.length >= expectedCopies, 60_000, () => `${raw.messages.length} read`);
      const repeats = assertGroupOrder(raw.messages, false);
      assert.deepEqual(repeats, []);
      const decoded = decodeMessages(raw.messages);
      assert.equal(decoded.length, expectedCopies);
      for (const d of decoded) {
        const r = routeOf(d.event);
        if (r.kind === 'all') {
          assert.equal(d.group, BARRIER_GROUP, `${d.event.type} is a barrier`);
          continue;
        }
        const groups = new Set(r.keys.map((k) => messageGroupOf(k)));
        assert.ok(groups.has(d.group), `${jsonLine(d.event).slice(0, 100)} is in its key's group, not ${d.group}`);
        assert.equal(d.headers[H.copies], String(groups.size));
      }
      // each key's events in one group, including the binary, long and odd keys
      const groupsOfKey = new Map<string, Set<string>>();
      for (const d of decoded) {
        if (d.event.type !== 'key-value' && d.event.type !== 'key-chunk' && d.event.type !== 'command') continue;
        const r = routeOf(d.event);
        if (r.kind !== 'keys' || r.keys.length !== 1) continue;
        const k = r.keys[0]!.toString('base64');
        groupsOfKey.set(k, (groupsOfKey.get(k) ?? new Set()).add(d.group));
      }
      for (const [k, gs] of groupsOfKey) assert.equal(gs.size, 1, `key ${k} in groups ${[...gs].join(', ')}`);
      const groupNames = new Set(raw.messages.map(groupOf));
      assert.ok(groupNames.has(`0:b64:${BIN_KEY.toString('base64')}`), 'binary key group');
      assert.ok([...groupNames].some((g) => g.startsWith('0:sha1:')), 'long key hashed group');
      assert.ok(groupNames.has(`0:b64:${Buffer.from(ODD_KEY).toString('base64')}`), 'control character key group');
      assert.ok(groupNames.has('pubsub:news'), 'PUBLISH channel group');
      t.diagnostic(`${emitted.length} events emitted, ${raw.messages.length} messages in ${groupNames.size} groups, SDK received ${received.length}`);
    });
  } finally {
    await sdk.stop().catch(() => undefined);
    await raw.stop().catch(() => undefined);
    c0.disconnect();
    c1.disconnect();
    await master.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

test('redis -> rocketmq: a 5 MB value is split into parts and reassembled by the SDK (snapshot chunks and a live SET)', { timeout: 240_000 }, async (t) => {
  const master = await startMaster('redis-rocketmq-big');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-rmq-big-'));
  const c0 = redisClient(master);
  const sdk = new RedisEventConsumer({
    rocketmq: { endpoints: rocketmq.proxy, awaitDurationMs: 2000, invisibleDurationMs: 20_000 },
    topic: BIG_TOPIC,
    group: BIG_GROUP,
    logger: log.logger.child({ who: 'sdk-big' }),
  });
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  try {
    await explain(async () => {
      const snapValue = randomBytes(5 * 1024 * 1024);
      const liveValue = randomBytes(5 * 1024 * 1024);
      await c0.set('big:snap', snapValue);
      const sink = new RocketMqSink({ endpoints: rocketmq.proxy, topic: BIG_TOPIC, sourceId: master.address, logger: log.logger.child({ who: 'sink-big' }) });
      await replicateDuring({ redis: `redis://${master.address}`, checkpoint: new FileCheckpointStore(join(dir, 'cp.json')), sink }, async (_seen, replicator) => {
        await c0.set('big:live', liveValue);
        const end = await masterOffset(c0);
        await waitFor('the replicator to publish the big SET', () => (replicator.status().durable?.offset ?? 0) >= end, 90_000);
      });
      assert.ok(sink.stats().messages >= 2 + 5, `the live SET (base64 JSON, ~7 MB) went as 2 parts, the snapshot as 5 chunk events (${sink.stats().messages} messages)`);

      const chunks: Buffer[] = [];
      let live: Buffer | null = null;
      let liveParts = 0;
      sdk.on('key-chunk', (e) => {
        if (e.valueType === 'string' && e.key.toString() === 'big:snap') chunks[e.index] = e.value;
      });
      sdk.on('command', (e, ctx) => {
        if (e.command === 'SET' && e.args[1]?.toString() === 'big:live') {
          live = e.args[2]!;
          liveParts = ctx.parts;
        }
      });
      await sdk.start();
      await waitFor('the big values', () => live !== null && chunks.filter(Boolean).length === 5, 120_000, () => `${chunks.filter(Boolean).length} chunks, live ${live !== null}`);
      assert.equal(sha(Buffer.concat(chunks)), sha(snapValue), 'snapshot chunks reassemble the value');
      assert.equal(sha(live!), sha(liveValue), 'the live SET reassembled from its parts');
      assert.ok(liveParts >= 2, `the live SET arrived in ${liveParts} parts`);
      t.diagnostic(`live SET in ${liveParts} parts; ${sink.stats().messages} messages published`);
    });
  } finally {
    await sdk.stop().catch(() => undefined);
    c0.disconnect();
    await master.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
