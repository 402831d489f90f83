// Kafka transactional fencing (kafka.transactional.id, cluster mode) against the shared broker: two
// sinks share a transactional id; when the second opens, the first's next publish is fenced
// (SINK_FENCED, not retriable, every later publish too) and nothing it sent after that is visible to a
// read-committed consumer (the SDK reads committed). A transaction left open by a fenced producer is
// aborted by the takeover: a read-uncommitted reader sees its records, the SDK does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel } from 'kafkajs';
import { compactHeader, COMPACT_HEADER, jsonCodec } from '../../../src/events/envelope.js';
import type { CommandEvent, ReplicationEvent } from '../../../src/events/types.js';
import { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { ReplicatorError } from '../../../src/errors.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { uniqueName } from '../../helpers/wait-for.js';
import { consumeWithSdk, decodeRecords, readTopic } from './kafka-helpers.js';

const REPLID = 'e'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s);

function sets(from: number, count: number, tag: string): CommandEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${tag}:${i % 7}`;
    return { type: 'command', replid: REPLID, offset: from + i, db: 0, command: 'SET', args: [b('SET'), b(key), b(tag)], keys: [b(key)], known: true };
  });
}

test('kafka transactional id: a second sink fences the first; the fenced sink publishes nothing a read-committed consumer sees', { timeout: 120_000 }, async () => {
  const { kafka } = testServers();
  const topic = uniqueName('rmqr-fence');
  const transactionalId = uniqueName('rmqr-fence-tx');
  const opts = { brokers: [kafka.bootstrap], topic, createTopics: true, topicPartitions: 3, sourceId: 'fence:6379', transactionalId, publishTimeoutMs: 20_000 };
  await withLogsOnFailure([{ name: 'kafka', logPath: kafka.logPath }], async () => {
    const first = new KafkaSink(opts);
    const second = new KafkaSink(opts);
    const client = new Kafka({ clientId: 'rmqr-test-zombie', brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING });
    const zombie = client.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
    try {
      await first.open();
      const before = sets(1, 50, 'before');
      await first.publish(before);
      assert.equal(first.stats().transactions, 1);

      await second.open(); // InitProducerId: fences `first`
      const fenced = (e: unknown): boolean => e instanceof ReplicatorError && e.code === 'SINK_FENCED' && e.retriable === false;
      await assert.rejects(first.publish(sets(100, 50, 'zombie')), fenced);
      await assert.rejects(first.publish(sets(200, 5, 'zombie')), fenced, 'every later publish is refused too');
      assert.equal(first.stats().transactions, 1);

      const after = sets(300, 50, 'after');
      await second.publish(after);

      // a producer of the same id that writes without committing, then is fenced by a newer open
      await zombie.connect();
      const tx = await zombie.transaction();
      const open = sets(400, 3, 'open')[0]!;
      await tx.send({ topic, messages: [{ key: '0:open:0', value: jsonCodec.encode(open), headers: { [COMPACT_HEADER]: compactHeader(open, 'json') } }] });
      const third = new KafkaSink(opts);
      await third.open(); // fences the zombie and aborts its open transaction
      await assert.rejects(tx.commit());
      const last = sets(500, 10, 'last');
      await third.publish(last);
      await third.close();

      // read committed (the SDK): exactly the events of the sinks that were not fenced
      const expected = [...before, ...after, ...last].map((e) => e.offset).sort((x, y) => x - y);
      const { events } = await consumeWithSdk([kafka.bootstrap], topic, (ev) => ev.length >= expected.length, { timeoutMs: 30_000 });
      await new Promise((r) => setTimeout(r, 500));
      const got = events.map((e: ReplicationEvent) => e.offset).sort((x, y) => x - y);
      assert.deepEqual(got, expected);

      // read uncommitted: the aborted open transaction's record is in the log, only hidden
      const raw = decodeRecords(await readTopic([kafka.bootstrap], topic, 30_000, { readUncommitted: true }));
      assert.ok(raw.some((r) => r.event.offset === 400), 'the aborted write reached the log');
      assert.ok(!raw.some((r) => r.event.offset >= 100 && r.event.offset < 300), 'the fenced sink wrote nothing');
    } finally {
      await first.close();
      await second.close();
      await zombie.disconnect().catch(() => undefined);
    }
  });
});
