// events/json.ts: every event type survives toJson -> JSON text -> fromJson unchanged (Buffers,
// -0/Infinity scores, 64-bit ids, optional fields present or absent), and bad input is refused with
// EVENT_BAD_JSON naming the field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromJson, fromJsonLine, toJson, toJsonLine } from '../../../src/events/json.js';
import { EVENT_TYPES, type ReplicationEvent } from '../../../src/events/types.js';
import { ReplicatorError } from '../../../src/errors.js';
import { RdbParser } from '../../../src/rdb/parser.js';
import { corpusPath } from '../../helpers/corpus.js';

const meta = { replid: 'a'.repeat(40), offset: 4200, db: -1, rdbOffset: 9 };
const bin = Buffer.from([0xff, 0x00, 0xc3, 0x28]); // not UTF-8
const b = (s: string): Buffer => Buffer.from(s, 'utf8');

const samples: ReplicationEvent[] = [
  { type: 'snapshot-begin', ...meta, reason: 'initial', magic: 'REDIS', rdbVersion: 12 },
  { type: 'snapshot-begin', ...meta, epoch: 3, reason: 'resync', magic: 'VALKEY', rdbVersion: 80, previous: { replid: 'b'.repeat(40), offset: 17 } },
  { type: 'snapshot-end', ...meta, checksum: 'verified', checksumHex: '5fae0779647907cf', keys: 10, bytes: 12345 },
  { type: 'snapshot-end', ...meta, checksum: 'absent', keys: 0, bytes: 10 },
  { type: 'aux', ...meta, key: b('redis-ver'), value: b('7.4.1'), inBody: false },
  { type: 'aux', ...meta, key: bin, value: b('\u00e9\u{1f511}'), inBody: true },
  { type: 'function', ...meta, code: b('#!lua name=lib\nreturn 1') },
  { type: 'function', ...meta, code: b('return 1'), preGa: { name: b('lib'), engine: b('LUA'), description: null } },
  { type: 'function', ...meta, code: b('return 2'), preGa: { name: b('lib2'), engine: b('LUA'), description: bin } },
  { type: 'module-aux', ...meta, module: 'ReJSON-RL', moduleId: '5035677737576115203', encver: 3, when: 2, raw: bin },
  { type: 'key-value', ...meta, db: 0, key: b('s'), rdbType: 0, valueType: 'string', value: bin },
  {
    type: 'key-value', ...meta, db: 15, key: bin, rdbType: 0, expireMs: 4102444800000, lfuFreq: 5, lruIdleS: 77,
    keyMeta: [{ classSpec: 0x12345678, raw: Buffer.from([2, 1, 0]) }], valueType: 'string', value: b(''),
  },
  { type: 'key-value', ...meta, db: 0, key: b('l'), rdbType: 18, valueType: 'list', value: [b('a'), bin, b('')] },
  { type: 'key-value', ...meta, db: 0, key: b('st'), rdbType: 11, valueType: 'set', value: [b('1'), b('-9223372036854775808')] },
  {
    type: 'key-value', ...meta, db: 0, key: b('z'), rdbType: 5, valueType: 'zset',
    value: [[b('a'), -0], [b('b'), Infinity], [b('c'), -Infinity], [b('d'), 1e300], [b('e'), 5e-324], [bin, 0.1]],
  },
  { type: 'key-value', ...meta, db: 0, key: b('h'), rdbType: 4, valueType: 'hash', value: [[b('f'), b('v')], [bin, bin]] },
  { type: 'key-value', ...meta, db: 0, key: b('hx'), rdbType: 25, valueType: 'hash', value: [[b('f'), b('v')]], fieldExpires: [[b('f'), 4102444800099]] },
  {
    type: 'key-value', ...meta, db: 0, key: b('x'), rdbType: 21, valueType: 'stream',
    value: {
      entries: [{ id: '18446744073709551615-18446744073709551614', fields: [[b('f'), bin]] }],
      meta: { length: 1, lastId: '18446744073709551615-18446744073709551614', firstId: null, maxDeletedId: '0-0', entriesAdded: null, listpackNodes: 1 },
      groups: [{
        name: b('g'), lastDeliveredId: '1-0', entriesRead: null,
        pel: [{ id: '1-0', consumer: bin, deliveryTimeMs: 1700000000000, deliveryCount: 2 }, { id: '2-0', consumer: null, deliveryTimeMs: 1, deliveryCount: 1 }],
        consumers: [{ name: bin, seenTimeMs: 1700000000001, activeTimeMs: null, pel: ['1-0'] }],
      }],
    },
  },
  { type: 'key-value', ...meta, db: 0, key: b('m'), rdbType: 7, valueType: 'module', value: { module: 'hellotype', moduleId: '9649355426779199488', encver: 0, raw: bin } },
  { type: 'key-chunk', ...meta, db: 0, key: b('big'), rdbType: 0, expireMs: 5, valueType: 'string', value: bin, index: 0, last: false },
  { type: 'key-chunk', ...meta, db: 0, key: b('l'), rdbType: 14, valueType: 'list', value: [b('x')], index: 3, last: true },
  { type: 'key-chunk', ...meta, db: 0, key: b('s'), rdbType: 2, valueType: 'set', value: [b('x')], index: 1, last: false },
  { type: 'key-chunk', ...meta, db: 0, key: b('z'), rdbType: 3, valueType: 'zset', value: [[b('m'), -0]], index: 1, last: true },
  { type: 'key-chunk', ...meta, db: 0, key: b('h'), rdbType: 24, valueType: 'hash', value: [[b('f'), b('v')]], fieldExpires: [], index: 0, last: false },
  { type: 'key-chunk', ...meta, db: 0, key: b('x'), rdbType: 26, valueType: 'stream', value: { entries: [{ id: '1-1', fields: [] }], groups: [] }, index: 0, last: false },
  {
    type: 'key-chunk', ...meta, db: 0, key: b('x'), rdbType: 26, valueType: 'stream', index: 1, last: true,
    value: { entries: [], meta: { length: 1, lastId: '1-1', firstId: '1-1', maxDeletedId: '0-0', entriesAdded: 1, listpackNodes: 1 }, groups: [] },
  },
  { type: 'command', replid: 'a'.repeat(40), offset: 5000, db: 0, command: 'SET', args: [b('set'), b('k'), bin], keys: [b('k')], known: true },
  { type: 'command', replid: 'a'.repeat(40), offset: 5001, db: 3, epoch: 2, command: 'X.Y', args: [b('x.y')], keys: [], known: false, timestampMs: 1700000000000 },
  {
    type: 'transaction', replid: 'a'.repeat(40), offset: 6000, db: 0, timestampMs: 1700000001000,
    commands: [{ command: 'INCR', args: [b('incr'), b('n')], keys: [b('n')], known: true, db: 0 }, { command: 'DEL', args: [b('DEL'), bin], keys: [bin], known: true, db: 5 }],
  },
  { type: 'stream-begin', replid: 'a'.repeat(40), offset: 4200, db: 0, mode: 'full' },
  { type: 'stream-end', replid: 'a'.repeat(40), offset: 7000, db: 0, reason: 'link-lost' },
];

