// Three replicator processes in cluster mode (real ZooKeeper, Redis, Kafka). During a steady write
// load the leader is killed with kill -9 three times (and started again as a standby each time).
// Each time: a standby takes over within the session timeout + 2 s, with a strictly higher epoch,
// resumes from the checkpoint the killed leader left in ZooKeeper with PSYNC +CONTINUE, and its first
// command starts exactly at that checkpoint offset. At the end: one full sync in total, every write in
// Kafka, every event with an epoch, and per partition no record of an older epoch after a newer one.
// Also: standbys log "standing by", and `status` (text and --json) shows the leader and its epoch.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Checkpoint } from '../../../src/checkpoint/store.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { WriteLoad } from '../../helpers/write-load.js';
import {
  assertAllWrites,
  assertEveryEventHasEpoch,
  commandGaps,
  commandStart,
  commandsOf,
  describeViolation,
  epochOrderViolations,
} from './cluster-checks.js';
import { ClusterFixture } from './cluster-fixture.js';
import { ACQUIRED, assertStatusShows, epochOf, negotiatedSessionTimeout, theLeader, waitForAny } from './cluster-waits.js';
import { numberField, timeOf } from './replicator-process.js';
import { readTopicEvents } from './topic-events.js';

const SESSION_TIMEOUT_MS = 4000;
const KILLS = 3;

interface Takeover {
  killed: string;
  oldEpoch: number;
  newEpoch: number;
  /** The checkpoint in ZooKeeper once the killed leader was gone. */
  checkpoint: Checkpoint;
  takeoverMs: number;
}

