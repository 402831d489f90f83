// One measurement of bench/rdb.ts, run in its own process so that peak RSS belongs to it alone.
//   node rdb-case.js parse <file> [maxChunkBytes]   parseRdbFile, events counted and dropped
//   node rdb-case.js crc <file>                     baseline: read the file and CRC-64 it, nothing else
// Prints one JSON line: {mode, bytes, keys, events, ms, rssMb}.
import { open } from 'node:fs/promises';
import { Crc64 } from '../src/rdb/crc64.js';
import { parseRdbFile } from '../src/rdb/parse-file.js';

async function crcOnly(path: string): Promise<{ bytes: number }> {
  const fh = await open(path, 'r');
  const c = new Crc64();
  let bytes = 0;
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(256 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      c.update(buf, 0, bytesRead);
      bytes += bytesRead;
    }
  } finally {
    await fh.close();
  }
  return { bytes };
}

async function main(): Promise<void> {
  const [mode, path] = process.argv.slice(2);
  if ((mode !== 'parse' && mode !== 'crc') || !path) throw new Error('usage: rdb-case.js parse|crc <file>');
  const t = performance.now();
  let out: { bytes: number; keys: number; events: number };
  if (mode === 'crc') {
    out = { ...(await crcOnly(path)), keys: 0, events: 0 };
  } else {
    let events = 0;
    const r = await parseRdbFile(path, (batch) => {
      events += batch.length;
    });
    out = { bytes: r.bytes, keys: r.keys, events };
  }
  const ms = performance.now() - t;
  process.stdout.write(`${JSON.stringify({ mode, ...out, ms, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
