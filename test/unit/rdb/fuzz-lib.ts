// RDB fuzzing: corpus files mutated by bit flips, truncations, inflated lengths, byte insertions and
// deletions, then parsed with random chunkings and options. Every case must end with events or an
// RdbParseError: any other exception is a crash. Cases are reproducible from (seed, index).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { RdbParseError } from '../../../src/rdb/errors.js';
import { RdbParser, type RdbParserOptions } from '../../../src/rdb/parser.js';
import { prng } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';

export interface FuzzInput {
  name: string;
  bytes: Buffer;
}

/** Corpus files small enough to parse many times (generated, broken, public fixtures). */
export function fuzzInputs(maxSize = 300_000): FuzzInput[] {
  const out: FuzzInput[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = `${dir}/${name}`;
      const st = statSync(path);
      if (st.isDirectory()) walk(path, `${rel}${name}/`);
      else if (name.endsWith('.rdb') && st.size > 9 && st.size <= maxSize) out.push({ name: `${rel}${name}`, bytes: readFileSync(path) });
    }
  };
  walk(corpusPath('generated'), 'generated/');
  walk(corpusPath('broken'), 'broken/');
  walk(corpusPath('public'), 'public/');
  return out;
}

export interface FuzzCase {
  index: number;
  input: string;
  mutation: string;
  bytes: Buffer;
  chunks: number[];
  options: RdbParserOptions;
}

/** Case `index` of run `seed`: the same pair always gives the same case. */
export function makeCase(inputs: FuzzInput[], seed: number, index: number): FuzzCase {
  const rnd = prng((seed * 1_000_003 + index) >>> 0);
  const pick = (n: number): number => Math.floor(rnd() * n);
  const src = inputs[pick(inputs.length)] as FuzzInput;
  let bytes = Buffer.from(src.bytes);
  const muts: string[] = [];
  const rounds = 1 + pick(3);
  for (let r = 0; r < rounds; r++) {
    const at = 9 + pick(Math.max(1, bytes.length - 9));
    switch (pick(6)) {
      case 0: {
        const bit = pick(8);
        bytes[at] = (bytes[at] as number) ^ (1 << bit);
        muts.push(`flip@${at}.${bit}`);
        break;
      }
      case 1:
        bytes = bytes.subarray(0, at);
        muts.push(`cut@${at}`);
        break;
      case 2: {
        // An inflated length: a 32- or 64-bit length prefix claiming far more than exists.
        const big = pick(2) === 0 ? Buffer.from([0x80, 0x7f, 0xff, 0xff, 0xff]) : Buffer.from([0x81, 0x40, 0, 0, 0, 0, 0, 0, 0]);
        bytes = Buffer.concat([bytes.subarray(0, at), big, bytes.subarray(at + 1)]);
        muts.push(`inflate@${at}`);
        break;
      }
      case 3: {
        const v = pick(256);
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([v]), bytes.subarray(at)]);
        muts.push(`insert@${at}=${v}`);
        break;
      }
      case 4:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(8))]);
        muts.push(`delete@${at}`);
        break;
      default: {
        const v = [0x00, 0x3f, 0x40, 0x7f, 0x80, 0xc3, 0xfe, 0xff][pick(8)] as number;
        bytes[at] = v;
        muts.push(`set@${at}=${v}`);
      }
    }
  }
  const chunks: number[] = [];
  const maxChunk = [1, 7, 300, 65536, bytes.length][pick(5)] as number;
  for (let n = 0; n < bytes.length; ) {
    const c = 1 + pick(Math.max(1, maxChunk));
    chunks.push(c);
    n += c;
  }
  const options: RdbParserOptions = {};
  if (pick(2) === 0) options.payloadLength = bytes.length;
  if (pick(3) === 0) {
    options.maxChunkElements = 1 + pick(5);
    options.maxChunkBytes = 1 + pick(200);
  }
  if (pick(5) === 0) options.verifyChecksum = false;
  return { index, input: src.name, mutation: muts.join(','), bytes, chunks, options };
}

export interface FuzzOutcome {
  result: string; // "ok" or an RDB_* code
  events: number;
}

/** Runs one case; throws (a crash) for anything but success or an RdbParseError. */
export function runCase(c: FuzzCase): FuzzOutcome {
  let events = 0;
  const p = new RdbParser((b) => {
    events += b.length;
  }, c.options);
  try {
    let at = 0;
    for (const n of c.chunks) {
      p.feed(c.bytes.subarray(at, at + n));
      at += n;
    }
    p.end();
    return { result: 'ok', events };
  } catch (e) {
    if (e instanceof RdbParseError) return { result: e.code, events };
    throw e;
  }
}

export function describeCase(seed: number, c: FuzzCase): string {
  return `seed ${seed} case ${c.index}: ${c.input} ${c.mutation} (${c.bytes.length} bytes, ${c.chunks.length} chunks, options ${JSON.stringify(c.options)})`;
}
