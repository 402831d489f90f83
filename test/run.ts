// The test runner behind `npm test` (after the build):
//   node dist/test/run.js                       unit tests, then integration tests
//   node dist/test/run.js --unit | --integration one part only
//   node dist/test/run.js [flags] FILTER...      only files whose path contains a FILTER (e.g. smoke/kafka)
// Integration tests share one test bed: started here before the first file, described to the test
// processes in RMQR_SERVERS, stopped at the end, also on failure and on SIGINT/SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printLogTails, startTestBed, type TestBed } from './servers/test-bed.js';

/** <outDir> (dist/ or a private .build-* dir): this file is <outDir>/test/run.js. */
const OUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const log = (line: string): void => {
  process.stderr.write(`[run] ${line}\n`);
};

interface Counts {
  pass: number;
  fail: number;
  skipped: number;
  todo: number;
  cancelled: number;
}

interface PartResult {
  name: string;
  counts: Counts;
  ok: boolean;
}

function listTests(dir: string, filters: string[]): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(path);
    }
  };
  walk(dir);
  const rel = (p: string): string => relative(OUT_DIR, p).split(sep).join('/');
  return found
    .filter((p) => filters.length === 0 || filters.some((f) => rel(p).includes(f)))
    .sort((a, b) => rel(a).localeCompare(rel(b)));
}

let activeChild: ChildProcess | undefined;

/** Runs `node --test` on the files: spec report on stdout, TAP to a file for the counts. */
function runNodeTest(name: string, files: string[], extraArgs: string[], env: NodeJS.ProcessEnv): Promise<PartResult> {
  const tapFile = join(tmpdir(), `rmqr-${name}-${process.pid}.tap`);
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [
        '--test',
        ...extraArgs,
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tapFile}`,
        ...files,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], env },
    );
    activeChild = child;
    child.once('close', (code, signal) => {
      activeChild = undefined;
      const counts = readCounts(tapFile);
      rmSync(tapFile, { force: true });
      const ok = code === 0 && signal === null && counts !== undefined && counts.fail === 0 && counts.cancelled === 0;
      resolvePromise({ name, ok, counts: counts ?? { pass: 0, fail: 1, skipped: 0, todo: 0, cancelled: 0 } });
    });
  });
}

function readCounts(tapFile: string): Counts | undefined {
  let tap: string;
  try {
    tap = readFileSync(tapFile, 'utf8');
  } catch {
    return undefined;
  }
  const last = (key: string): number | undefined => {
    const all = [...tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))];
    const m = all[all.length - 1];
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const pass = last('pass');
  if (pass === undefined) return undefined;
  return { pass, fail: last('fail') ?? 0, skipped: last('skipped') ?? 0, todo: last('todo') ?? 0, cancelled: last('cancelled') ?? 0 };
}

function summary(counts: Counts): string {
  return `${counts.pass} passed, ${counts.fail + counts.cancelled} failed, ${counts.skipped + counts.todo} skipped`;
}

function timeoutArg(envName: string, defaultMs: number): string {
  const fromEnv = Number(process.env[envName]);
  return `--test-timeout=${Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : defaultMs}`;
}

let bed: TestBed | undefined;
let stopping = false;
/** Set once main() settled (or a signal ended the run). */
let finished = false;

async function runIntegration(files: string[]): Promise<PartResult> {
  const t0 = Date.now();
  log(`starting the test servers for ${files.length} integration test file(s)`);
  bed = await startTestBed({ detached: true, log: (line) => log(`[servers] ${line}`) });
  log(`test servers ready in ${Date.now() - t0} ms; start time per server (ms, started in parallel):`);
  for (const [name, ms] of Object.entries(bed.description.startMs)) log(`  ${name.padEnd(24)} ${ms}`);
  for (const m of bed.description.missing) log(`!!! MISSING ${m.name}: ${m.reason}`);
  let result: PartResult | undefined;
  try {
    result = await runNodeTest(
      'integration',
      files,
      // one file at a time: 2 cores, shared heavy servers
      ['--test-concurrency=1', timeoutArg('RMQR_INTEGRATION_TEST_TIMEOUT_MS', 600_000)],
      { ...process.env, RMQR_SERVERS: JSON.stringify(bed.description), KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    );
    return result;
  } finally {
    if (result?.ok !== true && !stopping) {
      log('integration tests failed: server logs follow');
      printLogTails(bed, log);
    }
    const t1 = Date.now();
    await bed.stop();
    bed = undefined;
    log(`test servers stopped in ${Date.now() - t1} ms`);
  }
}

function onSignal(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping tests and servers`);
  activeChild?.kill(signal);
  const current = bed;
  void (current === undefined ? Promise.resolve() : current.stop()).finally(() => {
    finished = true;
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  for (const f of flags) {
    if (f !== '--unit' && f !== '--integration') {
      log(`unknown flag ${f}; usage: node dist/test/run.js [--unit|--integration] [FILTER...]`);
      return 2;
    }
  }
  // a filter may name the .ts source: match the compiled .js path
  const filters = argv.filter((a) => !a.startsWith('--')).map((f) => f.replace(/\.ts$/, '.js'));
  const wantUnit = !flags.has('--integration') || flags.has('--unit');
  const wantIntegration = !flags.has('--unit') || flags.has('--integration');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const results: PartResult[] = [];
  if (wantUnit) {
    const files = listTests(join(OUT_DIR, 'test', 'unit'), filters);
    if (files.length === 0) log('unit: no test file matches');
    else {
      log(`unit: ${files.length} file(s)`);
      results.push(await runNodeTest('unit', files, [timeoutArg('RMQR_UNIT_TEST_TIMEOUT_MS', 300_000)], process.env));
    }
  }
  if (wantIntegration && !stopping) {
    const files = listTests(join(OUT_DIR, 'test', 'integration'), filters);
    if (files.length === 0) log('integration: no test file matches');
    else {
      try {
        results.push(await runIntegration(files));
      } catch (err) {
        log(err instanceof Error ? err.message : String(err));
        results.push({ name: 'integration', ok: false, counts: { pass: 0, fail: 1, skipped: 0, todo: 0, cancelled: 0 } });
      }
    }
  }
  const total: Counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
  for (const r of results) {
    log(`${r.name}: ${summary(r.counts)}${r.ok ? '' : ' (FAILED)'}`);
    total.pass += r.counts.pass;
    total.fail += r.counts.fail;
    total.skipped += r.counts.skipped;
    total.todo += r.counts.todo;
    total.cancelled += r.counts.cancelled;
  }
  const ok = results.every((r) => r.ok);
  // the plain closing line CI reads
  process.stdout.write(`total: ${summary(total)}\n`);
  return ok ? 0 : 1;
}

// If the event loop ever empties before main() settles, Node would exit 0: make that a failure.
process.on('exit', () => {
  if (!finished) {
    process.stderr.write('[run] exited before the run finished: counting it as a failure\n');
    process.exitCode = 1;
  }
});

main(process.argv.slice(2)).then(
  (code) => {
    finished = true;
    process.exitCode = code;
  },
  (err: unknown) => {
    finished = true;
    log(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
