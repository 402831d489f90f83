// Files built byte by byte after rdb.c (rdb-builder.ts) for every value type, opcode and family that
// the server-written corpus does not cover: Valkey 9 HASH_2, Redis 7.4 pre-GA hashes, Redis 8.6
// streams (type 26) and KEY_META, modules, zipmaps, old zsets, every ziplist/listpack/intset integer
// width, 64-bit stream ids... Each file is also fed byte by byte and in random chunks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyValueEvent, SnapshotEvent, StreamValue } from '../../../src/events/types.js';
import { parseEveryChunking, reassemble } from './parse-helpers.js';
import {
  f64le,
  i64le,
  intStr,
  intset,
  len,
  listpack,
  lzfStr,
  moduleId,
  oldDouble,
  rawId,
  RdbBuilder,
  str,
  streamNode,
  u32le,
  u8,
  ziplist,
  zipmap,
  type TestStreamEntry,
} from './rdb-builder.js';

function only(events: SnapshotEvent[]): KeyValueEvent {
  const kv = reassemble(events);
  assert.equal(kv.length, 1, `expected one key, got ${kv.length}`);
  return kv[0] as KeyValueEvent;
}

const text = (b: Buffer): string => b.toString('latin1');
const strings = (v: Buffer[]): string[] => v.map(text);
const pairs = (v: [Buffer, Buffer][]): [string, string][] => v.map(([a, b]) => [text(a), text(b)]);

describe('strings', () => {
  it('plain, empty, binary, int8/int16/int32-encoded and LZF strings', () => {
    const bin = Buffer.from([0, 255, 128, 10, 13]);
    const big = 'abc'.repeat(1000);
    const f = new RdbBuilder('REDIS0009')
      .selectDb(0)
      .key(0, 'plain', str('hello'))
      .key(0, 'empty', str(''))
      .key(0, 'bin', str(bin))
      .key(0, 'i8', intStr(-128))
      .key(0, 'i16', intStr(-32768))
      .key(0, 'i32', intStr(2147483647))
      .key(0, 'lzf', lzfStr(big))
      .raw(u8(0), intStr(12345), str('int-encoded key'))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const kv = new Map(reassemble(r.events).map((e) => [text(e.key), e]));
    const val = (k: string): string => text(kv.get(k)?.value as Buffer);
    assert.equal(val('plain'), 'hello');
    assert.equal(val('empty'), '');
    assert.deepEqual(kv.get('bin')?.value, bin);
    assert.equal(val('i8'), '-128');
    assert.equal(val('i16'), '-32768');
    assert.equal(val('i32'), '2147483647');
    assert.equal(val('lzf'), big);
    assert.equal(val('12345'), 'int-encoded key');
  });

  it('expiry (seconds and ms), LRU idle and LFU counter attach to the next key only', () => {
    const f = new RdbBuilder('REDIS0009')
      .selectDb(3)
      .raw(u8(0xfd), u32le(1700000000))
      .key(0, 'sec', str('a'))
      .expireMs(4102444800123)
      .raw(u8(0xf8), len(77))
      .key(0, 'ms', str('b'))
      .raw(u8(0xf9), u8(5))
      .key(0, 'lfu', str('c'))
      .key(0, 'none', str('d'))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const kv = new Map(reassemble(r.events).map((e) => [text(e.key), e]));
    assert.equal(kv.get('sec')?.expireMs, 1700000000000);
    assert.equal(kv.get('ms')?.expireMs, 4102444800123);
    assert.equal(kv.get('ms')?.lruIdleS, 77);
    assert.equal(kv.get('lfu')?.lfuFreq, 5);
    const none = kv.get('none');
    assert.ok(none && none.expireMs === undefined && none.lfuFreq === undefined && none.lruIdleS === undefined);
    assert.equal(none.db, 3);
    // rdbOffset of a key is where its first record (the expire opcode) starts
    const ms = kv.get('ms') as KeyValueEvent;
    assert.equal(f[ms.rdbOffset as number], 0xfc);
  });

  it('RDB version 1..4 files have no checksum; 5+ files with a zero checksum are "not computed"', () => {
    const v4 = parseEveryChunking(new RdbBuilder('REDIS0004').key(0, 'k', str('v')).bytes({ checksum: false }));
    assert.equal(v4.error, null);
    const end4 = v4.events.at(-1);
    assert.ok(end4?.type === 'snapshot-end' && end4.checksum === 'absent' && end4.checksumHex === undefined);
    const v9 = parseEveryChunking(new RdbBuilder('REDIS0009').key(0, 'k', str('v')).bytes({ zero: true }));
    const end9 = v9.events.at(-1);
    assert.ok(end9?.type === 'snapshot-end' && end9.checksum === 'not-computed' && end9.checksumHex === '0000000000000000');
  });
});