test(`cluster: kill -9 of the leader ${KILLS} times under writes -> takeover within session timeout + 2 s, +CONTINUE from the ZooKeeper checkpoint, epochs increase, nothing lost`, { timeout: 180_000 }, async (t) => {
  const servers = testServers();
  const fixture = await ClusterFixture.onTestBed('kill9', SESSION_TIMEOUT_MS);
  let load: WriteLoad | null = null;
  try {
    await withLogsOnFailure(fixture.testBedLogs(), async () => {
      for (let i = 0; i < 50; i++) await fixture.redis.set(`pre:${i}`, String(i));
      const a = fixture.start('a');
      await a.waitForLog(ACQUIRED, 30_000);
      await a.waitForLog('full sync: a snapshot was published', 30_000);
      const standbys = [fixture.start('b'), fixture.start('c')];
      for (const s of standbys) {
        const line = await s.waitForLog('standing by', 30_000, 0, (r) => typeof r['leader'] === 'string' && r['leader'].startsWith(`a (`));
        assert.match(String(line['leader']), new RegExp(`^a \\(\\S+ pid ${a.pid}\\)$`), `${s.name} names the leader`);
      }
      await fixture.waitForCheckpoint('first checkpoint of epoch 1', (cp) => cp.epoch === epochOf(a), 30_000);
      await assertStatusShows(fixture, a, epochOf(a), ['a', 'b', 'c']);

      load = new WriteLoad(fixture.redis, 'load');
      const takeovers: Takeover[] = [];
      for (let k = 0; k < KILLS; k++) {
        await delay(randomInt(1000, 2500));
        const leader = theLeader(fixture);
        const oldEpoch = epochOf(leader);
        const sessionTimeout = negotiatedSessionTimeout(leader);
        const others = fixture.processes.filter((p) => p.alive && p !== leader).map((p) => ({ process: p, from: p.mark }));
        const killedAt = Date.now();
        await leader.kill9();
        // a save the killed process had sent has landed by now; nobody else may write before a takeover
        await delay(300);
        const checkpoint = (await fixture.checkpointNode())?.checkpoint;
        assert.ok(checkpoint !== undefined, 'a checkpoint exists');
        assert.equal(checkpoint.epoch, oldEpoch, 'the checkpoint was written by the killed leader');

        const { process: next, record } = await waitForAny(others, ACQUIRED, sessionTimeout + 10_000);
        const takeoverMs = timeOf(record) - killedAt;
        const newEpoch = numberField(record, 'epoch');
        t.diagnostic(`kill ${k + 1}: ${leader.name} (epoch ${oldEpoch}) -> ${next.name} (epoch ${newEpoch}) in ${takeoverMs} ms; checkpoint offset ${checkpoint.offset}`);
        assert.ok(takeoverMs <= sessionTimeout + 2000, `takeover took ${takeoverMs} ms, more than the session timeout ${sessionTimeout} ms + 2 s`);
        assert.ok(newEpoch > oldEpoch, `epoch ${newEpoch} after ${oldEpoch}`);
        const from = others.find((o) => o.process === next)!.from;
        const resumed = await next.waitForLog('resuming from checkpoint', 10_000, from);
        assert.deepEqual(
          { replid: resumed['replid'], offset: resumed['offset'], db: resumed['db'] },
          { replid: checkpoint.replid, offset: checkpoint.offset, db: checkpoint.db },
          'the new leader resumes from the checkpoint in ZooKeeper',
        );
        await next.waitForLog('partial resync accepted (+CONTINUE)', 10_000, from);
        takeovers.push({ killed: leader.name, oldEpoch, newEpoch, checkpoint, takeoverMs });

        // back to three instances: the killed one comes back as a standby
        const again = fixture.start(leader.name);
        await again.waitForLog('standing by', 30_000);
      }

      await delay(1500);
      const last = theLeader(fixture);
      await assertStatusShows(fixture, last, epochOf(last), ['a', 'b', 'c']);
      const written = await fixture.drainLoad(load, 60_000);
      load = null;
      await fixture.stopAll();

      const sync = await fixture.syncStats();
      assert.equal(sync.full, 1, 'one full sync: the first leader; every takeover resumed');
      assert.equal(sync.partialOk, KILLS, 'every takeover was a partial resync');

      const events = await readTopicEvents(servers.kafka.bootstrap, fixture.topic);
      assertEveryEventHasEpoch(events);
      const epochs = [epochOf(a), ...takeovers.map((x) => x.newEpoch)];
      assert.deepEqual([...new Set(events.map((e) => e.event.epoch))].sort((x, y) => x! - y!), epochs, 'the epochs in Kafka are those of the terms');
      const violations = epochOrderViolations(events);
      assert.deepEqual(violations.map(describeViolation), [], 'no record of an older epoch after a newer one in any partition');
      assertAllWrites(events, 'load', written);

      for (const x of takeovers) {
        const cp = x.checkpoint;
        const begins = events.flatMap((e) => (e.event.type === 'stream-begin' && e.event.epoch === x.newEpoch ? [e.event] : []));
        assert.ok(begins.length > 0, `epoch ${x.newEpoch} published its stream-begin`);
        for (const b of begins) assert.deepEqual({ mode: b.mode, offset: b.offset }, { mode: 'partial', offset: cp.offset }, `stream-begin of epoch ${x.newEpoch}`);
        const commands = commandsOf(events, x.newEpoch);
        assert.ok(commands.length > 0, `epoch ${x.newEpoch} published commands`);
        assert.equal(commandStart(commands[0]!), cp.offset, `the first command of epoch ${x.newEpoch} starts at the checkpoint offset ${cp.offset}`);
        // what was durable when the leader died had been published by an older term
        assert.ok(
          events.some((e) => e.event.epoch! < x.newEpoch && e.event.offset === cp.offset && e.event.type !== 'stream-begin'),
          `an event of an older epoch ends at the checkpoint offset ${cp.offset}`,
        );
      }
      // together the terms cover the command stream without a gap
      assert.deepEqual(commandGaps(commandsOf(events)).slice(0, 5), [], 'the commands in Kafka cover the stream without a gap');
      t.diagnostic(`${written} writes, ${events.length} events, takeovers in ${takeovers.map((x) => x.takeoverMs).join(', ')} ms`);
    });
  } catch (err) {
    for (const p of fixture.processes) process.stderr.write(`${p.logTail(25)}\n`);
    process.stderr.write(`whole logs of the instances: ${fixture.dumpLogs()}\n`);
    throw err;
  } finally {
    await (load as WriteLoad | null)?.stop().catch(() => undefined);
    await fixture.dispose();
  }
});

