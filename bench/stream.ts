// `npm run bench:stream [-- --n 2000000 --pipeline 16 --only raw,count,file --modes live,backlog]`
//
// Throughput of the replica side against a dedicated redis-server 7.0 (Debian) written by
// `redis-benchmark -P 16 -t set,incr,lpush -n N` (3 N commands). Three replicas, each on a fresh master:
//   raw    baseline: a raw socket replica that only counts the stream bytes (and ACKs them);
//   count  the Replicator in-process with a counting sink (no I/O);
//   file   the Replicator with the file sink (JSON lines, fsync per batch).
// Two modes:
//   live     the replica is attached while redis-benchmark writes. Every 100 ms the master's offset
//            (INFO replication) and the replica's durable offset are sampled: lag in bytes, and lag in
//            ms (how long after the master reached an offset the replica did). The rate is bounded by
//            the master's own write rate, which the three processes share 2 cores for.
//   backlog  the load is written with no replica attached (into a 1 GB backlog), then the replica
//            resumes with PSYNC from before the load: the rate at which it turns the stream into events
//            when the master is not the bottleneck.
// Reported: commands/s turned into events (the sink has acknowledged them), MB/s of stream, lags, and the
// ratio to the raw replica of the same mode. Target (issue 4): >= 300 k commands/s into events.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Checkpoint, CheckpointStore } from '../src/checkpoint/store.js';
import { toJsonLine } from '../src/events/json.js';
import type { ReplicationEvent, StreamPosition } from '../src/events/types.js';
import { Replicator } from '../src/pipeline/replicator.js';
import { FileSink } from '../src/sinks/file.js';
import type { Sink } from '../src/sinks/sink.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';
import { RespClient } from './lib/resp-client.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const N = Number(arg('--n', '2000000'));
const PIPELINE = Number(arg('--pipeline', '16'));
const KINDS = arg('--only', 'raw,count,file').split(',') as Kind[];
const MODES = arg('--modes', 'live,backlog').split(',') as Mode[];
const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_BENCHMARK = process.env.REDIS_BENCHMARK ?? '/usr/bin/redis-benchmark';
const TESTS = ['set', 'incr', 'lpush'];

type Kind = 'raw' | 'count' | 'file';
type Mode = 'live' | 'backlog';

/** A replica under measurement. */
interface Replica {
  /** Offset whose events exist (raw: bytes received). */
  offset(): number;
  /** Commands turned into events so far (raw: 0). */
  commands(): number;
  close(): Promise<void>;
}

const respArray = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

// ---------------------------------------------------------------------------------------------
// Baseline: a raw socket replica. PSYNC (full or from a position), skip the RDB, count stream bytes.