describe('collections stored element by element', () => {
  it('LIST, SET, HASH', () => {
    const f = new RdbBuilder('REDIS0006')
      .key(1, 'l', len(3), str('a'), intStr(7), lzfStr('x'.repeat(50)))
      .key(2, 's', len(2), str('m1'), str('m2'))
      .key(4, 'h', len(2), str('f1'), str('v1'), str('f2'), intStr(-5))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [l, s, h] = reassemble(r.events);
    assert.ok(l?.valueType === 'list' && s?.valueType === 'set' && h?.valueType === 'hash');
    assert.deepEqual(strings(l.value), ['a', '7', 'x'.repeat(50)]);
    assert.deepEqual(strings(s.value), ['m1', 'm2']);
    assert.deepEqual(pairs(h.value), [['f1', 'v1'], ['f2', '-5']]);
    assert.equal(h.fieldExpires, undefined);
  });

  it('ZSET (textual doubles, inf/-inf/-0) and ZSET_2 (binary doubles)', () => {
    const scores = [1.5, -Infinity, Infinity, -0, 1e300, 5e-324, 2.2250738585072014e-308, 9007199254740993];
    const f = new RdbBuilder('REDIS0009')
      .key(3, 'z1', len(scores.length), ...scores.flatMap((sc, i) => [str(`m${i}`), oldDouble(sc)]))
      .key(5, 'z2', len(scores.length), ...scores.flatMap((sc, i) => [str(`m${i}`), f64le(sc)]))
      .key(3, 'z3', len(1), str('t'), Buffer.from([4]), Buffer.from('inf ', 'latin1'))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [z1, z2, z3] = reassemble(r.events);
    assert.ok(z1?.valueType === 'zset' && z2?.valueType === 'zset' && z3?.valueType === 'zset');
    for (const z of [z1, z2]) {
      z.value.forEach(([m, sc], i) => {
        assert.equal(text(m), `m${i}`);
        assert.ok(Object.is(sc, scores[i] === 9007199254740993 ? 9007199254740992 : scores[i]), `${text(m)}: ${sc}`);
      });
    }
    assert.equal(z3.value[0]?.[1], Infinity);
  });

  it('refuses NaN scores in every zset encoding, like Redis', () => {
    const bad = [
      new RdbBuilder('REDIS0009').key(3, 'z', len(1), str('m'), oldDouble(NaN)).bytes(),
      new RdbBuilder('REDIS0009').key(5, 'z', len(1), str('m'), f64le(NaN)).bytes(),
      new RdbBuilder('REDIS0011').key(17, 'z', str(listpack(['m', 'nan']))).bytes(),
      new RdbBuilder('REDIS0009').key(12, 'z', str(ziplist(['m', 'NaN']))).bytes(),
    ];
    for (const f of bad) assert.equal(parseEveryChunking(f).error?.code, 'RDB_NAN_SCORE');
  });

  it('skips empty collections, like Redis (no event)', () => {
    const f = new RdbBuilder('REDIS0011')
      .key(1, 'l', len(0))
      .key(2, 's', len(0))
      .key(14, 'q', len(0))
      .key(18, 'q2', len(1), len(2), str(listpack([])))
      .key(16, 'h', str(listpack([])))
      .key(0, 'kept', str('v'))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    assert.deepEqual(reassemble(r.events).map((e) => text(e.key)), ['kept']);
    const end = r.events.at(-1);
    assert.ok(end?.type === 'snapshot-end' && end.keys === 1);
  });
});

