// The parser's public contract: feed/end/done/position/remainder, batching, stamped metadata, errors
// that stay errors, and the two wrappers (parseRdbFile, RdbEventStream) with back-pressure.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import type { SnapshotEvent } from '../../../src/events/types.js';
import { RdbParseError } from '../../../src/rdb/errors.js';
import { parseRdbFile } from '../../../src/rdb/parse-file.js';
import { RdbParser } from '../../../src/rdb/parser.js';
import { RdbEventStream } from '../../../src/rdb/rdb-stream.js';
import { corpusPath } from '../../helpers/corpus.js';
import { len, RdbBuilder, str } from './rdb-builder.js';

const small = new RdbBuilder('REDIS0011').aux('redis-ver', '7.2.0').selectDb(0).key(0, 'a', str('1')).key(1, 'l', len(2), str('x'), str('y')).bytes();

describe('RdbParser contract', () => {
  it('stamps replid/offset on every event and reports reason/previous in snapshot-begin', () => {
    const events: SnapshotEvent[] = [];
    const p = new RdbParser((b) => events.push(...b), { replid: 'r'.repeat(40), offset: 1234, reason: 'resync', previous: { replid: 'old', offset: 99 } });
    p.feed(small);
    for (const e of events) {
      assert.equal(e.replid, 'r'.repeat(40));
      assert.equal(e.offset, 1234);
      assert.equal(typeof e.rdbOffset, 'number');
    }
    const begin = events[0];
    assert.ok(begin?.type === 'snapshot-begin' && begin.reason === 'resync' && begin.previous?.offset === 99 && begin.db === -1);
    assert.equal(new Set(events.map((e) => e.rdbOffset)).size, events.length, 'rdbOffset tells snapshot events apart');
  });

  it('done, position and remainder: bytes after the RDB (same chunk and later feeds) are kept', () => {
    const p = new RdbParser(() => undefined);
    const tail = Buffer.from('*1\r\n$4\r\nPING\r\n');
    p.feed(small.subarray(0, 20));
    assert.equal(p.done, false);
    assert.equal(p.position <= 20, true);
    p.feed(Buffer.concat([small.subarray(20), tail.subarray(0, 5)]));
    assert.equal(p.done, true);
    assert.equal(p.position, small.length);
    p.feed(tail.subarray(5));
    assert.ok(p.remainder().equals(tail));
    p.end(); // complete: no error
  });

  it('delivers each feed in batches of at most maxBatchEvents, never one call per key', () => {
    const b = new RdbBuilder('REDIS0011');
    for (let i = 0; i < 2500; i++) b.key(0, `k${i}`, str('v'));
    const sizes: number[] = [];
    const p = new RdbParser((batch) => sizes.push(batch.length), { maxBatchEvents: 1000 });
    p.feed(b.bytes());
    assert.deepEqual(sizes, [1000, 1000, 502]);
  });

  it('end() before the EOF opcode throws RDB_UNEXPECTED_EOF; the parser then stays failed', () => {
    const p = new RdbParser(() => undefined);
    p.feed(small.subarray(0, small.length - 3));
    assert.throws(() => p.end(), (e: unknown) => e instanceof RdbParseError && e.code === 'RDB_UNEXPECTED_EOF' && e.rdbOffset === small.length - 3);
    assert.throws(() => p.feed(Buffer.from('x')), (e: unknown) => e instanceof RdbParseError && e.code === 'RDB_UNEXPECTED_EOF');
  });

  it('a parse error is thrown by feed() after the events before it were delivered', () => {
    const bad = Buffer.concat([small.subarray(0, small.length - 9), Buffer.from([0x1f])]);
    const seen: string[] = [];
    const p = new RdbParser((b) => seen.push(...b.map((e) => e.type)));
    assert.throws(() => p.feed(bad), (e: unknown) => e instanceof RdbParseError && e.code === 'RDB_UNKNOWN_TYPE');
    assert.deepEqual(seen, ['snapshot-begin', 'aux', 'key-value', 'key-value']);
  });

  it('refuses to be fed from inside onEvents', () => {
    let inner: unknown = null;
    const p: RdbParser = new RdbParser(() => {
      try {
        p.feed(Buffer.from('x'));
      } catch (e) {
        inner = e;
      }
    });
    p.feed(small);
    assert.ok(inner instanceof RdbParseError && inner.code === 'RDB_PARSER_STATE');
  });

  it('verifyChecksum: false accepts a wrong checksum and reports it as not computed', () => {
    const bad = Buffer.from(small);
    bad[bad.length - 1] ^= 0xff;
    const strict = new RdbParser(() => undefined);
    assert.throws(() => strict.feed(bad), (e: unknown) => e instanceof RdbParseError && e.code === 'RDB_BAD_CHECKSUM');
    const events: SnapshotEvent[] = [];
    new RdbParser((b) => events.push(...b), { verifyChecksum: false }).feed(bad);
    const end = events.at(-1);
    assert.ok(end?.type === 'snapshot-end' && end.checksum === 'not-computed');
  });

  it('rejects invalid options', () => {
    assert.throws(() => new RdbParser(() => undefined, { maxChunkBytes: 0 }), /maxChunkBytes/);
  });
});

describe('wrappers', () => {
  const file = corpusPath('generated', 'redis-7.4.1_default.rdb');

  it('parseRdbFile waits for onEvents promises before reading on (back-pressure)', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let keys = 0;
    const result = await parseRdbFile(
      file,
      async (events) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        keys += events.filter((e) => e.type === 'key-value' || (e.type === 'key-chunk' && e.index === 0)).length;
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
      },
      { readSize: 16384 },
    );
    assert.equal(maxInFlight, 1);
    assert.equal(result.keys, keys);
    assert.equal(result.checksum, 'verified');
    assert.equal(result.trailingBytes, 0);
  });

  it('RdbEventStream emits event batches through a slow consumer and exposes the remainder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rmqr-rdb-stream-'));
    try {
      const path = join(dir, 'x.rdb');
      writeFileSync(path, Buffer.concat([small, Buffer.from('tail')]));
      const stream = new RdbEventStream();
      const types: string[] = [];
      await pipeline(
        createReadStream(path, { highWaterMark: 7 }),
        stream,
        new Writable({
          objectMode: true,
          write(batch: SnapshotEvent[], _enc, cb) {
            types.push(...batch.map((e) => e.type));
            setTimeout(cb, 1);
          },
        }),
      );
      assert.deepEqual(types, ['snapshot-begin', 'aux', 'key-value', 'key-value', 'snapshot-end']);
      assert.equal(stream.remainder().toString(), 'tail');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('RdbEventStream fails the pipeline with the typed error of a truncated RDB', async () => {
    await assert.rejects(
      pipeline(Readable.from([small.subarray(0, 30)]), new RdbEventStream(), new Writable({ objectMode: true, write: (_b, _e, cb) => cb() })),
      (e: unknown) => e instanceof RdbParseError && e.code === 'RDB_UNEXPECTED_EOF',
    );
  });
});
