// Sample events of every type for the codec tests (events/json.ts, events/binary-codec.ts): raw bytes
// that are not UTF-8, -0/Infinity scores, 64-bit stream ids, null and absent optional fields, empty
// collections and names, several variants per type.
import type { ReplicationEvent } from '../../src/events/types.js';

export const R = 'a'.repeat(40);
/** Position fields of the snapshot samples. */
export const meta = { replid: R, offset: 4200, db: -1, rdbOffset: 9 };
/** Bytes that are not UTF-8. */
export const bin = Buffer.from([0xff, 0x00, 0xc3, 0x28]);
export const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const empty = Buffer.alloc(0);

export const SAMPLE_EVENTS: readonly ReplicationEvent[] = [
  { type: 'snapshot-begin', ...meta, reason: 'initial', magic: 'REDIS', rdbVersion: 12 },
  { type: 'snapshot-begin', ...meta, epoch: 3, reason: 'resync', magic: 'VALKEY', rdbVersion: 80, previous: { replid: 'b'.repeat(40), offset: 17 } },
  { type: 'snapshot-begin', replid: '', offset: 0, db: -1, reason: 'file', magic: 'REDIS', rdbVersion: 6 },
  { type: 'snapshot-end', ...meta, checksum: 'verified', checksumHex: '5fae0779647907cf', keys: 10, bytes: 12345 },
  { type: 'snapshot-end', ...meta, checksum: 'absent', keys: 0, bytes: 10 },
  { type: 'snapshot-end', ...meta, checksum: 'not-computed', keys: 2 ** 40, bytes: Number.MAX_SAFE_INTEGER },
  { type: 'aux', ...meta, key: b('redis-ver'), value: b('7.4.1'), inBody: false },
  { type: 'aux', ...meta, key: bin, value: b('\u00e9\u{1f511}'), inBody: true },
  { type: 'aux', ...meta, key: empty, value: empty, inBody: false },
  { type: 'function', ...meta, code: b('#!lua name=lib\nreturn 1') },
  { type: 'function', ...meta, code: b('return 1'), preGa: { name: b('lib'), engine: b('LUA'), description: null } },
  { type: 'function', ...meta, code: b('return 2'), preGa: { name: b('lib2'), engine: b('LUA'), description: bin } },
  { type: 'module-aux', ...meta, module: 'ReJSON-RL', moduleId: '5035677737576115203', encver: 3, when: 2, raw: bin },
  { type: 'key-value', ...meta, db: 0, key: b('s'), rdbType: 0, valueType: 'string', value: bin },
  {
    type: 'key-value', ...meta, db: 15, key: bin, rdbType: 0, expireMs: 4102444800000, lfuFreq: 5, lruIdleS: 77,
    keyMeta: [{ classSpec: 0x12345678, raw: Buffer.from([2, 1, 0]) }], valueType: 'string', value: b(''),
  },
  { type: 'key-value', ...meta, db: 0, key: b('neg'), rdbType: 0, expireMs: -1, lruIdleS: 0, keyMeta: [], valueType: 'string', value: b('x') },
  { type: 'key-value', ...meta, db: 0, key: b('l'), rdbType: 18, valueType: 'list', value: [b('a'), bin, b('')] },
  { type: 'key-value', ...meta, db: 0, key: b('st'), rdbType: 11, valueType: 'set', value: [b('1'), b('-9223372036854775808')] },
  { type: 'key-value', ...meta, db: 0, key: b('empty-set'), rdbType: 2, valueType: 'set', value: [] },
  {
    type: 'key-value', ...meta, db: 0, key: b('z'), rdbType: 5, valueType: 'zset',
    value: [[b('a'), -0], [b('b'), Infinity], [b('c'), -Infinity], [b('d'), 1e300], [b('e'), 5e-324], [bin, 0.1], [b('f'), 0], [b('g'), -2.5]],
  },
  { type: 'key-value', ...meta, db: 0, key: b('h'), rdbType: 4, valueType: 'hash', value: [[b('f'), b('v')], [bin, bin], [empty, empty]] },
  { type: 'key-value', ...meta, db: 0, key: b('hx'), rdbType: 25, valueType: 'hash', value: [[b('f'), b('v')]], fieldExpires: [[b('f'), 4102444800099]] },
  {
    type: 'key-value', ...meta, db: 0, key: b('x'), rdbType: 21, valueType: 'stream',
    value: {
      entries: [{ id: '18446744073709551615-18446744073709551614', fields: [[b('f'), bin]] }, { id: '0-1', fields: [] }],
      meta: { length: 2, lastId: '18446744073709551615-18446744073709551614', firstId: null, maxDeletedId: '0-0', entriesAdded: null, listpackNodes: 1 },
      groups: [{
        name: b('g'), lastDeliveredId: '1-0', entriesRead: null,
        pel: [{ id: '1-0', consumer: bin, deliveryTimeMs: 1700000000000, deliveryCount: 2 }, { id: '2-0', consumer: null, deliveryTimeMs: 1, deliveryCount: 1 }],
        consumers: [{ name: bin, seenTimeMs: 1700000000001, activeTimeMs: null, pel: ['1-0'] }, { name: b('c2'), seenTimeMs: 5, activeTimeMs: 7, pel: [] }],
      }, { name: empty, lastDeliveredId: '0-0', entriesRead: 12, pel: [], consumers: [] }],
    },
  },
  {
    type: 'key-value', ...meta, db: 0, key: b('x2'), rdbType: 15, valueType: 'stream',
    value: { entries: [], meta: { length: 0, lastId: '0-0', firstId: '0-0', maxDeletedId: null, entriesAdded: 0, listpackNodes: 0 }, groups: [] },
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
  { type: 'command', replid: R, offset: 5000, db: 0, command: 'SET', args: [b('set'), b('k'), bin], keys: [b('k')], known: true },
  { type: 'command', replid: R, offset: 5001, db: 3, epoch: 2, command: 'X.Y', args: [b('x.y')], keys: [], known: false, timestampMs: 1700000000000 },
  { type: 'command', replid: R, offset: 2 ** 53 - 1, db: 0, command: 'FLUSHALL', args: [b('FLUSHALL')], keys: [], known: true },
  {
    type: 'transaction', replid: R, offset: 6000, db: 0, timestampMs: 1700000001000,
    commands: [{ command: 'INCR', args: [b('incr'), b('n')], keys: [b('n')], known: true, db: 0 }, { command: 'DEL', args: [b('DEL'), bin], keys: [bin], known: false, db: 5 }],
  },
  { type: 'transaction', replid: R, offset: 6001, db: 2, commands: [] },
  { type: 'stream-begin', replid: R, offset: 4200, db: 0, mode: 'full' },
  { type: 'stream-begin', replid: R, offset: 4200, db: 9, mode: 'partial' },
  { type: 'stream-end', replid: R, offset: 7000, db: 0, reason: 'link-lost' },
  { type: 'stream-end', replid: R, offset: 7000, db: 0, reason: 'r\u00e9ason \u{1f511}' },
];
