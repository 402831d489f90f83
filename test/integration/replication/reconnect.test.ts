// Link failures against a real master of every test-bed version:
//  - CLIENT KILL TYPE replica while writes stream in: the replicator reconnects with PSYNC and gets
//    +CONTINUE (sync_partial_ok on the master), and no write is lost or delivered twice;
//  - the master restarts with an empty dataset and a new replid: the running replicator does a full
//    resync, marked by snapshot-begin reason 'resync' with `previous` = where the old history stopped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { CommandEvent, SnapshotBeginEvent, StreamBeginEvent } from '../../../src/events/types.js';
import { EventRecorder } from '../../helpers/event-recorder.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { infoSection, masterOffset, syncStats } from '../../helpers/redis-master.js';
import { WriteLoad } from '../../helpers/write-load.js';
import { featuresOf } from './features.js';
import { clientFor, redisUri, startMaster } from './master.js';
import { respLength } from './offset-accounting.js';
import { assertAllWrites, offsetChainGaps } from './write-checks.js';

const servers = testServers();
const KILLS = 3;

for (const r of servers.redis) {
  const f = featuresOf(r);

  test(`${f.label}: CLIENT KILL TYPE replica mid-stream (${KILLS} times) -> +CONTINUE, no gap, no duplicate, sync_partial_ok +${KILLS}`, async () => {
    const master = await startMaster(r, { diskless: true });
    const c = clientFor(master);
    const admin = clientFor(master);
    let rec: EventRecorder | null = null;
    let load: WriteLoad | null = null;
    try {
      await withLogsOnFailure([master], async () => {
        await c.connect();
        await admin.connect();
        rec = await EventRecorder.open({ redis: redisUri(master), lingerMs: 1 });
        const recorder = rec;
        await recorder.waitFor('stream-begin', () => recorder.events.some((e) => e.type === 'stream-begin'));
        const before = await syncStats(admin);
        const start = recorder.events.find((e) => e.type === 'stream-begin')!.offset;

        load = new WriteLoad(c, 'ck', 20, 2);
        const cutAt: number[] = [];
        for (let k = 0; k < KILLS; k++) {
          const partials = recorder.syncs.filter((s) => s.mode === 'partial').length;
          await delay(150 + Math.floor(Math.random() * 250));
          cutAt.push(recorder.replicator.status().received?.offset ?? -1);
          const killed = Number(await admin.call('CLIENT', ['KILL', 'TYPE', 'replica']));
          assert.equal(killed, 1, 'one replica connection killed');
          await recorder.waitFor(`partial resync #${k + 1}`, () => recorder.syncs.filter((s) => s.mode === 'partial').length > partials);
        }
        const n = await load.stop();
        load = null;
        const end = await masterOffset(admin);
        await recorder.waitFor('the replicator to reach master_repl_offset', () => recorder.replicator.status().received?.offset === end);

        const after = await syncStats(admin);
        assert.equal(after.partialOk - before.partialOk, KILLS, 'sync_partial_ok counts every reconnection');
        assert.equal(after.full, before.full, 'no new full sync');
        assert.deepEqual(recorder.syncs.map((s) => s.mode), ['full', ...Array<string>(KILLS).fill('partial')]);
        assert.equal(recorder.events.filter((e) => e.type === 'snapshot-begin').length, 1);

        // Each partial stream starts exactly where the previous one stopped.
        const begins = recorder.events.filter((e): e is StreamBeginEvent => e.type === 'stream-begin');
        assert.deepEqual(begins.map((b) => b.mode), ['full', ...Array<string>(KILLS).fill('partial')]);
        const ends = recorder.events.filter((e) => e.type === 'stream-end');
        assert.equal(ends.length, KILLS, 'a stream-end per lost link');
        for (let k = 1; k < begins.length; k++) assert.equal(begins[k]!.offset, ends[k - 1]!.offset, `stream ${k} resumes where the link was lost`);
        for (let k = 0; k < KILLS; k++) assert.ok(ends[k]!.offset >= cutAt[k]!, 'nothing received before the kill is lost');

        assertAllWrites(recorder.events, 'ck', n, true);
        const commands = recorder.events.filter((e): e is CommandEvent => e.type === 'command');
        const chain = offsetChainGaps(commands, start);
        assert.deepEqual(chain.gaps, [], 'the command offsets cover the stream without a gap');
        const tail = end - commands.at(-1)!.offset;
        assert.ok(tail >= 0 && tail % 14 === 0, `only master PINGs (14 bytes each) after the last write: ${tail} bytes`);
        const stream = recorder.events.filter((e) => e.type === 'command');
        for (let i = 1; i < stream.length; i++) assert.ok(stream[i]!.offset > stream[i - 1]!.offset, 'offsets strictly increase');
      });
    } finally {
      await (load as WriteLoad | null)?.stop().catch(() => undefined);
      await (rec as EventRecorder | null)?.close();
      c.disconnect();
      admin.disconnect();
      await master.dispose();
    }
  });

  test(`${f.label}: master restart with a new replid -> full resync marked snapshot-begin reason 'resync' with previous`, async () => {
    const master = await startMaster(r, { diskless: true });
    let c = clientFor(master);
    let rec: EventRecorder | null = null;
    try {
      await withLogsOnFailure([master], async () => {
        await c.connect();
        await c.call('SET', ['old', 'history']);
        rec = await EventRecorder.open({ redis: redisUri(master), lingerMs: 1, replication: { backoffMaxMs: 500 } });
        const recorder = rec;
        await recorder.waitFor('stream-begin', () => recorder.events.some((e) => e.type === 'stream-begin'));
        await c.call('SET', ['before', 'restart']);
        const oldReplid = (await infoSection(c, 'replication')).get('master_replid')!;
        const oldEnd = await masterOffset(c);
        await recorder.waitFor('the write before the restart', () => recorder.replicator.status().received?.offset === oldEnd);
        c.disconnect();

        // No save points and no AOF: the restarted master is empty and starts a new history.
        await master.restart();
        c = clientFor(master);
        await c.connect();
        await c.call('SET', ['after', 'restart']);
        await recorder.waitFor('the resync snapshot', () => recorder.events.filter((e) => e.type === 'snapshot-end').length === 2, 30_000);
        const newReplid = (await infoSection(c, 'replication')).get('master_replid')!;
        assert.notEqual(newReplid, oldReplid);

        const snapshots = recorder.events.filter((e): e is SnapshotBeginEvent => e.type === 'snapshot-begin');
        assert.equal(snapshots.length, 2);
        assert.equal(snapshots[0]!.reason, 'initial');
        assert.equal(snapshots[0]!.previous, undefined);
        const resync = snapshots[1]!;
        assert.equal(resync.reason, 'resync');
        assert.equal(resync.replid, newReplid);
        // `previous` is the last position received: 7.0+ masters send REPLCONF GETACK * while shutting
        // down (to wait for their replicas), which the old history still counts.
        const getack = respLength(['REPLCONF', 'GETACK', '*'].map((a) => Buffer.from(a)));
        assert.equal(resync.previous?.replid, oldReplid);
        assert.ok(
          resync.previous.offset === oldEnd || (f.shutdownGetack && resync.previous.offset === oldEnd + getack),
          `previous offset ${resync.previous.offset}, master offset before the restart ${oldEnd}`,
        );
        assert.deepEqual(recorder.syncs.map((s) => s.mode), ['full', 'full']);
        assert.equal(recorder.syncs[1]!.replid, newReplid);
        assert.ok(recorder.retries.length >= 1, 'the lost link was reported as a retry');

        // The new snapshot holds the new dataset; the stream after it carries the new replid.
        const resyncAt = recorder.events.indexOf(resync);
        const resyncKeys = recorder.events.slice(resyncAt).filter((e) => e.type === 'key-value').map((e) => (e.type === 'key-value' ? e.key.toString() : ''));
        assert.ok(!resyncKeys.includes('old') && !resyncKeys.includes('before'), 'the old keys are gone');
        await c.call('SET', ['streamed', 'after resync']);
        const end = await masterOffset(c);
        await recorder.waitForOffset(end);
        const last = recorder.events.at(-1)!;
        assert.equal(last.type, 'command');
        assert.equal(last.replid, newReplid);
        assert.equal(last.offset, end);
        const sawAfter = recorder.events.slice(resyncAt).some((e) => (e.type === 'key-value' && e.key.toString() === 'after') || (e.type === 'command' && e.args[1]?.toString() === 'after'));
        assert.ok(sawAfter, 'the write made right after the restart is in the new snapshot or stream');
      });
    } finally {
      await (rec as EventRecorder | null)?.close();
      c.disconnect();
      await master.dispose();
    }
  });
}