async function rawReplica(port: number, from: StreamPosition | null): Promise<Replica & { position: () => StreamPosition }> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.setNoDelay(true);
  let buf = Buffer.alloc(0);
  let phase: 'handshake' | 'header' | 'rdb' | 'stream' = 'handshake';
  let replies = 0;
  let replid = from?.replid ?? '';
  let base = from?.offset ?? 0;
  let bytes = 0;
  let mark: Buffer | null = null;
  let remaining = 0;
  let ackTimer: NodeJS.Timeout | null = null;
  let streaming!: () => void;
  const started = new Promise<void>((resolve) => (streaming = resolve));
  const ack = (): void => void socket.write(respArray('REPLCONF', 'ACK', String(base + bytes)));
  const goStream = (rest: Buffer): void => {
    phase = 'stream';
    bytes = rest.length;
    ack();
    ackTimer = setInterval(ack, 100);
    streaming();
  };
  socket.on('data', (d: Buffer) => {
    if (phase === 'stream') {
      bytes += d.length;
      return;
    }
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (phase === 'handshake' || phase === 'header') {
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        const line = buf.toString('latin1', 0, nl).replace(/\r$/, '');
        buf = buf.subarray(nl + 1);
        if (line === '') continue;
        if (phase === 'handshake') {
          replies++;
          if (line.startsWith('+FULLRESYNC')) {
            const [, id, off] = line.split(' ');
            replid = id ?? '';
            base = Number(off);
            phase = 'header';
          } else if (line.startsWith('+CONTINUE')) {
            goStream(buf);
            return;
          } else if (replies === 3) {
            socket.write(from ? respArray('PSYNC', from.replid, String(from.offset + 1)) : respArray('PSYNC', '?', '-1'));
          }
          continue;
        }
        if (line.startsWith('$EOF:')) mark = Buffer.from(line.slice(5), 'latin1');
        else remaining = Number(line.slice(1));
        phase = 'rdb';
        continue;
      }
      if (mark) {
        const at = buf.indexOf(mark);
        if (at < 0) return;
        goStream(buf.subarray(at + mark.length));
      } else {
        if (buf.length < remaining) return;
        goStream(buf.subarray(remaining));
      }
      return;
    }
  });
  socket.write(respArray('PING') + respArray('REPLCONF', 'listening-port', '6999') + respArray('REPLCONF', 'capa', 'eof', 'capa', 'psync2'));
  await started;
  return {
    offset: () => base + bytes,
    commands: () => 0,
    position: () => ({ replid, offset: base + bytes, db: 0 }),
    close: async () => {
      if (ackTimer) clearInterval(ackTimer);
      socket.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The Replicator, with a counting sink or the file sink.

class CountingSink implements Sink {
  readonly name = 'count';
  readonly maxInFlight = 1;
  commands = 0;
  constructor(private readonly inner: Sink | null = null) {}
  open(): Promise<void> {
    return this.inner?.open() ?? Promise.resolve();
  }
  async publish(batch: readonly ReplicationEvent[]): Promise<void> {
    if (this.inner) await this.inner.publish(batch);
    for (const e of batch) {
      if (e.type === 'command') this.commands++;
      else if (e.type === 'transaction') this.commands += e.commands.length;
    }
  }
  close(): Promise<void> {
    return this.inner?.close() ?? Promise.resolve();
  }
}

class MemoryCheckpoint implements CheckpointStore {
  constructor(private cp: Checkpoint | null) {}
  load(): Promise<Checkpoint | null> {
    return Promise.resolve(this.cp);
  }
  save(cp: Checkpoint): Promise<void> {
    this.cp = cp;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

async function replicatorReplica(port: number, kind: 'count' | 'file', dir: string, from: StreamPosition | null): Promise<Replica> {
  const sink = new CountingSink(kind === 'file' ? new FileSink(toJsonLine, { dir, fsync: true }) : null);
  const r = new Replicator({ redis: `redis://127.0.0.1:${port}`, sink, checkpoint: new MemoryCheckpoint(from) });
  let synced!: () => void;
  const done = new Promise<void>((resolve) => (synced = resolve));
  r.on('sync', () => synced());
  await r.open();
  await done;
  return {
    offset: () => r.status().durable?.offset ?? 0,
    commands: () => sink.commands,
    close: () => r.close(),
  };
}

// ---------------------------------------------------------------------------------------------

interface Sample {
  t: number;
  master: number;
  replica: number;
}

interface Result {
  kind: Kind;
  mode: Mode;
  commands: number;
  seconds: number;
  bytes: number;
  lag?: { maxBytes: number; avgBytes: number; maxMs: number; avgMs: number; catchUpMs: number };
}

function runBenchmark(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(REDIS_BENCHMARK, ['-p', String(port), '-P', String(PIPELINE), '-t', TESTS.join(','), '-n', String(N), '-q'], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-benchmark exited with ${code}`))));
  });
}

/** Time at which the sampled master offset first reached `offset`, interpolated between samples. */
function masterReached(samples: Sample[], offset: number): number | null {
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.master < offset) continue;
    const p = samples[i - 1];
    if (!p || s.master === p.master) return s.t;
    return p.t + ((offset - p.master) / (s.master - p.master)) * (s.t - p.t);
  }
  return null;
}

const avg = (a: number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

async function attach(kind: Kind, port: number, dir: string, from: StreamPosition | null): Promise<Replica> {
  return kind === 'raw' ? rawReplica(port, from) : replicatorReplica(port, kind, dir, from);
}

async function measure(kind: Kind, mode: Mode, server: RedisServer, dir: string): Promise<Result> {
  const admin = await RespClient.open(server.port);
  const masterOffset = async (): Promise<number> => Number(/master_repl_offset:(\d+)/.exec(String(await admin.call('INFO', 'replication')))?.[1] ?? 0);
  try {
    if (mode === 'backlog') {
      // A first replica creates the backlog and gives the position before the load; then it leaves.
      const first = await rawReplica(server.port, null);
      while (first.offset() < (await masterOffset())) await delay(5);
      const from = first.position();
      await first.close();
      await runBenchmark(server.port);
      const end = await masterOffset();
      const t0 = performance.now();
      const replica = await attach(kind, server.port, dir, from);
      while (replica.offset() < end) await delay(2);
      const seconds = (performance.now() - t0) / 1000;
      const commands = kind === 'raw' ? N * TESTS.length : replica.commands();
      await replica.close();
      return { kind, mode, commands, seconds, bytes: end - from.offset };
    }

    const replica = await attach(kind, server.port, dir, null);
    const startOffset = await masterOffset();
    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const m = await masterOffset();
        samples.push({ t: performance.now(), master: m, replica: replica.offset() });
        await delay(100);
      }
    })();
    const loadStart = performance.now();
    await runBenchmark(server.port);
    const loadEnd = performance.now();
    const end = await masterOffset();
    while (replica.offset() < end) await delay(2);
    const doneAt = performance.now();
    sampling = false;
    await sampler;
    samples.push({ t: doneAt, master: end, replica: replica.offset() });
    const commands = kind === 'raw' ? N * TESTS.length : replica.commands();
    await replica.close();
    const lagBytes = samples.map((s) => Math.max(0, s.master - s.replica));
    const lagMs = samples.map((s) => Math.max(0, s.t - (masterReached(samples, s.replica) ?? s.t)));
    return {
      kind,
      mode,
      commands,
      seconds: (doneAt - loadStart) / 1000,
      bytes: end - startOffset,
      lag: { maxBytes: Math.max(...lagBytes), avgBytes: avg(lagBytes), maxMs: Math.max(...lagMs), avgMs: avg(lagMs), catchUpMs: doneAt - loadEnd },
    };
  } finally {
    admin.close();
  }
}

const NAMES: Record<Kind, string> = {
  raw: 'raw socket replica (bytes only)',
  count: 'Replicator + counting sink',
  file: 'Replicator + file sink (fsync)',
};

async function main(): Promise<void> {
  process.stdout.write(`redis-benchmark -P ${PIPELINE} -t ${TESTS.join(',')} -n ${N} (${N * TESTS.length} commands) against ${REDIS_SERVER}; node ${process.version}\n`);
  const results: Result[] = [];
  for (const mode of MODES) {
    process.stdout.write(`\n${mode === 'live' ? 'live: attached while redis-benchmark writes' : 'backlog: the load is written first, then the replica resumes with PSYNC and catches up'}\n`);
    for (const kind of KINDS) {
      const dir = mkdtempSync(join(tmpdir(), 'rmqr-bench-stream-'));
      const server = await startRedis({
        binary: REDIS_SERVER,
        name: `bench-${mode}-${kind}`,
        args: ['--repl-diskless-sync-delay', '0', '--repl-backlog-size', '1gb', '--client-output-buffer-limit', 'replica 0 0 0', '--repl-ping-replica-period', '3600'],
      });
      try {
        const r = await measure(kind, mode, server, join(dir, 'events'));
        results.push(r);
        const raw = results.find((x) => x.mode === mode && x.kind === 'raw');
        const mbs = r.bytes / r.seconds / 1048576;
        let line = `  ${NAMES[kind].padEnd(32)} ${(r.commands / r.seconds / 1000).toFixed(0).padStart(5)} k commands/s${kind === 'raw' ? ' (issued)  ' : ' into events'}, ${mbs.toFixed(1).padStart(5)} MB/s`;
        if (raw && raw !== r) line += ` (${(mbs / (raw.bytes / raw.seconds / 1048576)).toFixed(2)}x raw)`;
        if (r.lag) {
          const l = r.lag;
          line += `; lag max ${(l.maxBytes / 1048576).toFixed(1)} MB / ${l.maxMs.toFixed(0)} ms, avg ${(l.avgBytes / 1048576).toFixed(1)} MB / ${l.avgMs.toFixed(0)} ms; caught up ${l.catchUpMs.toFixed(0)} ms after the load`;
        }
        process.stdout.write(`${line}\n`);
      } finally {
        await server.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const best = results.filter((r) => r.kind === 'count').map((r) => r.commands / r.seconds);
  if (best.length > 0) {
    const rate = Math.max(...best);
    process.stdout.write(`\ntarget >= 300 k commands/s into events (counting sink): ${rate >= 300_000 ? 'met' : 'MISSED'} (${(rate / 1000).toFixed(0)} k/s)\n`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:stream failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
