// The RocketMQ proxy (with its broker: local mode) of a DEDICATED RocketMQ is stopped for 30 s while a
// steady write load runs, then started again: the replicator recovers by itself (same process, no
// restart), its checkpoint does not move while nothing can be acknowledged, and every write is in the
// topic afterwards, each message group still in stream order. A consumer (the SDK's RocketMQ source)
// runs through the outage too and recovers by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { FileCheckpointStore } from '../../../src/checkpoint/file.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { Replicator } from '../../../src/pipeline/replicator.js';
import { RocketMqSink } from '../../../src/sinks/rocketmq/rocketmq-sink.js';
import { masterOffset, redisClient, startMaster } from '../../helpers/redis-master.js';
import { waitFor } from '../../helpers/wait-for.js';
import { WriteLoad } from '../../helpers/write-load.js';
import { checkpointOffset } from '../../helpers/checkpoint-file.js';
import { createRocketmqFifoGroups, createRocketmqTopics } from '../../servers/rocketmq-admin.js';
import { startRocketmq } from '../../servers/rocketmq.js';
import { assertGroupOrder, decodeMessages, explained, MemoryLog, TopicReader, waitForTopicRoute } from './rocketmq-helpers.js';

const OUTAGE_MS = 30_000;
const log = new MemoryLog();

test('rocketmq proxy stopped 30 s during a write load: nothing lost, the replicator recovers by itself', { timeout: 420_000 }, async (t) => {
  const rmq = await startRocketmq();
  const master = await startMaster('redis-rocketmq-outage');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-rmq-outage-'));
  const cpPath = join(dir, 'checkpoint.json');
  const c0 = redisClient(master);
  const topic = 'rmqr-outage';
  const group = 'rmqr-outage-reader';
  const reader = new TopicReader(rmq.proxy, topic, group, log.logger.child({ who: 'reader' }));
  let replicator: Replicator | null = null;
  let load: WriteLoad | null = null;
  let written = 0;
  try {
    await explained([master, ...rmq.logPaths.map((logPath, i) => ({ name: i === 0 ? 'namesrv' : 'proxy', logPath }))], log, async () => {
      await createRocketmqTopics(rmq, [{ name: topic, type: 'FIFO', queues: 4 }]);
      await createRocketmqFifoGroups(rmq, [group]);
      await waitForTopicRoute(rmq.proxy, topic);
      const sink = new RocketMqSink({ endpoints: rmq.proxy, topic, sourceId: master.address, logger: log.logger.child({ who: 'sink' }) });
      const r = new Replicator({
        redis: `redis://${master.address}`,
        checkpoint: new FileCheckpointStore(cpPath),
        sink,
        checkpointIntervalMs: 100,
        logger: log.logger.child({ who: 'replicator' }),
      });
      replicator = r;
      let begun = false;
      r.on('stream-begin', () => {
        begun = true;
      });
      let fatal: Error | null = null;
      r.on('error', (err) => {
        fatal = err;
      });
      await r.open();
      await waitFor('the initial sync', () => begun);
      await reader.start();

      // steady load: 20 SETs every 20 ms (about 1000 writes/s), keys spread over 50 groups
      load = new WriteLoad(c0, 'load', 20, 20, 50);
      await delay(5000);
      const beforeStop = await checkpointOffset(cpPath);
      assert.ok(beforeStop > 0, `the checkpoint advances while the broker is up: ${JSON.stringify(r.status())} ${JSON.stringify(sink.stats())}`);

      const stopAt = Date.now();
      await rmq.stopProxy();
      await delay(3000);
      const duringA = await checkpointOffset(cpPath);
      await delay(Math.max(0, OUTAGE_MS - (Date.now() - stopAt) - 1000));
      const duringB = await checkpointOffset(cpPath);
      assert.equal(duringB, duringA, 'the checkpoint does not move while nothing can be acknowledged');
      const pausedStatus = r.status();
      await rmq.startProxy();
      const restartedAt = Date.now();

      await delay(5000);
      written = await load.stop();
      const end = await masterOffset(c0);
      await waitFor('the replicator to catch up by itself', () => (r.status().durable?.offset ?? 0) >= end, 180_000, () => JSON.stringify(r.status()));
      const recoveredMs = Date.now() - restartedAt;
      assert.equal(fatal, null, 'no fatal error');
      assert.ok(sink.stats().failures > 0, 'sends did fail during the outage');
      await waitFor('the checkpoint to reach the end', async () => (await checkpointOffset(cpPath)) >= end, 10_000);

      await waitFor(`all ${written} writes in the topic`, () => {
        const seen = new Set<number>();
        for (const d of decodeMessages(reader.messages)) {
          const e: ReplicationEvent = d.event;
          if (e.type === 'command' && e.command === 'SET' && e.args[1]!.toString().startsWith('load:')) seen.add(Number(e.args[2]!.toString()));
        }
        return seen.size === written;
      }, 120_000, () => `${reader.messages.length} messages read`);
      const repeats = assertGroupOrder(reader.messages, true);
      const read = reader.messages.length;
      t.diagnostic(
        `${written} writes; outage ${OUTAGE_MS} ms; pending during outage ${pausedStatus.pendingBytes} bytes; caught up ${recoveredMs} ms after the proxy restart; ` +
          `${sink.stats().failures} failed sends, ${sink.stats().reconnects} producer reconnects, ${repeats.length} repeated messages; ${read} messages read by a consumer running throughout`,
      );
    });
  } finally {
    await (load as WriteLoad | null)?.stop().catch(() => undefined);
    await reader.stop().catch(() => undefined);
    await (replicator as Replicator | null)?.close().catch(() => undefined);
    c0.disconnect();
    await master.dispose();
    await rmq.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