describe('compact encodings', () => {
  const ints = [0, 12, 13, -1, 127, 128, -4096, 4095, 4096, -32768, 32767, 40000, -8388608, 8388607, 2147483647, -2147483648, 2147483648, 9007199254740993n, -9223372036854775808n, 9223372036854775807n];
  const intText = ints.map(String);

  it('ziplist list (10) with every integer width and string length class', () => {
    const s64 = 'y'.repeat(100);
    const s16k = 'z'.repeat(17000);
    const f = new RdbBuilder('REDIS0006').key(10, 'zl', str(ziplist([...ints, 'a', s64, s16k]))).bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const v = only(r.events);
    assert.ok(v.valueType === 'list');
    assert.deepEqual(strings(v.value), [...intText, 'a', s64, s16k]);
  });

  it('listpack set (20) with every integer width and string length class', () => {
    const s = ['b', 'c'.repeat(70), 'd'.repeat(5000)];
    const r = parseEveryChunking(new RdbBuilder('REDIS0011').key(20, 'lp', str(listpack([...ints, ...s]))).bytes());
    assert.equal(r.error, null, r.error?.message);
    const v = only(r.events);
    assert.ok(v.valueType === 'set');
    assert.deepEqual(strings(v.value), [...intText, ...s]);
  });

  it('listpack with an "unknown" (65535) element count still decodes', () => {
    const r = parseEveryChunking(new RdbBuilder('REDIS0011').key(20, 'lp', str(listpack(['a', 'b'], 65535))).bytes());
    assert.equal(r.error, null);
    assert.deepEqual(strings(only(r.events).value as Buffer[]), ['a', 'b']);
  });

  it('intsets of 16, 32 and 64-bit members (11)', () => {
    const f = new RdbBuilder('REDIS0006')
      .key(11, 'i16', str(intset(2, [-32768, 0, 32767])))
      .key(11, 'i32', str(intset(4, [-2147483648, 2147483647])))
      .key(11, 'i64', str(intset(8, [-9223372036854775808n, 9007199254740993n, 9223372036854775807n])))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    assert.deepEqual(reassemble(r.events).map((e) => strings(e.value as Buffer[])), [
      ['-32768', '0', '32767'],
      ['-2147483648', '2147483647'],
      ['-9223372036854775808', '9007199254740993', '9223372036854775807'],
    ]);
  });

  it('zipmap hash (9) with free bytes and 5-byte lengths', () => {
    const long = 'v'.repeat(300);
    const r = parseEveryChunking(new RdbBuilder('REDIS0003').key(9, 'zm', str(zipmap([['a', 'b'], ['long', long]], 3))).bytes({ checksum: false }));
    assert.equal(r.error, null, r.error?.message);
    const v = only(r.events);
    assert.ok(v.valueType === 'hash');
    assert.deepEqual(pairs(v.value), [['a', 'b'], ['long', long]]);
  });

  it('zsets and hashes in ziplists (12, 13) and listpacks (16, 17); scores as integers or text', () => {
    const f = new RdbBuilder('REDIS0010')
      .key(12, 'zz', str(ziplist(['a', 1, 'b', '2.5', 'c', '-inf', 'd', 9007199254740993n])))
      .key(13, 'hz', str(ziplist(['f', 'v', 'n', 42])))
      .key(16, 'hl', str(listpack(['f', 'v', 'n', -7])))
      .key(17, 'zl', str(listpack(['a', 3, 'b', '1e-10', 'c', '+Infinity'])))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [zz, hz, hl, zl] = reassemble(r.events);
    assert.ok(zz?.valueType === 'zset' && hz?.valueType === 'hash' && hl?.valueType === 'hash' && zl?.valueType === 'zset');
    assert.deepEqual(zz.value.map(([m, s]) => [text(m), s]), [['a', 1], ['b', 2.5], ['c', -Infinity], ['d', 9007199254740992]]);
    assert.deepEqual(pairs(hz.value), [['f', 'v'], ['n', '42']]);
    assert.deepEqual(pairs(hl.value), [['f', 'v'], ['n', '-7']]);
    assert.deepEqual(zl.value.map(([m, s]) => [text(m), s]), [['a', 3], ['b', 1e-10], ['c', Infinity]]);
  });

  it('quicklists: v1 nodes are ziplists (LZF-compressed too); v2 has PLAIN and PACKED nodes', () => {
    const node1 = ziplist(['a', 'b']);
    const node2 = ziplist(Array.from({ length: 40 }, () => 'same-element'));
    const bigEl = 'P'.repeat(10000);
    const f = new RdbBuilder('REDIS0010')
      .key(14, 'q1', len(2), str(node1), lzfStr(node2))
      .key(18, 'q2', len(3), len(2), str(listpack(['x', 1])), len(1), str(bigEl), len(2), lzfStr(listpack(['y', 'y', 'y', 'y', 'y', 'y'])))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [q1, q2] = reassemble(r.events);
    assert.deepEqual(strings(q1?.value as Buffer[]), ['a', 'b', ...Array.from({ length: 40 }, () => 'same-element')]);
    assert.deepEqual(strings(q2?.value as Buffer[]), ['x', '1', bigEl, 'y', 'y', 'y', 'y', 'y', 'y']);
  });

  it('rejects a quicklist node container other than PLAIN (1) or PACKED (2)', () => {
    const r = parseEveryChunking(new RdbBuilder('REDIS0010').key(18, 'q', len(1), len(3), str('x')).bytes());
    assert.equal(r.error?.code, 'RDB_BAD_QUICKLIST');
  });
});

