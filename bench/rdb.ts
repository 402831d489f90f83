// `npm run bench:rdb [-- --runs N] [--only NAME] [--regenerate]`
//
// Generates big RDB files once with a real redis-server into ~/.cache/redis-mq-replicator/bench
// (2 M small keys, 200 k mixed collections, one 5 M-element list, one 100 MB string; each saved with
// rdbcompression yes and no), adds the corpus perf file, and parses each in a child process.
// Reports MB/s, keys/s and peak RSS (best of N runs), each against baselines measured in the same
// invocation: reading the file and computing its CRC-64 only (in JS, same process setup), and
// `redis-check-rdb` loading it (Redis's own C loader, for scale).
// Targets: >= 300 MB/s and >= 3 M keys/s on uncompressed small keys, >= 150 MB/s with LZF,
// peak RSS <= 150 MB whatever the file or key size.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusPath } from '../test/helpers/corpus.js';
import { RespClient } from './lib/resp-client.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = process.env.RMQR_BENCH_DIR ?? join(homedir(), '.cache', 'redis-mq-replicator', 'bench');
const REDIS_SERVER = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const REDIS_CHECK = process.env.REDIS_CHECK_RDB ?? '/usr/bin/redis-check-rdb';
/** Bump when the generated content changes, so cached files are rebuilt. */
const DATASET_VERSION = 2;

interface Dataset {
  name: string;
  populate(c: RespClient): Promise<void>;
}

const DATASETS: Dataset[] = [
  {
    name: 'small-keys',
    // 2 M string keys "key:N" with 100-byte values "value:N" + padding (redis DEBUG POPULATE).
    populate: async (c) => {
      await c.call('DEBUG', 'POPULATE', 2_000_000, 'key', 100);
    },
  },
  {
    name: 'collections',
    // 200 k collections: 50 k each of lists, sets, zsets, hashes (8 elements), plus 1 k streams.
    populate: async (c) => {
      const script = `
        local n, first = tonumber(ARGV[1]), tonumber(ARGV[2])
        for i = first, first + n - 1 do
          local k = tostring(i)
          redis.call('RPUSH', 'l:'..k, 'a'..k, 'b', 'c'..i, i, 'elem-'..(i*7), 'x', 'y', 'z')
          redis.call('SADD', 's:'..k, i, i+1, i+2, 'm'..i, 'n'..i, 'o', 'p', 'q')
          redis.call('ZADD', 'z:'..k, 1, 'a'..i, 2.5, 'b', 3, 'c', i, 'd', -1, 'e', 0.125, 'f', 7, 'g', 8, 'h')
          redis.call('HSET', 'h:'..k, 'f1', 'v'..i, 'f2', i, 'f3', 'value-three', 'f4', 'x', 'f5', 'y', 'f6', 'z', 'f7', i*3, 'f8', 'w')
          if i % 50 == 0 then
            for j = 1, 10 do redis.call('XADD', 'x:'..k, '*', 'field', j, 'payload', 'data-'..i..'-'..j) end
            redis.call('XGROUP', 'CREATE', 'x:'..k, 'g', '0')
          end
        end
        return n`;
      for (let first = 0; first < 50_000; first += 10_000) await c.call('EVAL', script, 0, 10_000, first);
    },
  },
  {
    name: 'big-list',
    // One list of 5 M elements (quicklist of ~8 KiB listpack nodes).
    populate: async (c) => {
      const script = `
        local first, n = tonumber(ARGV[1]), tonumber(ARGV[2])
        local batch = {}
        for i = first, first + n - 1 do
          batch[#batch + 1] = 'element:' .. i
          if #batch == 1000 then redis.call('RPUSH', 'biglist', unpack(batch)) batch = {} end
        end
        if #batch > 0 then redis.call('RPUSH', 'biglist', unpack(batch)) end
        return n`;
      for (let first = 0; first < 5_000_000; first += 250_000) await c.call('EVAL', script, 0, first, 250_000);
    },
  },
  {
    name: 'big-string',
    // One 100 MB string of compressible pseudo-text (so LZF matters), appended 1 MB at a time.
    populate: async (c) => {
      const words = ['redis', 'replica', 'snapshot', 'kafka', 'stream', 'offset', 'event', 'chunk'];
      let x = 12345;
      const piece = (): Buffer => {
        const parts: string[] = [];
        let len = 0;
        while (len < 1_048_576) {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          const w = `${words[x % words.length]}-${x % 100000} `;
          parts.push(w);
          len += w.length;
        }
        return Buffer.from(parts.join('').slice(0, 1_048_576));
      };
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) pending.push(c.call('APPEND', 'bigstring', piece()));
      await Promise.all(pending);
    },
  },
];

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

