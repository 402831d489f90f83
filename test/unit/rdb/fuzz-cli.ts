// `npm run fuzz:rdb -- --cases N --seed S [--time-limit-ms T] [--max-rss-mb M]`
// Runs fuzz cases (fuzz-lib.ts) in a worker thread watched by the main thread: a case that runs past
// the time limit (a hang) or a process whose RSS passes the limit (a blow-up) is stopped and
// reported with what reproduces it, like a crash. Exit status 0 only when every case ended with
// events or a typed RdbParseError. Prints one summary line per result kind.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { describeCase, fuzzInputs, makeCase, runCase } from './fuzz-lib.js';

interface Job {
  seed: number;
  from: number;
  to: number;
}

type Msg =
  | { kind: 'start'; index: number }
  | { kind: 'done'; index: number; result: string; ms: number }
  | { kind: 'crash'; index: number; error: string };

function worker(job: Job): void {
  const inputs = fuzzInputs();
  const port = parentPort;
  if (!port) return;
  for (let i = job.from; i < job.to; i++) {
    port.postMessage({ kind: 'start', index: i } satisfies Msg);
    const c = makeCase(inputs, job.seed, i);
    const t = performance.now();
    try {
      const o = runCase(c);
      port.postMessage({ kind: 'done', index: i, result: o.result, ms: performance.now() - t } satisfies Msg);
    } catch (e) {
      port.postMessage({ kind: 'crash', index: i, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Msg);
      return;
    }
  }
}

function arg(argv: string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} needs a non-negative integer`);
  return v;
}

async function main(argv: string[]): Promise<number> {
  const cases = arg(argv, '--cases', 1000);
  const seed = arg(argv, '--seed', Date.now() % 1_000_000);
  const timeLimitMs = arg(argv, '--time-limit-ms', 10_000);
  const maxRssMb = arg(argv, '--max-rss-mb', 1024);
  const counts = new Map<string, number>();
  let slowest = 0;
  let failure: string | null = null;
  const started = Date.now();
  await new Promise<void>((resolve) => {
    // A small heap makes the collector keep up; a parse that needs more is a blow-up anyway.
    const w = new Worker(new URL(import.meta.url), {
      workerData: { seed, from: 0, to: cases } satisfies Job,
      resourceLimits: { maxOldGenerationSizeMb: 192 },
    });
    let current = -1;
    let since = Date.now();
    const stop = (why: string): void => {
      failure = why;
      clearInterval(watch);
      void w.terminate();
    };
    const watch = setInterval(() => {
      const rss = process.memoryUsage().rss / 1048576;
      if (current >= 0 && Date.now() - since > timeLimitMs) stop(`HANG (> ${timeLimitMs} ms): ${describeCase(seed, makeCase(fuzzInputs(), seed, current))}`);
      else if (rss > maxRssMb) stop(`MEMORY (rss ${rss.toFixed(0)} MB > ${maxRssMb} MB) during ${describeCase(seed, makeCase(fuzzInputs(), seed, current))}`);
    }, 50);
    w.on('message', (m: Msg) => {
      if (m.kind === 'start') {
        current = m.index;
        since = Date.now();
      } else if (m.kind === 'done') {
        counts.set(m.result, (counts.get(m.result) ?? 0) + 1);
        slowest = Math.max(slowest, m.ms);
        current = -1;
      } else stop(`CRASH: ${describeCase(seed, makeCase(fuzzInputs(), seed, m.index))}\n${m.error}`);
    });
    w.on('error', (e) => stop(`WORKER ERROR: ${e.stack ?? e.message}`));
    w.on('exit', () => {
      clearInterval(watch);
      resolve();
    });
  });
  const done = [...counts.values()].reduce((a, b) => a + b, 0);
  for (const [k, v] of [...counts.entries()].sort((a, b) => b[1] - a[1])) process.stdout.write(`${k} ${v}\n`);
  process.stdout.write(`seed ${seed}: ${done}/${cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, slowest ${slowest.toFixed(0)} ms, peak rss ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB\n`);
  if (failure !== null) {
    process.stdout.write(`${failure}\n`);
    return 1;
  }
  return done === cases ? 0 : 1;
}

if (isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`fuzz: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );
} else {
  worker(workerData as Job);
}
