// Parse + classify throughput of the command-stream hot path: RespCommandDecoder -> StreamAssembler
// (lookup, key specs, events). Input: 1 M commands (SET key:N <100 B>, an RPUSH every 10, a PING every
// 1000, MULTI/EXEC around every 500th) fed in 64 KiB chunks, as a socket would deliver them.
// Baseline, measured in the same run: a plain scan of the same chunks for CRLF (indexOf), the least any
// RESP parser must do. Reported: cmds/s and the ratio to the baseline (time of the scan / time of the run).
//   npm run bench:resp [-- --commands 1000000 --rounds 5]
import { StreamAssembler } from '../src/commands/stream-assembler.js';
import type { CommandEvent, TransactionEvent } from '../src/events/types.js';
import { RespCommandDecoder } from '../src/resp/command-decoder.js';
import { encodeCommand } from '../src/resp/encoder.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const COMMANDS = arg('--commands', 1_000_000);
const ROUNDS = arg('--rounds', 5);
const CHUNK = 64 * 1024;

function buildStream(): { chunks: Buffer[]; bytes: number; count: number } {
  const value = Buffer.alloc(100, 0x78);
  const parts: Buffer[] = [encodeCommand(['SELECT', '0'])];
  let count = 1;
  for (let i = 0; i < COMMANDS - 1; i++) {
    if (i % 500 === 0) parts.push(encodeCommand(['MULTI']));
    if (i % 1000 === 999) parts.push(encodeCommand(['PING']));
    else if (i % 10 === 9) parts.push(encodeCommand(['RPUSH', `list:${i % 1000}`, value]));
    else parts.push(encodeCommand(['SET', `key:${i}`, value]));
    if (i % 500 === 0) parts.push(encodeCommand(['EXEC']));
    count += i % 500 === 0 ? 3 : 1;
  }
  const all = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  // Fresh buffers per chunk, like socket reads.
  for (let o = 0; o < all.length; o += CHUNK) chunks.push(Buffer.from(all.subarray(o, o + CHUNK)));
  return { chunks, bytes: all.length, count };
}

function scanBaseline(chunks: Buffer[]): number {
  let lines = 0;
  for (const c of chunks) {
    for (let i = c.indexOf(13); i >= 0; i = c.indexOf(13, i + 1)) lines++;
  }
  return lines;
}

function decodeOnly(chunks: Buffer[]): number {
  let n = 0;
  const decoder = new RespCommandDecoder({ onCommand: () => void n++ });
  for (const c of chunks) decoder.feed(c);
  decoder.end();
  return n;
}

function decodeAndAssemble(chunks: Buffer[]): { commands: number; events: number; offset: number } {
  let events = 0;
  let last: CommandEvent | TransactionEvent | null = null;
  const assembler = new StreamAssembler(
    {
      onEvent: (e) => {
        events++;
        last = e;
      },
    },
    { replid: 'bench', offset: 0 },
  );
  const decoder = new RespCommandDecoder(assembler);
  for (const c of chunks) decoder.feed(c);
  decoder.end();
  if (last === null) throw new Error('no events');
  return { commands: assembler.commands, events, offset: assembler.offset };
}

function time<T>(fn: () => T): [number, T] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [Number(process.hrtime.bigint() - t0) / 1e9, r];
}

const { chunks, bytes, count } = buildStream();
process.stdout.write(`input: ${count} commands, ${(bytes / 1e6).toFixed(1)} MB in ${chunks.length} chunks of 64 KiB\n`);
const best = { scan: Infinity, decode: Infinity, full: Infinity };
for (let r = 0; r < ROUNDS; r++) {
  const [ts] = time(() => scanBaseline(chunks));
  const [td, n] = time(() => decodeOnly(chunks));
  const [tf, res] = time(() => decodeAndAssemble(chunks));
  if (n !== count || res.commands !== count || res.offset !== bytes) throw new Error(`count mismatch ${n} ${res.commands} ${count}`);
  best.scan = Math.min(best.scan, ts);
  best.decode = Math.min(best.decode, td);
  best.full = Math.min(best.full, tf);
}
const rate = (t: number) => `${(count / t / 1e6).toFixed(2)} M cmds/s, ${(bytes / t / 1e6).toFixed(0)} MB/s`;
process.stdout.write(`baseline CRLF scan:              ${rate(best.scan)}\n`);
process.stdout.write(`decode (RespCommandDecoder):     ${rate(best.decode)}  ratio to baseline ${(best.scan / best.decode).toFixed(2)}\n`);
process.stdout.write(`decode + assemble (events):      ${rate(best.full)}  ratio to baseline ${(best.scan / best.full).toFixed(2)}\n`);