describe('hashes with field TTLs', () => {
  it('Redis 7.4 HASH_METADATA (24): TTLs relative to minExpire; HASH_LISTPACK_EX (25): absolute', () => {
    const min = 1800000000000;
    const f = new RdbBuilder('REDIS0012')
      .key(24, 'h24', i64le(min), len(3), len(0), str('a'), str('1'), len(1), str('b'), str('2'), len(5001), str('c'), str('3'))
      .key(25, 'h25', i64le(min), str(listpack(['x', 'X', 0, 'y', 'Y', 1900000000000])))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [h24, h25] = reassemble(r.events);
    assert.ok(h24?.valueType === 'hash' && h25?.valueType === 'hash');
    assert.deepEqual(pairs(h24.value), [['a', '1'], ['b', '2'], ['c', '3']]);
    assert.deepEqual(h24.fieldExpires?.map(([k, ms]) => [text(k), ms]), [['b', min], ['c', min + 5000]]);
    assert.deepEqual(pairs(h25.value), [['x', 'X'], ['y', 'Y']]);
    assert.deepEqual(h25.fieldExpires?.map(([k, ms]) => [text(k), ms]), [['y', 1900000000000]]);
  });

  it('Redis 7.4-rc pre-GA forms: 22 (absolute TTL before each field) and 23 (listpack triples)', () => {
    const f = new RdbBuilder('REDIS0012')
      .key(22, 'h22', len(2), len(0), str('a'), str('1'), len(1800000000000), str('b'), str('2'))
      .key(23, 'h23', str(listpack(['x', 'X', 1800000000001, 'y', 'Y', 0])))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [h22, h23] = reassemble(r.events);
    assert.ok(h22?.valueType === 'hash' && h23?.valueType === 'hash');
    assert.deepEqual(h22.fieldExpires?.map(([k, ms]) => [text(k), ms]), [['b', 1800000000000]]);
    assert.deepEqual(h23.fieldExpires?.map(([k, ms]) => [text(k), ms]), [['x', 1800000000001]]);
  });

  it('Valkey 9 HASH_2 (22 in VALKEY080 files): field, value, int64 expiry (-1 = none)', () => {
    const f = new RdbBuilder('VALKEY080')
      .aux('valkey-ver', '9.0.0')
      .selectDb(0)
      .key(22, 'h', len(2), str('f1'), str('v1'), i64le(-1), str('f2'), str('v2'), i64le(2400425640000))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const h = only(r.events);
    assert.ok(h.valueType === 'hash');
    assert.deepEqual(pairs(h.value), [['f1', 'v1'], ['f2', 'v2']]);
    assert.deepEqual(h.fieldExpires?.map(([k, ms]) => [text(k), ms]), [['f2', 2400425640000]]);
  });

  it('family decides type 22/23 and opcode 243; Redis-only types are unknown in Valkey files', () => {
    const path = parseEveryChunking(new RdbBuilder('VALKEY081').key(23, 'p', str('x')).bytes());
    assert.equal(path.error?.code, 'RDB_UNSUPPORTED_TYPE');
    assert.match(path.error?.message ?? '', /PATH_HASH/);
    const t25 = parseEveryChunking(new RdbBuilder('VALKEY080').key(25, 'h', i64le(0), str(listpack(['a', 'b', 0]))).bytes());
    assert.equal(t25.error?.code, 'RDB_UNKNOWN_TYPE');
    const update = parseEveryChunking(new RdbBuilder('VALKEY081').raw(u8(242), Buffer.from('*1\r\n$4\r\nPING\r\n')).bytes());
    assert.equal(update.error?.code, 'RDB_UNSUPPORTED_OPCODE');
    const redis242 = parseEveryChunking(new RdbBuilder('REDIS0013').raw(u8(242)).bytes());
    assert.equal(redis242.error?.code, 'RDB_UNKNOWN_OPCODE');
  });
});

