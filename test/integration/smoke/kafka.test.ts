// The shared Kafka (3.9, KRaft) is real: kafkajs creates a topic, produces a message and a consumer
// group reads it back with its key and header.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { produceAndConsume } from './kafka-roundtrip.js';

test('kafka: produce and consume a message with kafkajs', async () => {
  const { kafka } = testServers();
  assert.match(kafka.version, /^3\.9\./);
  await withLogsOnFailure([{ name: 'kafka', logPath: kafka.logPath }], async () => {
    const topic = `rmqr-smoke-${randomUUID()}`;
    const message = await produceAndConsume(kafka.bootstrap, topic, 'hello kafka');
    assert.equal(message.value?.toString(), 'hello kafka');
    assert.equal(message.key?.toString(), 'k1');
    assert.equal(message.headers?.['origin']?.toString(), 'smoke');
  });
});
