// A dedicated Kafka 4.x broker started from the test itself: kafkajs works against it, and after
// stop()/start() on the same port and data dir the message is still there.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { startKafka } from '../../servers/kafka.js';
import { consumeFirst, produceAndConsume } from './kafka-roundtrip.js';

test('kafka 4.x: dedicated broker, produce/consume, same data after a restart on the same port', async () => {
  testServers(); // run only under the runner, like every integration test
  const kafka = await startKafka({ line: '4' });
  try {
    await withLogsOnFailure([kafka], async () => {
      assert.match(kafka.version, /^4\./);
      const topic = `rmqr-smoke-k4-${randomUUID()}`;
      const message = await produceAndConsume(kafka.bootstrap, topic, 'hello kafka 4');
      assert.equal(message.value?.toString(), 'hello kafka 4');

      const port = kafka.port;
      await kafka.stop();
      assert.equal(kafka.process.running, false);
      await kafka.start();
      assert.equal(kafka.port, port);
      const again = await consumeFirst(kafka.bootstrap, topic);
      assert.equal(again.value?.toString(), 'hello kafka 4');
    });
  } finally {
    await kafka.dispose();
  }
  assert.equal(existsSync(kafka.dir), false);
});
