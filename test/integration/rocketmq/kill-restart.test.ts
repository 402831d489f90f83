// The replicator CLI with sink=rocketmq is killed with SIGKILL at random moments of a steady write load,
// several times, and started again each time: afterwards every write is in the topic at least once,
// every duplicate lies in the window between the checkpoint saved before a kill and the master offset
// at that kill (the un-acknowledged window, identifiable by replid/offset), each restart resumed with
// PSYNC +CONTINUE (no second full sync), and each message group is still in stream order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { H } from '../../../src/events/envelope.js';
import { CLI_MAIN } from '../../helpers/cli.js';
import { testServers } from '../../helpers/servers.js';
import { masterOffset, redisClient, startMaster, syncStats } from '../../helpers/redis-master.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import { WriteLoad } from '../../helpers/write-load.js';
import { readCheckpointFile } from '../../helpers/checkpoint-file.js';
import { prng } from '../../helpers/chunkings.js';
import { createRocketmqFifoGroups, createRocketmqTopics } from '../../servers/rocketmq-admin.js';
import { assertGroupOrder, decodeMessages, explained, MemoryLog, TopicReader, waitForTopicRoute } from './rocketmq-helpers.js';

const { rocketmq } = testServers();
const KILLS = 4;
const log = new MemoryLog();

interface Run {
  child: ChildProcess;
  stderr: string[];
  exited: Promise<number | null>;
}

function startCli(args: string[]): Run {
  const child = spawn(process.execPath, [CLI_MAIN, 'replicate', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    stderr.push(...lines);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr, exited };
}

test('rocketmq sink: kill -9 of the replicator CLI during a write load, several times: nothing lost, duplicates only in the un-acked window, +CONTINUE on every restart', { timeout: 420_000 }, async (t) => {
  const topic = uniqueName('rmqr-rmq-kill');
  const group = uniqueName('rmqr-rmq-kill-reader');
  await createRocketmqTopics(rocketmq, [{ name: topic, type: 'FIFO', queues: 4 }]);
  await createRocketmqFifoGroups(rocketmq, [group]);
  await waitForTopicRoute(rocketmq.proxy, topic);
  const master = await startMaster('redis-rocketmq-kill');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-rmq-kill-'));
  const cpPath = join(dir, 'checkpoint.json');
  const c0 = redisClient(master);
  const reader = new TopicReader(rocketmq.proxy, topic, group, log.logger.child({ who: 'reader' }));
  // deterministic pseudo-random delays (the moments vary with the load, the schedule does not)
  const random = prng(20261121);
  const args = [
    '--redis', `redis://${master.address}`,
    '--sink', 'rocketmq',
    '--checkpoint', cpPath,
    '--set', `rocketmq.endpoints=${rocketmq.proxy}`,
    '--set', `rocketmq.data.topic=${topic}`,
    '--set', 'checkpoint.interval.ms=200',
    '--set', 'log.level=info',
  ];
  const runs: Run[] = [];
  let load: WriteLoad | null = null;
  let written = 0;
  try {
    await explained([master], log, async () => {
      runs.push(startCli(args));
      await waitFor('the initial full sync and a first checkpoint', async () => (await readCheckpointFile(cpPath)) !== null, 60_000, () => runs[0]!.stderr.slice(-5).join('\n'));
      load = new WriteLoad(c0, 'kill', 10, 10, 40);

      // the un-acked windows: (checkpoint saved before the kill, master offset at the kill]
      const windows: Array<{ from: number; to: number }> = [];
      for (let k = 0; k < KILLS; k++) {
        await delay(1500 + Math.floor(random() * 3000));
        const run = runs[runs.length - 1]!;
        run.child.kill('SIGKILL');
        await run.exited;
        const to = await masterOffset(c0);
        const cp = await readCheckpointFile(cpPath);
        assert.ok(cp, 'a checkpoint exists at each kill');
        windows.push({ from: cp.offset, to });
        const next = startCli(args);
        runs.push(next);
        await waitFor(`restart ${k + 1} to resume`, () => next.stderr.some((l) => /partial resync accepted \(\+CONTINUE\)|full sync/.test(l)), 60_000, () => next.stderr.slice(-5).join('\n'));
      }
      await delay(2000);
      written = await load.stop();
      const end = await masterOffset(c0);
      await waitFor('the last run to checkpoint the end of the stream', async () => ((await readCheckpointFile(cpPath))?.offset ?? 0) >= end, 60_000);
      const last = runs[runs.length - 1]!;
      last.child.kill('SIGTERM');
      assert.equal(await last.exited, 0, `the last run stops cleanly:\n${last.stderr.slice(-10).join('\n')}`);

      // every restart resumed: +CONTINUE in its log, never a second full sync
      for (const [i, run] of runs.entries()) {
        const full = run.stderr.filter((l) => l.includes('full sync: a snapshot was published')).length;
        const partial = run.stderr.filter((l) => l.includes('partial resync accepted (+CONTINUE)')).length;
        if (i === 0) assert.equal(full, 1, 'the first run makes the one full sync');
        else assert.deepEqual({ full, partial }, { full: 0, partial: 1 }, `run ${i} resumed with +CONTINUE:\n${run.stderr.slice(0, 12).join('\n')}`);
      }
      const stats = await syncStats(c0);
      assert.equal(stats.full, 1, 'the master made one full sync');
      assert.equal(stats.partialOk, KILLS, 'and one accepted partial resync per restart');

      // read everything back
      await reader.start();
      const writesSeen = (): Set<number> => {
        const seen = new Set<number>();
        for (const d of decodeMessages(reader.messages)) {
          const e = d.event;
          if (e.type === 'command' && e.command === 'SET' && e.args[1]!.toString().startsWith('kill:')) seen.add(Number(e.args[2]!.toString()));
        }
        return seen;
      };
      await waitFor(`all ${written} writes in the topic`, () => writesSeen().size === written, 120_000, () => `${writesSeen().size} of ${written}`);
      await delay(1500); // late duplicates, if any, show up too
      assertGroupOrder(reader.messages, true);

      // duplicates: same event (ce_id) more than once; each must lie in an un-acked window
      const copies = new Map<string, { offset: number; n: number }>();
      for (const m of reader.messages) {
        if (m.headers[H.type] !== 'redis.command' || m.headers[H.part] !== undefined) continue;
        const id = m.headers[H.id]!;
        const c = copies.get(id) ?? { offset: Number(m.headers[H.offset]), n: 0 };
        c.n++;
        copies.set(id, c);
      }
      const duplicated = [...copies.values()].filter((c) => c.n > 1);
      for (const d of duplicated) {
        const inWindows = windows.filter((w) => d.offset > w.from && d.offset <= w.to).length;
        assert.ok(inWindows > 0, `offset ${d.offset} was published ${d.n} times but lies in no un-acked window ${JSON.stringify(windows)}`);
        assert.ok(d.n <= 1 + inWindows, `offset ${d.offset} published ${d.n} times, more than its ${inWindows} window(s) explain`);
      }
      t.diagnostic(
        `${written} writes, ${KILLS} kills; windows ${windows.map((w) => `${w.to - w.from} B`).join(', ')}; ` +
          `${duplicated.length} events republished; ${reader.messages.length} messages read`,
      );
    });
  } finally {
    await (load as WriteLoad | null)?.stop().catch(() => undefined);
    for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await reader.stop().catch(() => undefined);
    c0.disconnect();
    await master.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
