// Topic per database ({db} in kafka.topic) and key prefixes (kafka.topic.prefixes) on the real broker:
// keys land in their topic, events without a database in the "none" topic, and barriers (FLUSHALL,
// stream-end) reach every partition of every topic the sink publishes to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { redisClient, startMaster } from '../../helpers/redis-master.js';
import { replicateDuring } from '../../helpers/replicate-during.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import { decodeRecords, readTopic, recordIdentity } from './kafka-helpers.js';

test('redis -> kafka: a topic per database and per key prefix; barriers reach every topic', { timeout: 180_000 }, async () => {
  const { kafka } = testServers();
  const master = await startMaster('redis-kafka-topics');
  const c0 = redisClient(master);
  const c3 = redisClient(master, 3);
  const base = uniqueName('rmqr-topics');
  const users = `${base}-users`;
  try {
    await withLogsOnFailure([master, { name: 'kafka', logPath: kafka.logPath }], async () => {
      const sink = new KafkaSink({
        brokers: [kafka.bootstrap],
        topic: `${base}-db{db}`,
        topicPrefixes: [{ prefix: Buffer.from('user:'), topic: users }],
        createTopics: true,
        topicPartitions: 2,
        sourceId: master.address,
      });
      await replicateDuring({ redis: `redis://${master.address}`, sink }, async (emitted) => {
        await c0.set('plain:0', 'a');
        await c3.set('plain:3', 'b');
        await c3.set('user:7', 'c');
        await c0.flushall();
        await c0.set('marker', 'end');
        await waitFor('the marker', () => emitted.some((e) => e.type === 'command' && e.args[1]?.toString() === 'marker'));
      });

      const admin = new Kafka({ clientId: 'rmqr-test', brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(base)).sort();
      await admin.disconnect();
      assert.deepEqual(topics, [`${base}-db0`, `${base}-db3`, `${base}-dbnone`, users].sort());

      const byTopic = new Map<string, Awaited<ReturnType<typeof decodeRecords>>>();
      for (const t of topics) byTopic.set(t, decodeRecords(await readTopic([kafka.bootstrap], t)));
      const keysIn = (t: string): string[] =>
        byTopic.get(t)!.flatMap((r) => (r.event.type === 'command' && r.event.keys.length === 1 ? [r.event.keys[0]!.toString()] : []));
      assert.deepEqual(keysIn(`${base}-db0`).sort(), ['marker', 'plain:0']);
      assert.deepEqual(keysIn(`${base}-db3`), ['plain:3']);
      assert.deepEqual(keysIn(users), ['user:7']);
      // events without a database: the snapshot's (snapshot-begin/end, aux) in the "none" topic
      assert.ok(byTopic.get(`${base}-dbnone`)!.some((r) => r.event.type === 'snapshot-begin'));
      // FLUSHALL and the final stream-end: once in each partition of every topic, same ce_id everywhere
      for (const type of ['command', 'stream-end'] as const) {
        const copies = [...byTopic.entries()].flatMap(([t, rs]) =>
          rs
            .filter((r) => r.event.type === type && (type !== 'command' || (r.event.type === 'command' && r.event.command === 'FLUSHALL')))
            .map((r) => ({ t, p: r.partition, id: recordIdentity(r), copies: r.copies })),
        );
        assert.equal(copies.length, topics.length * 2, `${type} barrier copies: ${JSON.stringify(copies)}`);
        assert.equal(new Set(copies.map((c) => c.id)).size, 1);
        assert.ok(copies.every((c) => c.copies === topics.length * 2));
      }
    });
  } finally {
    c0.disconnect();
    c3.disconnect();
    await master.dispose();
  }
});
