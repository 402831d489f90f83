// kill -9 of the replicator (the CLI with sink=kafka) at random moments during a steady write load,
// three times, each followed by a restart. Afterwards: every write is in the topic at least once;
// a record repeated in a partition is an event after the checkpoint the killed process left and
// before the master offset at the kill (the un-acknowledged window), told apart by (replid, offset);
// every restart resumed with +CONTINUE (its log, and the master's sync_partial_ok).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CLI_MAIN } from '../../helpers/cli.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { masterOffset, redisClient, startMaster, syncStats } from '../../helpers/redis-master.js';
import { uniqueName, waitFor } from '../../helpers/wait-for.js';
import { loadIndexes, WriteLoad } from '../../helpers/write-load.js';
import { checkpointOffset } from '../../helpers/checkpoint-file.js';
import { assertPartitionOrder, decodeRecords, readTopic } from './kafka-helpers.js';

const KILLS = 3;

class CliRun {
  readonly child: ChildProcess;
  stderr = '';
  exit: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exit = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
}

test('kill -9 of the kafka replicator during writes: everything arrives, duplicates only in the un-acked window, +CONTINUE on restart', { timeout: 300_000 }, async (t) => {
  const { kafka } = testServers();
  const master = await startMaster('redis-kafka-kill9');
  const dir = await mkdtemp(join(tmpdir(), 'rmqr-kafka-kill9-'));
  const client = redisClient(master);
  const checkpoint = join(dir, 'checkpoint.json');
  const topic = uniqueName('rmqr-kill9');
  const args = [
    'replicate',
    '--redis', `redis://${master.address}`,
    '--sink', 'kafka',
    '--checkpoint', checkpoint,
    '--set', `kafka.brokers=${kafka.bootstrap}`,
    '--set', `kafka.topic=${topic}`,
    '--set', 'kafka.topic.create=true',
    '--set', 'kafka.topic.partitions=3',
    '--set', 'checkpoint.interval.ms=200',
  ];
  const runs: CliRun[] = [];
  let load: WriteLoad | null = null;
  try {
    await withLogsOnFailure([master, { name: 'kafka', logPath: kafka.logPath }], async () => {
      for (let i = 0; i < 50; i++) await client.set(`pre:${i}`, String(i));
      runs.push(new CliRun(args));
      await waitFor('the first checkpoint', async () => (await checkpointOffset(checkpoint)) >= 0, 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; replicator log:\n${runs[0]!.stderr}`);
      });
      load = new WriteLoad(client, 'load');
      const windows: Array<{ checkpoint: number; masterOffset: number }> = [];
      for (let k = 0; k < KILLS; k++) {
        const wait = randomInt(1000, 4000);
        await delay(wait);
        const run = runs.at(-1)!;
        run.child.kill('SIGKILL');
        await run.exit;
        // the file is final once the process is gone (saves are atomic renames)
        windows.push({ checkpoint: await checkpointOffset(checkpoint), masterOffset: await masterOffset(client) });
        t.diagnostic(`kill ${k + 1} after ${wait} ms: checkpoint ${windows[k]!.checkpoint}, master offset ${windows[k]!.masterOffset}`);
        const next = new CliRun(args);
        runs.push(next);
        await waitFor(`restart ${k + 1} to resume`, () => next.stderr.includes('+CONTINUE') || next.child.exitCode !== null, 60_000);
        assert.match(next.stderr, /partial resync accepted \(\+CONTINUE\)/, `restart ${k + 1} log:\n${next.stderr}`);
      }
      await delay(2000);
      const written = await load.stop();
      load = null;
      const target = await masterOffset(client);
      await waitFor('the last run to checkpoint everything', async () => (await checkpointOffset(checkpoint)) >= target, 120_000);
      const last = runs.at(-1)!;
      last.child.kill('SIGTERM');
      assert.equal(await last.exit, 0, `graceful stop:\n${last.stderr.slice(-2000)}`);

      const stats = await syncStats(client);
      assert.equal(stats.full, 1, 'one full sync, the first start');
      assert.equal(stats.partialOk, KILLS, 'every restart was a partial resync');

      const records = decodeRecords(await readTopic([kafka.bootstrap], topic));
      const seen = new Set(loadIndexes(records.map((r) => r.event), 'load'));
      const missing = Array.from({ length: written }, (_, i) => i).filter((i) => !seen.has(i));
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${written} writes missing`);
      const repeats = assertPartitionOrder(records, true);
      for (const r of repeats) {
        const o = r.event.offset;
        if (r.event.type === 'stream-begin') {
          assert.ok(windows.some((w) => w.checkpoint === o), `restart marker stream-begin@${o} is at a checkpoint a kill left`);
          continue;
        }
        assert.ok(
          windows.some((w) => w.checkpoint < o && o <= w.masterOffset),
          `repeated ${r.event.type}@${o} (partition ${r.partition}) is outside every un-acked window ${JSON.stringify(windows)}`,
        );
      }
      t.diagnostic(`${written} writes, ${records.length} records, ${repeats.length} repeated records`);
    });
  } finally {
    await (load as WriteLoad | null)?.stop().catch(() => undefined);
    for (const r of runs) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    client.disconnect();
    await master.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