async function generate(missing: Dataset[]): Promise<void> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`redis-server not found at ${REDIS_SERVER} (set REDIS_SERVER)`);
  const port = await freePort();
  const server = spawn(REDIS_SERVER, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', CACHE,
    '--dbfilename', 'generate.tmp.rdb', '--enable-debug-command', 'yes', '--list-compress-depth', '0', '--lua-time-limit', '60000',
  ], { stdio: 'ignore' });
  try {
    let client: RespClient | null = null;
    for (let i = 0; i < 100 && !client; i++) {
      client = await RespClient.open(port).catch(async () => {
        await new Promise((r) => setTimeout(r, 100));
        return null;
      });
    }
    if (!client) throw new Error('redis-server did not start');
    for (const d of missing) {
      process.stdout.write(`generating ${d.name} with ${REDIS_SERVER} ...\n`);
      await client.call('FLUSHALL');
      await d.populate(client);
      for (const lzf of [true, false]) {
        await client.call('CONFIG', 'SET', 'rdbcompression', lzf ? 'yes' : 'no');
        await client.call('SAVE');
        renameSync(join(CACHE, 'generate.tmp.rdb'), fileOf(d.name, lzf));
      }
    }
    await client.call('FLUSHALL');
    client.close();
  } finally {
    server.kill('SIGTERM');
  }
}

function fileOf(name: string, lzf: boolean): string {
  return join(CACHE, `${name}-v${DATASET_VERSION}-${lzf ? 'lzf' : 'nolzf'}.rdb`);
}

interface Measure {
  bytes: number;
  keys: number;
  ms: number;
  rssMb: number;
}

function measure(mode: 'parse' | 'crc', file: string): Measure {
  const r = spawnSync(process.execPath, [join(HERE, 'rdb-case.js'), mode, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${mode} ${file} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as Measure;
}

function redisCheck(file: string): number | null {
  if (!existsSync(REDIS_CHECK)) return null;
  const t = performance.now();
  const r = spawnSync(REDIS_CHECK, [file], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return r.status === 0 ? performance.now() - t : null;
}

const fmt = (n: number, d = 0): string => n.toFixed(d);

async function main(argv: string[]): Promise<number> {
  const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;
  const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
  mkdirSync(CACHE, { recursive: true });
  const missing = DATASETS.filter((d) => argv.includes('--regenerate') || !existsSync(fileOf(d.name, true)) || !existsSync(fileOf(d.name, false)));
  if (missing.length > 0) await generate(missing);

  const cases: { name: string; file: string; target?: { mbps?: number; kps?: number } }[] = [];
  for (const d of DATASETS) {
    for (const lzf of [false, true]) {
      const target = d.name === 'small-keys' ? (lzf ? { mbps: 150 } : { mbps: 300, kps: 3e6 }) : undefined;
      cases.push({ name: `${d.name} ${lzf ? 'lzf' : 'nolzf'}`, file: fileOf(d.name, lzf), ...(target ? { target } : {}) });
    }
  }
  cases.push({ name: 'corpus perf', file: resolve(corpusPath('perf', 'redis-7.4.1_perf.rdb')) });

  const rows: string[][] = [];
  let failed = false;
  for (const c of cases) {
    if (only && !c.name.includes(only)) continue;
    const size = statSync(c.file).size;
    let best: Measure | null = null;
    let rss = 0;
    for (let i = 0; i < runs; i++) {
      const m = measure('parse', c.file);
      rss = Math.max(rss, m.rssMb);
      if (!best || m.ms < best.ms) best = m;
    }
    const crc = [0, 1].map(() => measure('crc', c.file)).sort((a, b) => a.ms - b.ms)[0] as Measure;
    const check = redisCheck(c.file);
    const b = best as Measure;
    const mbps = size / 1e3 / b.ms;
    const kps = (b.keys / b.ms) * 1000;
    const crcMbps = size / 1e3 / crc.ms;
    const verdicts: string[] = [];
    if (c.target?.mbps !== undefined) verdicts.push(mbps >= c.target.mbps ? `MB/s>=${c.target.mbps} ok` : `MB/s<${c.target.mbps} MISSED`);
    if (c.target?.kps !== undefined) verdicts.push(kps >= c.target.kps ? 'keys/s>=3M ok' : 'keys/s<3M MISSED');
    verdicts.push(rss <= 150 ? 'rss<=150 ok' : 'rss>150 MISSED');
    if (verdicts.some((v) => v.endsWith('MISSED'))) failed = true;
    rows.push([
      c.name, fmt(size / 1e6, 1), String(b.keys), fmt(b.ms), fmt(mbps), fmt(kps / 1e6, 2), fmt(rss),
      fmt(crcMbps), fmt(mbps / crcMbps, 2), check === null ? '-' : fmt(check), check === null ? '-' : fmt(check / b.ms, 2), verdicts.join(', '),
    ]);
    process.stdout.write(`${rows.at(-1)?.join(' | ')}\n`);
  }
  const head = ['case', 'MB', 'keys', 'parse ms (best)', 'MB/s', 'Mkeys/s', 'peak RSS MB', 'CRC-only MB/s', 'parse/CRC speed', 'redis-check-rdb ms', 'check/parse time', 'targets'];
  process.stdout.write(`\n| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|\n`);
  for (const r of rows) process.stdout.write(`| ${r.join(' | ')} |\n`);
  process.stdout.write(`\nnode ${process.version}, ${runs} runs per case, files in ${CACHE}\n`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  },
);
