// consumer/order-keys.ts must agree with sinks/routing.ts routeOf (the SDK orders by the keys the sinks
// route by; consumer/ may not import sinks/, so the logic is mirrored and checked here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderKeys } from '../../../src/consumer/order-keys.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { routeOf } from '../../../src/sinks/routing.js';

const R = 'r'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const bin = Buffer.from([0xff, 0xfe, 0x00]);
const cmd = (command: string, args: Buffer[], keys: Buffer[], db = 0): ReplicationEvent => ({ type: 'command', replid: R, offset: 1, db, command, args, keys, known: true });

const events: ReplicationEvent[] = [
  { type: 'key-value', replid: R, offset: 1, db: 3, key: bin, rdbType: 0, valueType: 'string', value: b('v') },
  { type: 'key-chunk', replid: R, offset: 1, db: 0, key: b('big'), rdbType: 0, valueType: 'string', value: b('v'), index: 0, last: false },
  cmd('SET', [b('SET'), b('k'), b('v')], [b('k')], 2),
  cmd('MSET', [b('MSET'), b('a'), b('1'), b('b'), b('2'), b('a'), b('3')], [b('a'), b('b'), b('a')]),
  cmd('RENAME', [b('RENAME'), b('x'), bin], [b('x'), bin]),
  cmd('FLUSHDB', [b('FLUSHDB')], []),
  cmd('SWAPDB', [b('SWAPDB'), b('0'), b('1')], []),
  cmd('PUBLISH', [b('PUBLISH'), b('chan'), b('msg')], []),
  cmd('SPUBLISH', [b('SPUBLISH'), bin, b('msg')], []),
  {
    type: 'transaction', replid: R, offset: 2, db: 0,
    commands: [
      { command: 'INCR', args: [b('INCR'), b('n')], keys: [b('n')], known: true, db: 0 },
      { command: 'SET', args: [b('SET'), b('n'), b('1')], keys: [b('n')], known: true, db: 4 },
    ],
  },
  {
    type: 'transaction', replid: R, offset: 3, db: 0,
    commands: [
      { command: 'INCR', args: [b('INCR'), b('n')], keys: [b('n')], known: true, db: 0 },
      { command: 'FLUSHALL', args: [b('FLUSHALL')], keys: [], known: true, db: 0 },
    ],
  },
  { type: 'snapshot-begin', replid: R, offset: 0, db: -1, reason: 'initial', magic: 'REDIS', rdbVersion: 12 },
  { type: 'snapshot-end', replid: R, offset: 0, db: -1, checksum: 'verified', keys: 0, bytes: 0 },
  { type: 'aux', replid: R, offset: 0, db: -1, key: b('k'), value: b('v'), inBody: false },
  { type: 'function', replid: R, offset: 0, db: -1, code: b('x') },
  { type: 'module-aux', replid: R, offset: 0, db: -1, module: 'm', moduleId: '1', encver: 0, when: 1, raw: b('') },
  { type: 'stream-begin', replid: R, offset: 0, db: 0, mode: 'full' },
  { type: 'stream-end', replid: R, offset: 0, db: 0, reason: 'eof' },
];

describe('orderKeys', () => {
  for (const e of events) {
    it(`agrees with sinks/routing.ts routeOf for ${e.type} ${'command' in e ? e.command : ''}`, () => {
      const route = routeOf(e);
      const mine = orderKeys(e);
      if (route.kind === 'all') assert.equal(mine, null);
      else assert.deepEqual([...(mine ?? [])].sort(), route.keys.map((k) => k.toString('latin1')).sort());
    });
  }

  it('treats an empty transaction as a barrier (no key to order it by)', () => {
    assert.equal(orderKeys({ type: 'transaction', replid: R, offset: 1, db: 0, commands: [] }), null);
  });
});
