// A 5 MB value through Kafka: SET of 5 MB of random bytes becomes one command event of ~6.7 MB of JSON
// (base64), above the 1 MB message limit; the sink splits it into parts (ce_part) in the key's
// partition and the SDK reassembles it: the value the listener gets has the sha256 of what was written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readMessageMeta } from '../../../src/consumer/message-meta.js';
import type { CommandEvent } from '../../../src/events/types.js';
import { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { redisClient, startMaster } from '../../helpers/redis-master.js';
import { replicateDuring } from '../../helpers/replicate-during.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import { consumeWithSdk, readTopic } from './kafka-helpers.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

test('redis -> kafka: a 5 MB value is split into parts and reassembled by the SDK', { timeout: 180_000 }, async () => {
  const { kafka } = testServers();
  const master = await startMaster('redis-kafka-big');
  const client = redisClient(master);
  const topic = uniqueName('rmqr-big');
  const big = randomBytes(5 * 1024 * 1024);
  try {
    await withLogsOnFailure([master, { name: 'kafka', logPath: kafka.logPath }], async () => {
      const sink = new KafkaSink({ brokers: [kafka.bootstrap], topic, createTopics: true, topicPartitions: 3, sourceId: master.address });
      await replicateDuring({ redis: `redis://${master.address}`, sink }, async (emitted) => {
        await client.set('small:before', '1');
        await client.set('big:value', big);
        await client.set('small:after', '2');
        await waitFor('the last write', () => emitted.some((e) => e.type === 'command' && e.args[1]?.toString() === 'small:after'));
      });

      // the partitions hold the event as consecutive parts, none above the limit
      const records = await readTopic([kafka.bootstrap], topic);
      const parts = records.filter((r) => readMessageMeta(r.headers).part !== undefined);
      assert.ok(parts.length >= 7, `${parts.length} parts`);
      assert.ok(parts.every((r) => r.value.length < 1_000_000));
      assert.equal(new Set(parts.map((r) => r.partition)).size, 1);
      const n = parts.length;
      parts.forEach((r, i) => {
        assert.deepEqual(readMessageMeta(r.headers).part, { i, n });
        assert.equal(r.offset, parts[0]!.offset + i, 'parts are consecutive in their partition');
      });

      let received: CommandEvent | undefined;
      // the big SET's partition may lag the others (one ~1 MB part per fetch): wait for it by name
      const { events } = await consumeWithSdk([kafka.bootstrap], topic, () => received !== undefined, {
        onEvent: (e) => {
          if (e.type === 'command' && e.args[1]?.toString() === 'big:value') received = e;
        },
      });
      assert.ok(received, 'the SDK delivered the big SET');
      assert.equal(received.args[2]!.length, big.length);
      assert.equal(sha256(received.args[2]!), sha256(big));
      assert.equal(events.filter((e) => e.type === 'command' && e.args[1]?.toString() === 'big:value').length, 1);
    });
  } finally {
    client.disconnect();
    await master.dispose();
  }
});