describe('event JSON codec', () => {
  it('covers every event type', () => {
    assert.deepEqual([...new Set(samples.map((e) => e.type))].sort(), [...EVENT_TYPES].sort());
  });

  for (const e of samples) {
    it(`round-trips ${e.type} ${'valueType' in e ? e.valueType : ''}`, () => {
      assert.deepStrictEqual(fromJson(toJson(e)), e);
      assert.deepStrictEqual(fromJsonLine(toJsonLine(e)), e);
    });
  }

  it('writes bytes as UTF-8 strings or {b64}, scores as decimal strings, ids as strings', () => {
    const zset = toJson(samples[14] as ReplicationEvent) as { value: [unknown, string][] };
    assert.deepEqual(zset.value.map((p) => p[1]), ['-0', 'Infinity', '-Infinity', '1e+300', '5e-324', '0.1']);
    assert.deepEqual(zset.value[5]?.[0], { b64: bin.toString('base64') });
    const aux = toJson(samples[5] as ReplicationEvent) as { value: unknown };
    assert.equal(aux.value, '\u00e9\u{1f511}');
  });

  it('round-trips every event of a real RDB', () => {
    const events: ReplicationEvent[] = [];
    const p = new RdbParser((batch) => events.push(...batch), { maxChunkElements: 50 });
    p.feed(readFileSync(corpusPath('generated', 'redis-7.4.1_default.rdb')));
    p.end();
    for (const e of events) assert.deepStrictEqual(fromJsonLine(toJsonLine(e)), e);
  });

  it('refuses malformed input with EVENT_BAD_JSON naming the field', () => {
    const bad = (v: unknown, re: RegExp): void =>
      assert.throws(() => fromJson(v), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_JSON' && re.test(e.message));
    bad(null, /event is not an object/);
    bad({ type: 'nope', replid: '', offset: 0, db: 0 }, /unknown event type/);
    bad({ type: 'aux', replid: '', offset: 0, db: 0, key: 'k', value: 5, inBody: false }, /value is not a byte string/);
    bad({ type: 'key-value', replid: '', offset: 0, db: 0, key: 'k', rdbType: 5, valueType: 'zset', value: [['m', 'x']] }, /not a score/);
    bad({ type: 'snapshot-end', replid: '', offset: 0, db: 0, checksum: 'maybe', keys: 0, bytes: 0 }, /checksum/);
    assert.throws(() => fromJsonLine('{'), (e: unknown) => e instanceof ReplicatorError && e.code === 'EVENT_BAD_JSON');
  });
});
