// `npm run bench:codec [-- --runs N]`
//
// Encode and decode throughput of the binary event codec against the JSON codec (the baseline,
// measured in the same run), on the events of the corpus perf RDB (snapshot events) and on a
// synthetic command stream (SET / HSET / ZADD / MSET / transactions, like live replication).
// Reports events/s and MB/s per codec, the binary/JSON ratio, and the encoded sizes.
import { readFileSync } from 'node:fs';
import { binaryCodec } from '../src/events/binary-codec.js';
import { jsonCodec, type EventCodec } from '../src/events/envelope.js';
import type { ReplicationEvent } from '../src/events/types.js';
import { RdbParser } from '../src/rdb/parser.js';
import { corpusPath } from '../test/helpers/corpus.js';

const runs = Number(argValue('--runs') ?? 5);

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function snapshotEvents(): ReplicationEvent[] {
  const events: ReplicationEvent[] = [];
  const p = new RdbParser((batch) => events.push(...batch), { maxChunkElements: 64 });
  p.feed(readFileSync(corpusPath('perf', 'redis-7.4.1_perf.rdb')));
  p.end();
  return events;
}

function commandEvents(n: number): ReplicationEvent[] {
  const replid = '0123456789abcdef0123456789abcdef01234567';
  const b = (s: string): Buffer => Buffer.from(s);
  const out: ReplicationEvent[] = [];
  let offset = 1_000_000;
  for (let i = 0; i < n; i++) {
    offset += 60;
    const k = b(`user:${i % 10_000}`);
    switch (i % 5) {
      case 0:
        out.push({ type: 'command', replid, offset, db: 0, command: 'SET', args: [b('SET'), k, b(`value-${i}-${'x'.repeat(40)}`)], keys: [k], known: true });
        break;
      case 1:
        out.push({ type: 'command', replid, offset, db: 0, command: 'HSET', args: [b('HSET'), k, b('name'), b(`n${i}`), b('age'), b(String(i % 90))], keys: [k], known: true });
        break;
      case 2:
        out.push({ type: 'command', replid, offset, db: 0, command: 'ZADD', args: [b('ZADD'), b('board'), b(String(i)), k], keys: [b('board')], known: true });
        break;
      case 3: {
        const k2 = b(`user:${(i + 1) % 10_000}`);
        out.push({ type: 'command', replid, offset, db: 1, command: 'MSET', args: [b('MSET'), k, b('1'), k2, b('2')], keys: [k, k2], known: true });
        break;
      }
      default:
        out.push({
          type: 'transaction', replid, offset, db: 0,
          commands: [
            { command: 'INCR', args: [b('INCR'), k], keys: [k], known: true, db: 0 },
            { command: 'EXPIRE', args: [b('EXPIRE'), k, b('60')], keys: [k], known: true, db: 0 },
          ],
        });
    }
  }
  return out;
}

interface Result {
  encodePerS: number;
  decodePerS: number;
  bytes: number;
}

function measure(codec: EventCodec, events: readonly ReplicationEvent[]): Result {
  let bestEnc = Infinity;
  let bestDec = Infinity;
  let encoded: Buffer[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const out: Buffer[] = new Array(events.length);
    for (let i = 0; i < events.length; i++) out[i] = codec.encode(events[i]!);
    const t1 = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < out.length; i++) sink += codec.decode(out[i]!).offset;
    const t2 = process.hrtime.bigint();
    if (sink === -1) console.log('unreachable');
    bestEnc = Math.min(bestEnc, Number(t1 - t0) / 1e9);
    bestDec = Math.min(bestDec, Number(t2 - t1) / 1e9);
    encoded = out;
  }
  const bytes = encoded.reduce((s, x) => s + x.length, 0);
  return { encodePerS: events.length / bestEnc, decodePerS: events.length / bestDec, bytes };
}

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : `${(n / 1e3).toFixed(0)} k`);

function report(name: string, events: readonly ReplicationEvent[]): void {
  const json = measure(jsonCodec, events);
  const bin = measure(binaryCodec, events);
  console.log(`\n${name}: ${events.length} events (best of ${runs} runs)`);
  for (const [label, r] of [['json', json], ['binary', bin]] as const) {
    console.log(
      `  ${label.padEnd(6)} encode ${fmt(r.encodePerS)} events/s (${((r.bytes / 1e6) * (r.encodePerS / events.length)).toFixed(0)} MB/s)` +
        `  decode ${fmt(r.decodePerS)} events/s   size ${(r.bytes / 1e6).toFixed(2)} MB (${(r.bytes / events.length).toFixed(1)} B/event)`,
    );
  }
  console.log(
    `  binary/json: encode x${(bin.encodePerS / json.encodePerS).toFixed(2)}, decode x${(bin.decodePerS / json.decodePerS).toFixed(2)}, size x${(bin.bytes / json.bytes).toFixed(2)}`,
  );
}

report('snapshot (corpus perf RDB)', snapshotEvents());
report('command stream (synthetic)', commandEvents(300_000));
