// The pure decoders on their own: CRC-64/Jones, LZF (whole and incremental), listpack, ziplist,
// intset and zipmap readers, strtod-like score parsing, decimal rendering of 64-bit integers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc64Hex, Crc64 } from '../../../src/rdb/crc64.js';
import { BlobFormatError } from '../../../src/rdb/errors.js';
import { intsetMember, intsetOpen } from '../../../src/rdb/intset.js';
import { ListpackReader } from '../../../src/rdb/listpack.js';
import { lzfDecompress } from '../../../src/rdb/lzf.js';
import { LzfStreamDecoder } from '../../../src/rdb/lzf-stream.js';
import { decodeModuleId } from '../../../src/rdb/module-id.js';
import { parseDoubleText } from '../../../src/rdb/strtod.js';
import { ZiplistReader } from '../../../src/rdb/ziplist.js';
import { ZipmapReader } from '../../../src/rdb/zipmap.js';
import { int64ToDecimal, intToDecimal, uint64ToText } from '../../../src/util/decimal.js';
import { prng } from '../../helpers/chunkings.js';
import { lzfCompress } from './lzf-compress.js';
import { intset, listpack, moduleId, ziplist, zipmap } from './rdb-builder.js';

function sample(seed: number, n: number): Buffer {
  const rnd = prng(seed);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = rnd() < 0.7 ? 97 + Math.floor(rnd() * 4) : Math.floor(rnd() * 256);
  return out;
}

describe('CRC-64/Jones', () => {
  it('matches the check value and is the same fed in pieces', () => {
    assert.equal(crc64Hex(Buffer.from('123456789')), 'e9c6d914c4b8d9ca');
    const data = sample(1, 10007);
    const c = new Crc64();
    for (let i = 0; i < data.length; i += 13) c.update(data, i, Math.min(data.length, i + 13));
    const d = new Crc64();
    d.update(data, 0, data.length);
    assert.equal(c.fileHex(), d.fileHex());
  });
});

describe('LZF', () => {
  it('decompresses what the test compressor produces, for sizes across the 8 KiB window', () => {
    for (const n of [1, 2, 31, 32, 33, 100, 8191, 8192, 8193, 50000]) {
      const data = sample(n, n);
      const c = lzfCompress(data);
      assert.ok(lzfDecompress(c, 0, c.length, n).equals(data), `size ${n}`);
    }
  });

  it('the incremental decoder gives the same bytes in chunks of exactly chunkSize, whatever the input split', () => {
    const data = Buffer.concat([sample(9, 30000), Buffer.alloc(20000, 0x41), sample(10, 30000)]);
    const c = lzfCompress(data);
    for (const chunkSize of [1, 7, 300, 8192, 10000, 100000]) {
      for (const step of [1, 3, 1000, c.length]) {
        const dec = new LzfStreamDecoder(data.length, chunkSize);
        const out: Buffer[] = [];
        let pos = 0;
        let avail = 0;
        while (pos < c.length) {
          avail = Math.min(c.length, avail + step);
          pos = dec.decode(c, pos, avail, avail === c.length);
          out.push(...dec.ready);
          dec.ready.length = 0;
        }
        for (let i = 0; i < out.length - 1; i++) assert.equal(out[i]?.length, chunkSize);
        assert.ok(Buffer.concat(out).equals(data), `chunkSize ${chunkSize} step ${step}`);
      }
    }
  });

  it('rejects back-references before the output, overruns and length mismatches', () => {
    const expectLzf = (f: () => unknown): void => assert.throws(f, (e: unknown) => e instanceof BlobFormatError && e.code === 'RDB_BAD_LZF');
    expectLzf(() => lzfDecompress(Buffer.from([0x20, 0x05]), 0, 2, 3));
    expectLzf(() => lzfDecompress(Buffer.from([0x05, 0x61]), 0, 2, 6));
    expectLzf(() => lzfDecompress(Buffer.from([0x00, 0x61]), 0, 2, 2));
    expectLzf(() => lzfDecompress(Buffer.from([0x01, 0x61, 0x62]), 0, 3, 1));
    expectLzf(() => new LzfStreamDecoder(3, 10).decode(Buffer.from([0x20, 0x05]), 0, 2, true));
    expectLzf(() => new LzfStreamDecoder(5, 10).decode(Buffer.from([0x03, 0x61]), 0, 2, true));
  });
});

