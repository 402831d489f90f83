// Big values come as key-chunk events: with small maxChunkElements/maxChunkBytes every value of the
// corpus (all types and encodings) is split, and putting the chunks back together gives exactly the
// whole values. Big strings stream out in chunks of exactly maxChunkBytes, LZF-compressed ones too,
// and no chunk keeps a buffer much larger than a chunk alive.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { KeyChunkEvent, SnapshotEvent } from '../../../src/events/types.js';
import { byteByByte, randomChunks, whole } from '../../helpers/chunkings.js';
import { corpusPath } from '../../helpers/corpus.js';
import { lzfCompress } from './lzf-compress.js';
import { jsonl, parseBuffer, reassemble } from './parse-helpers.js';
import { len, listpack, RdbBuilder, str } from './rdb-builder.js';

const small = { maxChunkElements: 3, maxChunkBytes: 64 };

function chunks(events: SnapshotEvent[]): KeyChunkEvent[] {
  return events.filter((e): e is KeyChunkEvent => e.type === 'key-chunk');
}

function comparable(events: SnapshotEvent[]): string {
  return jsonl(reassemble(events));
}

describe('chunked values reassemble to the whole values', () => {
  const files = [
    'generated/redis-2.8.24_default.rdb', // linked lists, ziplists, zipmap-era hashes, old zsets
    'generated/redis-6.2.16_zerothresh.rdb', // v1 streams, one entry per node
    'generated/redis-7.4.1_default.rdb', // listpacks, HFE hashes (24/25), v3 streams with groups
    'generated/redis-8.0-m_lowthresh.rdb', // LZF-compressed quicklist nodes
    'generated/valkey-8.0.1_cluster.rdb',
    'public/redis-replicator/src/test/resources/dump-stream.rdb', // 4 groups with PELs
  ];
  for (const f of files) {
    it(f, () => {
      const input = readFileSync(corpusPath(...f.split('/')));
      const wholeValues = parseBuffer(input, whole);
      assert.equal(wholeValues.error, null);
      const split = parseBuffer(input, whole, small);
      assert.equal(split.error, null, split.error?.message);
      const cs = chunks(split.events);
      assert.ok(cs.length > 100, `only ${cs.length} chunks`);
      for (const c of cs) {
        if (c.valueType === 'string') assert.ok(c.value.length <= small.maxChunkBytes);
        else if (c.valueType !== 'stream') assert.ok(c.value.length <= small.maxChunkElements);
      }
      // The key-value events of a default parse and the reassembled chunks are the same values.
      assert.equal(comparable(split.events), comparable(wholeValues.events));
      // Chunk boundaries depend on the data only, not on how the input arrives.
      const random = parseBuffer(input, randomChunks(7, 1000), small);
      assert.ok(jsonl(random.events) === jsonl(split.events));
    });
  }

  it('a collection with exactly maxChunkElements elements comes whole; one more and it is chunked', () => {
    const f = new RdbBuilder('REDIS0011')
      .key(20, 'three', str(listpack(['a', 'b', 'c'])))
      .key(20, 'four', str(listpack(['a', 'b', 'c', 'd'])))
      .bytes();
    const r = parseBuffer(f, whole, { maxChunkElements: 3 });
    const types = r.events.filter((e) => e.type === 'key-value' || e.type === 'key-chunk').map((e) => `${e.type}:${(e as { key: Buffer }).key}`);
    assert.deepEqual(types, ['key-value:three', 'key-chunk:four', 'key-chunk:four']);
    const last = chunks(r.events).at(-1);
    assert.ok(last?.last && last.index === 1);
  });
});

describe('big strings stream out', () => {
  // Pseudo-random but compressible text, so LZF uses every instruction form.
  let x = 7;
  const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', '\u00e9t\u00e9', '\0\x01', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'];
  const parts: string[] = [];
  for (let i = 0; i < 120000; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    parts.push(words[x % words.length] as string, String(x % 1000));
  }
  const big = Buffer.from(parts.join(' '), 'utf8');
  const maxChunkBytes = 100000;

  for (const form of ['plain', 'lzf'] as const) {
    it(`${form}: chunks of exactly maxChunkBytes whatever the input split, bounded buffers`, () => {
      const value = form === 'plain' ? str(big) : (() => {
        const c = lzfCompress(big);
        return Buffer.concat([Buffer.from([0xc3]), len(c.length), len(big.length), c]);
      })();
      const f = new RdbBuilder('REDIS0011').key(0, 'big', value).key(0, 'after', str('x')).bytes();
      let reference: string | null = null;
      for (const chunking of [whole, randomChunks(3, 7), randomChunks(4, 65536)]) {
        const r = parseBuffer(f, chunking, { maxChunkBytes });
        assert.equal(r.error, null, `${chunking.name}: ${r.error?.message}`);
        const cs = chunks(r.events);
        assert.equal(cs.length, Math.ceil(big.length / maxChunkBytes));
        cs.forEach((c, i) => {
          assert.ok(c.valueType === 'string');
          assert.equal(c.index, i);
          assert.equal(c.last, i === cs.length - 1);
          assert.equal(c.value.length, i < cs.length - 1 ? maxChunkBytes : big.length - maxChunkBytes * (cs.length - 1));
          if (chunking !== whole) {
            // Memory stays bounded: a chunk is a view of at most ~2 chunks of input or output.
            assert.ok(c.value.buffer.byteLength <= 2 * maxChunkBytes + 65536 + 8192 + 264, `chunk ${i} keeps ${c.value.buffer.byteLength} bytes alive`);
          }
        });
        assert.ok(Buffer.concat(cs.map((c) => c.value as Buffer)).equals(big));
        const text = jsonl(r.events);
        if (reference === null) reference = text;
        else assert.ok(text === reference, `${chunking.name}: events differ`);
      }
    });
  }

  it('an LZF string cut in its compressed bytes is an unexpected EOF, a corrupt one a typed LZF error', () => {
    const c = lzfCompress(big);
    const value = Buffer.concat([Buffer.from([0xc3]), len(c.length), len(big.length), c]);
    const f = new RdbBuilder('REDIS0011').key(0, 'big', value).bytes();
    const cut = parseBuffer(f.subarray(0, 5000), byteByByte, { maxChunkBytes });
    assert.equal(cut.error?.code, 'RDB_UNEXPECTED_EOF');
    assert.equal(cut.error?.rdbOffset, 5000);
    // The header announces 5 more decompressed bytes than the data holds.
    const lying = Buffer.concat([Buffer.from([0xc3]), len(c.length), len(big.length + 5), c]);
    const bad = parseBuffer(new RdbBuilder('REDIS0011').key(0, 'big', lying).bytes(), randomChunks(5, 4096), { maxChunkBytes });
    assert.equal(bad.error?.code, 'RDB_BAD_LZF');
    assert.match(bad.error?.message ?? '', new RegExp(`output is ${big.length} bytes but the header says ${big.length + 5}`));
  });
});
