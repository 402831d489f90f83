// events/binary-codec.ts: every event type survives encode -> decode unchanged (raw bytes, -0/Infinity
// scores, 64-bit stream ids, null and absent optional fields, huge collections), the encoding is smaller
// than JSON, and bad input (truncations, bit flips, lying lengths, garbage) fails with EVENT_BAD_BINARY
// and a byte offset, quickly, never with another error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  BINARY_CONTENT_TYPE,
  BINARY_FORMAT_V1,
  binaryCodec,
  decodeBinaryEvent,
  encodeBinaryEvent,
} from '../../../src/events/binary-codec.js';
import { jsonCodec } from '../../../src/events/envelope.js';
import { EVENT_TYPES, type ReplicationEvent } from '../../../src/events/types.js';
import { ReplicatorError } from '../../../src/errors.js';
import { RdbParser } from '../../../src/rdb/parser.js';
import { prng } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';
import { R, SAMPLE_EVENTS, b, meta } from '../../helpers/sample-events.js';

const samples = SAMPLE_EVENTS;

function label(e: ReplicationEvent, i: number): string {
  return `#${i} ${e.type}${'valueType' in e ? ' ' + e.valueType : ''}`;
}

function isBadBinary(err: unknown): boolean {
  return err instanceof ReplicatorError && err.code === 'EVENT_BAD_BINARY' && /at byte \d+ of \d+/.test(err.message);
}

function rdbEvents(file: string): ReplicationEvent[] {
  const events: ReplicationEvent[] = [];
  const p = new RdbParser((batch) => events.push(...batch), { maxChunkElements: 50 });
  p.feed(readFileSync(corpusPath('generated', file)));
  p.end();
  return events;
}