describe('listpack', () => {
  it('reads every integer width and string length class', () => {
    const items = [0, 127, -1, 4095, -4096, 32767, -32768, 8388607, -8388608, 2147483647, -2147483648, 9007199254740993n, 'a', 'b'.repeat(64), 'c'.repeat(4096)];
    const lp = listpack(items);
    const r = new ListpackReader();
    r.open(lp, 0, lp.length);
    const got: string[] = [];
    while (r.next()) got.push(r.value().toString('latin1'));
    assert.deepEqual(got, items.map(String));
  });

  it('checks the header, the terminator, back-lengths and the element count', () => {
    const lp = listpack(['a', 'b']);
    const bad = (mutate: (b: Buffer) => Buffer, re: RegExp): void => {
      const b = mutate(Buffer.from(lp));
      const r = new ListpackReader();
      assert.throws(() => {
        r.open(b, 0, b.length);
        while (r.next());
      }, re);
    };
    bad((b) => (b.writeUInt32LE(999, 0), b), /total-bytes 999/);
    bad((b) => ((b[b.length - 1] = 0), b), /terminator/);
    bad((b) => ((b[8] = 9), b), /back-length/);
    bad((b) => (b.writeUInt16LE(3, 4), b), /announces 3 elements but holds 2/);
    bad((b) => ((b[6] = 0x85), b), /claims/);
  });
});

describe('ziplist, intset, zipmap', () => {
  it('ziplist: immediates, int8/16/24/32/64, 6/14/32-bit string lengths, prevlen > 254', () => {
    const items = [0, 12, 13, -128, 32767, 8388607, 2147483647, 9223372036854775807n, 'x', 'y'.repeat(300), 'z'.repeat(16400)];
    const zl = ziplist(items);
    const r = new ZiplistReader();
    r.open(zl, 0, zl.length);
    const got: string[] = [];
    while (r.next()) got.push(r.value().toString('latin1'));
    assert.deepEqual(got, items.map(String));
    const broken = Buffer.from(zl);
    broken[10 + 2] ^= 0x01; // the 2nd entry's prevlen (the 1st entry is 2 bytes at offset 10)
    assert.throws(() => {
      r.open(broken, 0, broken.length);
      while (r.next());
    }, /prevlen/);
  });

  it('intset: widths 2, 4, 8 and a length that must match the body', () => {
    const is = intset(8, [-5n, 9007199254740993n]);
    const { width, length } = intsetOpen(is, 0, is.length);
    assert.deepEqual([0, 1].map((i) => intsetMember(is, 0, width, i).toString()), ['-5', '9007199254740993']);
    assert.equal(length, 2);
    assert.throws(() => intsetOpen(is, 0, is.length - 1), /does not match/);
  });

  it('zipmap: skips free bytes, 5-byte lengths, unknown count', () => {
    const zm = zipmap([['a', 'x'.repeat(254)], ['b', 'c']], 2);
    const r = new ZipmapReader();
    r.open(zm, 0, zm.length);
    const got: string[] = [];
    while (r.next()) got.push(`${r.field().toString()}=${r.value().length}`);
    assert.deepEqual(got, ['a=254', 'b=1']);
  });
});

describe('numbers', () => {
  it('parses scores like strtod', () => {
    const t = (s: string): number | null => parseDoubleText(Buffer.from(s, 'latin1'), 0, s.length);
    assert.equal(t('1.5'), 1.5);
    assert.equal(t(' -2e3'), -2000);
    assert.equal(t('inf'), Infinity);
    assert.equal(t('-Infinity'), -Infinity);
    assert.equal(t('+INF'), Infinity);
    assert.ok(Number.isNaN(t('nan')));
    assert.ok(Object.is(t('-0'), -0));
    assert.equal(t('5e-324'), 5e-324);
    assert.equal(t('1e400'), Infinity);
    assert.equal(t('3abc'), 3);
    assert.equal(t('.5'), 0.5);
    assert.equal(t('abc'), null);
    assert.equal(t(''), null);
  });

  it('renders 64-bit integers exactly', () => {
    assert.equal(intToDecimal(0).toString(), '0');
    assert.equal(intToDecimal(-9007199254740991).toString(), '-9007199254740991');
    assert.equal(intToDecimal(1234567890123456).toString(), '1234567890123456');
    assert.equal(int64ToDecimal(-1, 0).toString(), '-4294967296');
    assert.equal(int64ToDecimal(0x7fffffff, 0xffffffff).toString(), '9223372036854775807');
    assert.equal(int64ToDecimal(-0x80000000, 0).toString(), '-9223372036854775808');
    assert.equal(uint64ToText(0xffffffff, 0xffffffff), '18446744073709551615');
  });

  it('decodes module type ids to their name and encoding version', () => {
    const id = moduleId('ReJSON-RL', 3);
    assert.deepEqual(decodeModuleId(id), { name: 'ReJSON-RL', id: id.toString(), encver: 3 });
  });
});
