// kill -9 of the replicator process (the CLI with the file sink and a checkpoint file) at random moments
// while a steady write load runs, restarted each time: every restart resumes with a partial sync
// (+CONTINUE, logged, counted by the master's sync_partial_ok), no write is missing, the offsets of the
// published commands cover the stream without a gap, and duplicates are only events after the
// checkpoint of the killed run.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fromJsonLine } from '../../../src/events/json.js';
import type { CommandEvent, ReplicationEvent, StreamBeginEvent } from '../../../src/events/types.js';
import { CLI_MAIN } from '../../helpers/cli.js';
import { prng } from '../../helpers/chunkings.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { masterOffset, syncStats } from '../../helpers/redis-master.js';
import { WriteLoad } from '../../helpers/write-load.js';
import { featuresOf } from './features.js';
import { clientFor, redisUri, startMaster } from './master.js';
import { assertAllWrites, offsetChainGaps } from './write-checks.js';

const servers = testServers();
const KILLS = 3;

interface Run {
  child: ChildProcess;
  stderr: string;
  exited: Promise<number | null>;
  files: string[];
  /** Checkpoint offset this run started from (-1: none). */
  resumedFrom: number;
}

function startCli(args: string[], resumedFrom: number): Run {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const run: Run = { child, stderr: '', exited: Promise.resolve(null), files: [], resumedFrom };
  child.stderr!.on('data', (d: Buffer) => (run.stderr += d.toString()));
  run.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return run;
}

function readCheckpoint(path: string): { replid: string; offset: number; db: number } {
  return JSON.parse(readFileSync(path, 'utf8')) as { replid: string; offset: number; db: number };
}

/** Events of one file; a kill -9 may tear the last line of the file being written: it is skipped. */
function readEvents(path: string, mayBeTorn: boolean): { events: ReplicationEvent[]; torn: number } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const last = lines.pop();
  assert.ok(last === '' || mayBeTorn, `${path} ends without a newline but its writer was not killed`);
  const events = lines.map((l) => fromJsonLine(l));
  return { events, torn: last === '' ? 0 : 1 };
}

async function waitUntil(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

for (const r of servers.redis) {
  const f = featuresOf(r);
  test(`${f.label}: kill -9 of the CLI ${KILLS} times under load, restart from the checkpoint -> +CONTINUE each time, no gap, duplicates only after the checkpoint`, async () => {
    const master = await startMaster(r, { diskless: true });
    const c = clientFor(master);
    const dir = mkdtempSync(join(tmpdir(), 'rmqr-crash-'));
    const sinkDir = join(dir, 'events');
    const cpPath = join(dir, 'checkpoint.json');
    const args = [
      'replicate', '--redis', redisUri(master), '--sink', 'file', '--checkpoint', cpPath,
      '--set', `sink.file.dir=${sinkDir}`, '--set', 'checkpoint.interval.ms=50', '--set', 'pipeline.linger.ms=2',
    ];
    const runs: Run[] = [];
    const rnd = prng(Number(r.version.replace(/\D/g, '')));
    let load: WriteLoad | null = null;
    try {
      await withLogsOnFailure([master], async () => {
        await c.connect();
        await c.call('SET', ['before', 'first start']);
        const before = await syncStats(c);
        const filesNow = (): string[] => (existsSync(sinkDir) ? readdirSync(sinkDir).filter((n) => n.endsWith('.jsonl')).sort() : []);
        const newFiles = (known: Set<string>): string[] => filesNow().filter((n) => !known.has(n));

        runs.push(startCli(args, -1));
        await waitUntil('the first checkpoint', () => existsSync(cpPath));
        load = new WriteLoad(c, 'kl', 10, 3);
        const seen = new Set<string>();
        for (let k = 0; k < KILLS; k++) {
          const run = runs[k]!;
          await delay(250 + Math.floor(rnd() * 500));
          run.child.kill('SIGKILL');
          assert.equal(await run.exited, null, 'killed by the signal');
          run.files = newFiles(seen);
          for (const n of run.files) seen.add(n);
          const cp = readCheckpoint(cpPath);
          const next = startCli(args, cp.offset);
          runs.push(next);
          await waitUntil(`restart ${k + 1} to resume`, () => /partial sync/.test(next.stderr) || next.child.exitCode !== null);
        }
        const n = await load.stop();
        load = null;
        const end = await masterOffset(c);
        await waitUntil('the checkpoint to reach master_repl_offset', () => readCheckpoint(cpPath).offset === end);
        const last = runs.at(-1)!;
        last.child.kill('SIGTERM');
        assert.equal(await last.exited, 0, `graceful stop: ${last.stderr}`);
        last.files = newFiles(seen);

        // The master saw one full sync and a partial sync per restart.
        const after = await syncStats(c);
        assert.equal(after.full - before.full, 1, 'one full sync (the first start)');
        assert.equal(after.partialOk - before.partialOk, KILLS, 'sync_partial_ok +1 per restart');
        for (const run of runs.slice(1)) {
          assert.match(run.stderr, /partial sync/, 'the restart logs its partial sync (+CONTINUE)');
          assert.doesNotMatch(run.stderr, /full sync: receiving/, 'no full sync after a restart');
        }

        // Every event file, run by run.
        let torn = 0;
        const perRun = runs.map((run, i) => {
          const events: ReplicationEvent[] = [];
          for (const name of run.files) {
            const got = readEvents(join(sinkDir, name), i < runs.length - 1 && name === run.files.at(-1));
            events.push(...got.events);
            torn += got.torn;
          }
          return events;
        });
        const all = perRun.flat();
        process.stderr.write(`# ${f.label}: ${n} writes, ${all.length} events in ${runs.length} runs, ${torn} torn last line(s)\n`);

        for (let i = 1; i < runs.length; i++) {
          const events = perRun[i]!;
          const begin = events[0] as StreamBeginEvent;
          assert.equal(begin.type, 'stream-begin', `run ${i} starts with stream-begin`);
          assert.equal(begin.mode, 'partial');
          assert.equal(begin.offset, runs[i]!.resumedFrom, `run ${i} resumes at the killed run's checkpoint`);
          for (const e of events) assert.ok(e.offset >= runs[i]!.resumedFrom, 'nothing before the checkpoint is published again');
        }
        // Duplicates: only events of a killed run that lie after the checkpoint it left behind.
        const count = new Map<number, number>();
        for (const e of all) if (e.type === 'command') count.set(e.offset, (count.get(e.offset) ?? 0) + 1);
        const dupOffsets = [...count].filter(([, k]) => k > 1).map(([o]) => o);
        for (const o of dupOffsets) {
          const ok = runs.slice(1).some((run, i) => o > run.resumedFrom && perRun[i]!.some((e) => e.offset === o));
          assert.ok(ok, `offset ${o} duplicated but not after a checkpoint`);
        }

        assertAllWrites(all, 'kl', n, false);
        const commands = all.filter((e): e is CommandEvent => e.type === 'command');
        const start = (perRun[0]!.find((e) => e.type === 'stream-begin') as StreamBeginEvent).offset;
        const chain = offsetChainGaps(commands, start);
        assert.deepEqual(chain.gaps, [], 'the published command offsets cover the stream without a gap');
        const tail = end - Math.max(...commands.map((e) => e.offset));
        assert.ok(tail >= 0 && tail % 14 === 0, `only master PINGs after the last write (${tail} bytes)`);
        assert.equal(readCheckpoint(cpPath).offset, end);
      });
    } finally {
      await (load as WriteLoad | null)?.stop().catch(() => undefined);
      for (const run of runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await Promise.all(runs.map((run) => run.exited));
      c.disconnect();
      await master.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