describe('streams', () => {
  const entries: TestStreamEntry[] = [
    { ms: 1000, seq: 0, fields: [['a', '1'], ['b', '2']] },
    { ms: 1000, seq: 1, fields: [['a', '3'], ['b', '4']] }, // same fields as the master entry
    { ms: 1001, seq: 0, fields: [['c', '5']], deleted: true },
    { ms: 1002, seq: 7, fields: [['c', 'x'], ['d', Buffer.from([0xff])]] },
  ];
  const node = streamNode(entries);
  const meta = (v: number): Buffer[] => {
    const m = [len(3), len(1002), len(7)];
    if (v >= 2) m.push(len(1000), len(0), len(1001), len(0), len(4));
    return m;
  };
  const groups = (v: number): Buffer[] => {
    const g = [len(1), str('g1'), len(1002), len(7)];
    if (v >= 2) g.push(len(0xffffffffffffffffn)); // entries_read unknown
    g.push(len(2), rawId(1000, 0), i64le(1700000000000), len(1), rawId(1002, 7), i64le(1700000000001), len(3));
    g.push(len(2), str('alice'), i64le(1700000000100));
    if (v >= 3) g.push(i64le(1700000000200));
    g.push(len(1), rawId(1002, 7), str('bob'), i64le(1700000000300));
    if (v >= 3) g.push(i64le(1700000000400));
    g.push(len(1), rawId(1000, 0));
    return g;
  };
  const idmp = [len(60), len(100), len(1), str('producer-1'), len(2), str('iid-a'), len(1000), len(0), str('iid-b'), len(1002), len(7), len(5), len(1)];

  for (const [type, v] of [[15, 1], [19, 2], [21, 3], [26, 4]] as const) {
    it(`STREAM_LISTPACKS${v > 1 ? `_${v}` : ''} (${type}): entries, deleted entries, groups, PEL, consumers`, () => {
      const value = [len(1), str(node.key), str(node.lp), ...meta(v), ...groups(v), ...(v >= 4 ? idmp : [])];
      const r = parseEveryChunking(new RdbBuilder(v >= 4 ? 'REDIS0013' : 'REDIS0011').key(type, 'x', ...value).bytes());
      assert.equal(r.error, null, r.error?.message);
      const s = only(r.events);
      assert.ok(s.valueType === 'stream');
      const sv: StreamValue = s.value;
      assert.deepEqual(sv.entries.map((e) => [e.id, pairs(e.fields)]), [
        ['1000-0', [['a', '1'], ['b', '2']]],
        ['1000-1', [['a', '3'], ['b', '4']]],
        ['1002-7', [['c', 'x'], ['d', '\xff']]],
      ]);
      assert.deepEqual(sv.meta, {
        length: 3, lastId: '1002-7', listpackNodes: 1,
        firstId: v >= 2 ? '1000-0' : null, maxDeletedId: v >= 2 ? '1001-0' : null, entriesAdded: v >= 2 ? 4 : null,
      });
      const g = sv.groups[0];
      assert.ok(g);
      assert.equal(text(g.name), 'g1');
      assert.equal(g.lastDeliveredId, '1002-7');
      assert.equal(g.entriesRead, null);
      assert.deepEqual(g.pel.map((p) => [p.id, p.consumer && text(p.consumer), p.deliveryTimeMs, p.deliveryCount]), [
        ['1000-0', 'bob', 1700000000000, 1],
        ['1002-7', 'alice', 1700000000001, 3],
      ]);
      assert.deepEqual(g.consumers.map((c) => [text(c.name), c.seenTimeMs, c.activeTimeMs, c.pel]), [
        ['alice', 1700000000100, v >= 3 ? 1700000000200 : null, ['1002-7']],
        ['bob', 1700000000300, v >= 3 ? 1700000000400 : null, ['1000-0']],
      ]);
    });
  }

  it('stream ids beyond 2^53 are exact, and an empty stream is still a key', () => {
    const top = 18446744073709551615n;
    const nodeKey = rawId(top, 18446744073709551614n);
    const lp = listpack([1, 0, 1, 'f', 0, 2, 0, 0, 'v', 4]);
    const f = new RdbBuilder('REDIS0011')
      .key(21, 'big', len(1), str(nodeKey), str(lp), len(1), len(top), len(18446744073709551614n), len(0), len(0), len(0), len(0), len(1), len(0))
      .key(21, 'empty', len(0), len(0), len(0), len(0), len(0), len(0), len(0), len(0), len(0), len(0))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [big, empty] = reassemble(r.events);
    assert.ok(big?.valueType === 'stream' && empty?.valueType === 'stream');
    assert.equal(big.value.entries[0]?.id, '18446744073709551615-18446744073709551614');
    assert.equal(big.value.meta.lastId, '18446744073709551615-18446744073709551614');
    assert.deepEqual(empty.value.entries, []);
  });

  it('rejects a node key that is not a 16-byte id and an entry count that disagrees', () => {
    const badKey = parseEveryChunking(new RdbBuilder('REDIS0011').key(21, 'x', len(1), str('short'), str(node.lp), ...meta(3), len(0)).bytes());
    assert.equal(badKey.error?.code, 'RDB_BAD_STREAM');
    const lie = listpack([5, 0, 1, 'f', 0, 2, 0, 0, 'v', 4]);
    const badCount = parseEveryChunking(new RdbBuilder('REDIS0011').key(21, 'x', len(1), str(node.key), str(lie), ...meta(3), len(0)).bytes());
    assert.equal(badCount.error?.code, 'RDB_BAD_STREAM');
  });
});

