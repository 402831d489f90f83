// Three replicator processes in cluster mode on a DEDICATED ZooKeeper, which is restarted (same port
// and data dir) during a steady write load: once at once (stop + start), once after an outage longer
// than the session timeout, which no leader may sit out. Each time the leader either keeps its
// leadership (same epoch, nobody else acquires one) or hands it over cleanly: every later term has a
// strictly higher epoch, the new leader resumes with +CONTINUE, and in Kafka no record of an older
// epoch follows a newer one in any partition. Publishing resumes after each restart; nothing is lost.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { WriteLoad } from '../../helpers/write-load.js';
import { startZookeeper, type ZookeeperServer } from '../../servers/zookeeper.js';
import { assertAllWrites, assertEveryEventHasEpoch, describeViolation, epochOrderViolations } from './cluster-checks.js';
import { ClusterFixture } from './cluster-fixture.js';
import { ACQUIRED, assertStatusShows, epochOf, theLeader } from './cluster-waits.js';
import { numberField, timeOf } from './replicator-process.js';
import { readTopicEvents } from './topic-events.js';

const SESSION_TIMEOUT_MS = 4000;
/** ZooKeeper down for this long before it starts again: 0 = a plain restart. */
const OUTAGES_MS = [0, SESSION_TIMEOUT_MS + 1500];
const RESTARTS = OUTAGES_MS.length;

test(`cluster: ZooKeeper restarted ${RESTARTS} times under writes -> the leader keeps leadership or hands it over cleanly, nothing lost`, { timeout: 180_000 }, async (t) => {
  const servers = testServers();
  let zk: ZookeeperServer | null = null;
  let fixture: ClusterFixture | null = null;
  let load: WriteLoad | null = null;
  try {
    zk = await startZookeeper({ name: 'zookeeper-ce2e' });
    const f = (fixture = await ClusterFixture.create({
      label: 'zkrestart',
      zookeeper: zk.connect,
      kafkaBootstrap: servers.kafka.bootstrap,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    }));
    const server = zk;
    await withLogsOnFailure([f.master, server, { name: 'kafka', logPath: servers.kafka.logPath }], async () => {
      const a = f.start('a');
      await a.waitForLog(ACQUIRED, 30_000);
      for (const s of [f.start('b'), f.start('c')]) await s.waitForLog('standing by', 30_000);
      await f.waitForCheckpoint('first checkpoint', (cp) => cp.epoch === epochOf(a), 30_000);

      load = new WriteLoad(f.redis, 'load');
      let kept = 0;
      for (let r = 1; r <= RESTARTS; r++) {
        await delay(1500);
        const before = theLeader(f);
        const epochBefore = epochOf(before);
        const marks = new Map(f.processes.map((p) => [p, p.mark]));
        const outageMs = OUTAGES_MS[r - 1]!;
        const downAt = Date.now();
        await server.stop();
        await delay(outageMs);
        await server.start();
        const upAt = Date.now();

        // publishing resumes: the checkpoint catches up with what was written after the restart
        const target = await f.masterOffset();
        await f.waitForCheckpoint(`offset ${target} after restart ${r}`, (cp) => cp.offset >= target, 30_000);
        const after = theLeader(f);
        const acquired = f.processes
          .flatMap((p) => p.find(ACQUIRED, marks.get(p) ?? 0).map((rec) => ({ p, rec })))
          .sort((x, y) => timeOf(x.rec) - timeOf(y.rec));
        const lostBefore = before.find('leadership lost: stopped publishing and ACKing', marks.get(before)!);
        if (outageMs > SESSION_TIMEOUT_MS) {
          assert.ok(lostBefore.length > 0, `${before.name} gave up leadership during an outage longer than the session timeout`);
          assert.ok(acquired.length > 0, 'a new term began after the outage');
        }
        if (acquired.length === 0) {
          kept++;
          assert.equal(after, before, 'nobody else acquired leadership: the leader kept it');
          assert.deepEqual(lostBefore, [], 'the leader kept leadership without losing it');
          assert.equal(epochOf(after), epochBefore, 'same term, same epoch');
          t.diagnostic(`restart ${r}: ZooKeeper down ${upAt - downAt} ms; ${before.name} kept leadership (epoch ${epochBefore})`);
        } else {
          assert.ok(lostBefore.length > 0 || !before.alive, `${before.name} ended its term before others led`);
          const epochs = acquired.map((x) => numberField(x.rec, 'epoch'));
          let previous = epochBefore;
          for (const e of epochs) {
            assert.ok(e > previous, `epochs strictly increase across terms: ${[epochBefore, ...epochs].join(' -> ')}`);
            previous = e;
          }
          const last = acquired[acquired.length - 1]!;
          assert.equal(last.p, after, 'the last instance to acquire leadership is the one leading');
          assert.ok(
            after.find('partial resync accepted (+CONTINUE)', marks.get(after)!).length > 0,
            `${after.name} resumed with +CONTINUE`,
          );
          t.diagnostic(
            `restart ${r}: ZooKeeper down ${upAt - downAt} ms; handed over ${[before.name, ...acquired.map((x) => x.p.name)].join(' -> ')} ` +
              `(epochs ${[epochBefore, ...epochs].join(' -> ')}), first takeover ${timeOf(acquired[0]!.rec) - downAt} ms after ZooKeeper went down`,
          );
        }
        await assertStatusShows(f, after, epochOf(after), ['a', 'b', 'c']);
      }

      await delay(1000);
      const written = await f.drainLoad(load, 30_000);
      load = null;
      await f.stopAll();

      const sync = await f.syncStats();
      assert.equal(sync.full, 1, 'one full sync: every handover resumed with +CONTINUE');
      const events = await readTopicEvents(servers.kafka.bootstrap, f.topic);
      assertEveryEventHasEpoch(events);
      assert.deepEqual(epochOrderViolations(events).map(describeViolation), [], 'no record of an older epoch after a newer one in any partition');
      assertAllWrites(events, 'load', written);
      t.diagnostic(`${written} writes, ${events.length} events; leadership kept through ${kept} of ${RESTARTS} restarts`);
    });
  } catch (err) {
    for (const p of fixture?.processes ?? []) process.stderr.write(`${p.logTail(30)}\n`);
    if (fixture) process.stderr.write(`whole logs of the instances: ${fixture.dumpLogs()}\n`);
    throw err;
  } finally {
    await (load as WriteLoad | null)?.stop().catch(() => undefined);
    // the tree is removed through the dedicated server, so it must still run
    await fixture?.dispose();
    await zk?.dispose();
  }
});
