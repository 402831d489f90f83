// Kafka taken away for 30 s during a steady write load (a dedicated broker: stop(), 30 s, start() on
// the same port and data dir). The replicator is not restarted: it must recover by itself, lose no
// write, and never checkpoint past what Kafka had acknowledged: every checkpoint read during the
// outage is at most the highest offset the broker held before it went away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FileCheckpointStore } from '../../../src/checkpoint/file.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { Replicator } from '../../../src/pipeline/replicator.js';
import { KafkaSink } from '../../../src/sinks/kafka/kafka-sink.js';
import { withLogsOnFailure } from '../../helpers/servers.js';
import { masterOffset, redisClient, startMaster } from '../../helpers/redis-master.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import { loadIndexes, WriteLoad } from '../../helpers/write-load.js';
import { checkpointOffset } from '../../helpers/checkpoint-file.js';
import { startKafka } from '../../servers/kafka.js';
import { assertPartitionOrder, decodeRecords, readTopic } from './kafka-helpers.js';

const OUTAGE_MS = 30_000;

test('kafka stopped for 30 s under load: nothing lost, no checkpoint past acknowledged events, recovery without restart', { timeout: 420_000 }, async (t) => {
  const broker = await startKafka({ name: 'kafka-outage' });
  const master = await startMaster('redis-kafka-outage');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-kafka-outage-'));
  const client = redisClient(master);
  const checkpointPath = join(dir, 'checkpoint.json');
  const topic = uniqueName('rmqr-outage');
  try {
    await withLogsOnFailure([master, broker], async () => {
      const sink = new KafkaSink({
        brokers: [broker.bootstrap],
        topic,
        createTopics: true,
        topicPartitions: 3,
        sourceId: master.address,
        publishTimeoutMs: 10_000,
      });
      const events: ReplicationEvent[] = [];
      const replicator = new Replicator({
        redis: `redis://${master.address}`,
        checkpoint: new FileCheckpointStore(checkpointPath),
        sink,
        checkpointIntervalMs: 200,
      });
      replicator.on('event', (e) => {
        events.push(e);
      });
      await replicator.open();
      let load: WriteLoad | null = null;
      try {
        await waitFor('the stream', () => events.some((e) => e.type === 'stream-begin'));
        load = new WriteLoad(client, 'load');
        await delay(3000);
        const before = await checkpointOffset(checkpointPath);
        assert.ok(before > 0, 'a checkpoint was written before the outage');

        await broker.stop();
        const outageCheckpoints: number[] = [];
        const outageEnd = Date.now() + OUTAGE_MS;
        while (Date.now() < outageEnd) {
          outageCheckpoints.push(await checkpointOffset(checkpointPath));
          await delay(500);
        }
        const restartAt = Date.now();
        await broker.start();
        await delay(5000);
        const written = await load.stop();
        load = null;
        const target = await masterOffset(client);
        await waitFor('the replicator to catch up after the outage', () => (replicator.status().durable?.offset ?? 0) >= target, 180_000);
        t.diagnostic(`caught up ${Date.now() - restartAt} ms after the broker restart; sink ${JSON.stringify(sink.stats())}`);
        const status = replicator.status();
        assert.equal(status.fullSyncs, 1, 'no resync: the replication link was never given up');
        assert.ok(sink.stats().failures > 0, 'publishing failed during the outage');

        await replicator.close();
        assert.ok((await checkpointOffset(checkpointPath)) >= target, 'the checkpoint caught up');
        const records = decodeRecords(await readTopic([broker.bootstrap], topic));
        // nothing lost: every write of the load is in the topic
        const seen = new Set(loadIndexes(records.map((r) => r.event), 'load'));
        const missing = Array.from({ length: written }, (_, i) => i).filter((i) => !seen.has(i));
        assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${written} writes missing`);
        assert.ok(written > 1000, `${written} writes`);
        // stream order per partition, duplicates allowed (redelivery after the failed sends)
        const repeats = assertPartitionOrder(records, true);
        t.diagnostic(`${written} writes, ${records.length} records, ${repeats.length} repeated records`);
        // the checkpoint never passed what Kafka held when it went away
        const heldBefore = Math.max(...records.filter((r) => r.timestamp < restartAt).map((r) => r.event.offset));
        const maxDuring = Math.max(...outageCheckpoints);
        assert.ok(maxDuring >= before, 'checkpoints only move forward');
        t.diagnostic(`checkpoint before ${before}, during the outage ${Math.min(...outageCheckpoints)}..${maxDuring}, Kafka held up to ${heldBefore}`);
        assert.ok(maxDuring <= heldBefore, `checkpoint ${maxDuring} during the outage, Kafka held up to ${heldBefore}`);
      } finally {
        await load?.stop();
        await replicator.close();
      }
    });
  } finally {
    client.disconnect();
    await master.dispose();
    await broker.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