describe('modules, functions, metadata and other records', () => {
  const id = moduleId('testmod-1', 3);
  const annotated = Buffer.concat([len(1), len(5), len(2), len(0xffffffffffn), u8(3), Buffer.alloc(4, 1), u8(4), f64le(1.5), u8(5), str('payload'), u8(5), lzfStr('q'.repeat(60)), u8(0)]);

  it('MODULE_2 values keep their raw annotated bytes; MODULE_AUX before and after the keyspace', () => {
    const f = new RdbBuilder('REDIS0011')
      .raw(u8(0xf7), len(id), len(2), len(1), u8(2), len(9), u8(0))
      .selectDb(0)
      .key(7, 'm', len(id), annotated)
      .raw(u8(0xf7), len(id), len(2), len(2), u8(0))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const m = only(r.events);
    assert.ok(m.valueType === 'module');
    assert.deepEqual(m.value, { module: 'testmod-1', moduleId: id.toString(), encver: 3, raw: annotated });
    const aux = r.events.filter((e) => e.type === 'module-aux');
    assert.deepEqual(aux.map((e) => (e.type === 'module-aux' ? [e.module, e.encver, e.when, e.raw.toString('hex')] : [])), [
      ['testmod-1', 3, 1, '020900'],
      ['testmod-1', 3, 2, '00'],
    ]);
  });

  it('rejects an unknown module opcode and a MODULE_AUX whose when-opcode is not UINT', () => {
    assert.equal(parseEveryChunking(new RdbBuilder('REDIS0011').key(7, 'm', len(id), u8(9), u8(0)).bytes()).error?.code, 'RDB_BAD_MODULE');
    assert.equal(parseEveryChunking(new RdbBuilder('REDIS0011').raw(u8(0xf7), len(id), len(5), len(1), u8(0)).bytes()).error?.code, 'RDB_BAD_MODULE');
  });

  it('FUNCTION2 and the 7.0-rc FUNCTION_PRE_GA records', () => {
    const f = new RdbBuilder('REDIS0010')
      .raw(u8(0xf5), str('#!lua name=lib\nredis.register_function("f", function() return 1 end)'))
      .raw(u8(0xf6), str('old'), str('LUA'), len(1), str('desc'), str('return 1'))
      .raw(u8(0xf6), str('old2'), str('LUA'), len(0), str('return 2'))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const fns = r.events.filter((e) => e.type === 'function');
    assert.equal(fns.length, 3);
    assert.ok(fns[0]?.type === 'function' && text(fns[0].code).startsWith('#!lua name=lib') && fns[0].preGa === undefined);
    assert.ok(fns[1]?.type === 'function' && fns[1].preGa && text(fns[1].preGa.name) === 'old' && text(fns[1].preGa.description as Buffer) === 'desc');
    assert.ok(fns[2]?.type === 'function' && fns[2].preGa && fns[2].preGa.description === null);
  });

  it('Redis 8.6 KEY_META (243) attaches opaque classes to the next key', () => {
    const cls = Buffer.concat([u8(2), len(42), u8(0)]);
    const f = new RdbBuilder('REDIS0013').expireMs(5000).raw(u8(243), len(1), u32le(0x12345678), cls).key(0, 'k', str('v')).key(0, 'k2', str('v')).bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const [k, k2] = reassemble(r.events);
    assert.deepEqual(k?.keyMeta, [{ classSpec: 0x12345678, raw: cls }]);
    assert.equal(k?.expireMs, 5000);
    assert.equal(k2?.keyMeta, undefined);
  });

  it('Valkey SLOT_IMPORT (243), SLOT_INFO, RESIZEDB and AUX inside a db are skipped or reported', () => {
    const f = new RdbBuilder('VALKEY080')
      .aux('valkey-ver', '9.0.0')
      .raw(u8(243), str('x'.repeat(40)), len(2), len(0), len(100), len(200), len(300))
      .selectDb(0)
      .resizeDb(1, 0)
      .raw(u8(0xf4), len(5), len(1), len(0))
      .aux('slot-info', '5,1,0')
      .key(0, 'k', str('v'))
      .bytes();
    const r = parseEveryChunking(f);
    assert.equal(r.error, null, r.error?.message);
    const aux = r.events.filter((e) => e.type === 'aux');
    assert.deepEqual(aux.map((e) => (e.type === 'aux' ? [text(e.key), e.inBody] : [])), [['valkey-ver', false], ['slot-info', true]]);
    assert.equal(only(r.events).db, 0);
  });

  it('SELECTDB accepts numbers up to 2^53 and refuses bigger ones', () => {
    const okDb = parseEveryChunking(new RdbBuilder('REDIS0011').selectDb(2 ** 53).key(0, 'k', str('v')).bytes());
    assert.equal(okDb.error, null);
    assert.equal(only(okDb.events).db, 2 ** 53);
    const bad = parseEveryChunking(new RdbBuilder('REDIS0011').selectDb(2n ** 53n + 1n).key(0, 'k', str('v')).bytes());
    assert.equal(bad.error?.code, 'RDB_BAD_LENGTH');
  });
});