describe('binary event codec', () => {
  it('covers every event type', () => {
    assert.deepEqual([...new Set(samples.map((e) => e.type))].sort(), [...EVENT_TYPES].sort());
  });

  it('is an EventCodec with its own content-type and a leading format byte', () => {
    assert.equal(binaryCodec.name, 'binary');
    assert.equal(binaryCodec.contentType, BINARY_CONTENT_TYPE);
    assert.notEqual(binaryCodec.contentType, jsonCodec.contentType);
    for (const e of samples) assert.equal(binaryCodec.encode(e)[0], BINARY_FORMAT_V1);
  });

  samples.forEach((e, i) => {
    it(`round-trips ${label(e, i)} and agrees with the JSON codec`, () => {
      const enc = encodeBinaryEvent(e);
      const dec = decodeBinaryEvent(enc);
      assert.deepStrictEqual(dec, e);
      assert.deepStrictEqual(dec, jsonCodec.decode(jsonCodec.encode(e)));
    });
  });

  it('keeps -0, infinities, subnormals and NaN in numeric fields too', () => {
    const e: ReplicationEvent = { type: 'snapshot-end', replid: R, offset: -0, db: -0, checksum: 'absent', keys: 0.5, bytes: NaN, epoch: -Infinity };
    const d = decodeBinaryEvent(encodeBinaryEvent(e));
    assert.ok(Object.is(d.offset, -0) && Object.is(d.db, -0));
    assert.ok(d.type === 'snapshot-end' && d.keys === 0.5 && Number.isNaN(d.bytes) && d.epoch === -Infinity);
  });

  it('round-trips integers at every magnitude boundary of the varint', () => {
    const values = [0, 1, 31, 32, 33, 127, 128, 4095, 4096, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 35, 2 ** 48, 2 ** 53 - 1];
    for (const v of values) {
      for (const n of [v, -v]) {
        if (Object.is(n, -0)) continue;
        const e: ReplicationEvent = { type: 'stream-end', replid: '', offset: n, db: n, reason: '' };
        assert.deepStrictEqual(decodeBinaryEvent(encodeBinaryEvent(e)), e, `value ${n}`);
      }
    }
  });

  it('round-trips huge collections and a 5 MB value', () => {
    const list = Array.from({ length: 200_000 }, (_, i) => b(`element-${i}`));
    const e1: ReplicationEvent = { type: 'key-value', ...meta, db: 0, key: b('biglist'), rdbType: 18, valueType: 'list', value: list };
    assert.deepStrictEqual(decodeBinaryEvent(encodeBinaryEvent(e1)), e1);
    const zset = Array.from({ length: 50_000 }, (_, i): [Buffer, number] => [b(`m${i}`), i / 7 - 1000]);
    const e2: ReplicationEvent = { type: 'key-value', ...meta, db: 0, key: b('bigz'), rdbType: 5, valueType: 'zset', value: zset };
    assert.deepStrictEqual(decodeBinaryEvent(encodeBinaryEvent(e2)), e2);
    const big = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const e3: ReplicationEvent = { type: 'command', replid: R, offset: 9, db: 0, command: 'SET', args: [b('SET'), b('k'), big], keys: [b('k')], known: true };
    const enc = encodeBinaryEvent(e3);
    assert.ok(enc.length < big.length + 100, `raw bytes, no base64 (${enc.length} bytes)`);
    assert.deepStrictEqual(decodeBinaryEvent(enc), e3);
  });

  it('decodes into buffers that do not alias the input', () => {
    const e: ReplicationEvent = { type: 'aux', ...meta, key: b('k'), value: b('v'), inBody: false };
    const enc = encodeBinaryEvent(e);
    const d = decodeBinaryEvent(enc);
    enc.fill(0);
    assert.deepStrictEqual(d, e);
  });

  it('round-trips every event of real RDBs, smaller than JSON', () => {
    for (const file of ['redis-7.4.1_default.rdb', 'redis-5.0.14_lru.rdb', 'valkey-8.0.1_default.rdb']) {
      const events = rdbEvents(file);
      assert.ok(events.length > 100, `${file}: ${events.length} events`);
      let binBytes = 0;
      let jsonBytes = 0;
      for (const e of events) {
        const enc = encodeBinaryEvent(e);
        binBytes += enc.length;
        jsonBytes += jsonCodec.encode(e).length;
        assert.deepStrictEqual(decodeBinaryEvent(enc), e);
      }
      assert.ok(binBytes < jsonBytes * 0.8, `${file}: binary ${binBytes} B vs JSON ${jsonBytes} B`);
    }
  });

  it('refuses every truncation of every sample with EVENT_BAD_BINARY', () => {
    for (const [i, e] of samples.entries()) {
      const enc = encodeBinaryEvent(e);
      for (let n = 0; n < enc.length; n++) {
        assert.throws(() => decodeBinaryEvent(enc.subarray(0, n)), isBadBinary, `${label(e, i)} cut at ${n}/${enc.length}`);
      }
    }
  });

  it('refuses trailing bytes, an unknown format, an unknown type tag and undefined flag bits', () => {
    const enc = encodeBinaryEvent(samples[0]!);
    assert.throws(() => decodeBinaryEvent(Buffer.concat([enc, Buffer.from([0])])), (e: unknown) => isBadBinary(e) && /unexpected bytes after the event/.test((e as Error).message));
    assert.throws(() => decodeBinaryEvent(Buffer.from('{"type":"aux"}')), (e: unknown) => isBadBinary(e) && /unknown format byte 0x7b/.test((e as Error).message));
    assert.throws(() => decodeBinaryEvent(Buffer.from([BINARY_FORMAT_V1, 99, 0])), (e: unknown) => isBadBinary(e) && /at byte 1 .*type tag 99/.test((e as Error).message));
    // stream-begin (tag 10) defines only the two common flags
    assert.throws(() => decodeBinaryEvent(Buffer.from([BINARY_FORMAT_V1, 10, 0x04, 0, 0, 0, 0])), (e: unknown) => isBadBinary(e) && /at byte 2 .*flags 0x4/.test((e as Error).message));
    assert.throws(() => decodeBinaryEvent(Buffer.alloc(0)), isBadBinary);
  });

  it('refuses lengths and counts larger than the input without allocating them', () => {
    // aux with a key length of 2^50: one varint, then nothing
    const hugeLen = Buffer.from([BINARY_FORMAT_V1, 3, 0, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]);
    assert.throws(() => decodeBinaryEvent(hugeLen), (e: unknown) => isBadBinary(e) && /byte string of \d+ bytes exceeds/.test((e as Error).message));
    // a list claiming 2^40 elements
    const list = encodeBinaryEvent({ type: 'key-value', replid: '', offset: 0, db: 0, key: b('k'), rdbType: 1, valueType: 'list', value: [] });
    const patched = Buffer.concat([list.subarray(0, list.length - 1), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x20])]);
    const t0 = process.hrtime.bigint();
    assert.throws(() => decodeBinaryEvent(patched), (e: unknown) => isBadBinary(e) && /list element count \d+ exceeds/.test((e as Error).message));
    assert.ok(process.hrtime.bigint() - t0 < 50_000_000n);
    // a varint longer than 8 bytes
    assert.throws(() => decodeBinaryEvent(Buffer.from([BINARY_FORMAT_V1, 10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), (e: unknown) => isBadBinary(e) && /longer than 8 bytes/.test((e as Error).message));
  });

  it('fuzz: bit flips, byte changes and garbage decode to an event or fail with EVENT_BAD_BINARY, never hang', () => {
    const rnd = prng(20240601);
    const corpus = [...samples, ...rdbEvents('redis-7.4.1_default.rdb').slice(0, 300)].map(encodeBinaryEvent);
    let decoded = 0;
    let refused = 0;
    const start = Date.now();
    for (let round = 0; round < 20_000; round++) {
      const src = corpus[Math.floor(rnd() * corpus.length)]!;
      const buf = Buffer.from(src);
      const mutations = 1 + Math.floor(rnd() * 3);
      for (let m = 0; m < mutations; m++) {
        const at = Math.floor(rnd() * buf.length);
        if (rnd() < 0.5) buf[at] = buf[at]! ^ (1 << Math.floor(rnd() * 8));
        else buf[at] = Math.floor(rnd() * 256);
      }
      try {
        const e = decodeBinaryEvent(buf);
        // Whatever decodes is a well-formed event: it encodes and decodes again to itself.
        assert.deepStrictEqual(decodeBinaryEvent(encodeBinaryEvent(e)), e);
        decoded++;
      } catch (err) {
        if (!isBadBinary(err)) throw err;
        refused++;
      }
    }
    for (let round = 0; round < 5_000; round++) {
      const buf = Buffer.alloc(Math.floor(rnd() * 64));
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rnd() * 256);
      if (buf.length > 0 && rnd() < 0.7) buf[0] = BINARY_FORMAT_V1;
      try {
        decodeBinaryEvent(buf);
        decoded++;
      } catch (err) {
        if (!isBadBinary(err)) throw err;
        refused++;
      }
    }
    assert.ok(refused > 1000 && decoded > 100, `decoded ${decoded}, refused ${refused}`);
    assert.ok(Date.now() - start < 20_000, 'fuzz rounds took too long');
  });
});
