// events/routing.ts: the routes the sinks publish by and the consumer SDK orders by.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routeOf, routingKey } from '../../../src/events/routing.js';
import type { ReplicationEvent } from '../../../src/events/types.js';

const R = 'r'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const bin = Buffer.from([0xff, 0xfe, 0x00]);
const cmd = (command: string, args: Buffer[], keys: Buffer[], db = 0): ReplicationEvent => ({ type: 'command', replid: R, offset: 1, db, command, args, keys, known: true });
/** A route as latin1 strings (null = barrier), easy to compare. */
const keysOf = (e: ReplicationEvent): string[] | null => {
  const route = routeOf(e);
  return route.kind === 'all' ? null : route.keys.map((k) => k.toString('latin1'));
};
const latin1 = (s: Buffer): string => s.toString('latin1');

/** Events and the routing keys they must go to (null: every partition / the barrier group). */
const cases: Array<[string, ReplicationEvent, string[] | null]> = [
  ['a key-value event: its key in its db, bytes kept as they are',
    { type: 'key-value', replid: R, offset: 1, db: 3, key: bin, rdbType: 0, valueType: 'string', value: b('v') }, [`3:${latin1(bin)}`]],
  ['a key-chunk event: its key',
    { type: 'key-chunk', replid: R, offset: 1, db: 0, key: b('big'), rdbType: 0, valueType: 'string', value: b('v'), index: 0, last: false }, ['0:big']],
  ['a single-key command', cmd('SET', [b('SET'), b('k'), b('v')], [b('k')], 2), ['2:k']],
  ['a multi-key command: each key once, in order', cmd('MSET', [b('MSET'), b('a'), b('1'), b('b'), b('2'), b('a'), b('3')], [b('a'), b('b'), b('a')]), ['0:a', '0:b']],
  ['RENAME: both keys', cmd('RENAME', [b('RENAME'), b('x'), bin], [b('x'), bin]), ['0:x', `0:${latin1(bin)}`]],
  ['FLUSHDB: a barrier', cmd('FLUSHDB', [b('FLUSHDB')], []), null],
  ['SWAPDB: a barrier', cmd('SWAPDB', [b('SWAPDB'), b('0'), b('1')], []), null],
  ['PUBLISH: its channel', cmd('PUBLISH', [b('PUBLISH'), b('chan'), b('msg')], []), ['pubsub:chan']],
  ['SPUBLISH: its channel, bytes kept', cmd('SPUBLISH', [b('SPUBLISH'), bin, b('msg')], []), [`pubsub:${latin1(bin)}`]],
  ['PUBLISH without a channel: a barrier', cmd('PUBLISH', [b('PUBLISH')], []), null],
  ['a transaction: the keys of its commands, each in the db it ran in', {
    type: 'transaction', replid: R, offset: 2, db: 0,
    commands: [
      { command: 'INCR', args: [b('INCR'), b('n')], keys: [b('n')], known: true, db: 0 },
      { command: 'SET', args: [b('SET'), b('n'), b('1')], keys: [b('n')], known: true, db: 4 },
    ],
  }, ['0:n', '4:n']],
  ['a transaction with a keyless command: a barrier', {
    type: 'transaction', replid: R, offset: 3, db: 0,
    commands: [
      { command: 'INCR', args: [b('INCR'), b('n')], keys: [b('n')], known: true, db: 0 },
      { command: 'FLUSHALL', args: [b('FLUSHALL')], keys: [], known: true, db: 0 },
    ],
  }, null],
  ['a transaction of one PUBLISH: its channel', {
    type: 'transaction', replid: R, offset: 4, db: 0,
    commands: [{ command: 'PUBLISH', args: [b('PUBLISH'), b('c'), b('m')], keys: [], known: true, db: 0 }],
  }, ['pubsub:c']],
  ['snapshot-begin: a barrier', { type: 'snapshot-begin', replid: R, offset: 0, db: -1, reason: 'initial', magic: 'REDIS', rdbVersion: 12 }, null],
  ['snapshot-end: a barrier', { type: 'snapshot-end', replid: R, offset: 0, db: -1, checksum: 'verified', keys: 0, bytes: 0 }, null],
  ['aux: a barrier', { type: 'aux', replid: R, offset: 0, db: -1, key: b('k'), value: b('v'), inBody: false }, null],
  ['function: a barrier', { type: 'function', replid: R, offset: 0, db: -1, code: b('x') }, null],
  ['module-aux: a barrier', { type: 'module-aux', replid: R, offset: 0, db: -1, module: 'm', moduleId: '1', encver: 0, when: 1, raw: b('') }, null],
  ['stream-begin: a barrier', { type: 'stream-begin', replid: R, offset: 0, db: 0, mode: 'full' }, null],
  ['stream-end: a barrier', { type: 'stream-end', replid: R, offset: 0, db: 0, reason: 'eof' }, null],
];

describe('routeOf', () => {
  for (const [name, e, expected] of cases) {
    it(name, () => {
      assert.deepEqual(keysOf(e), expected);
    });
  }

  it('routes an empty transaction to no key (the sinks publish it as a barrier)', () => {
    assert.deepEqual(routeOf({ type: 'transaction', replid: R, offset: 1, db: 0, commands: [] }), { kind: 'keys', keys: [] });
  });

  it('routingKey is "<db>:" followed by the key bytes', () => {
    assert.deepEqual(routingKey(12, bin), Buffer.concat([b('12:'), bin]));
    assert.deepEqual(routingKey(0, Buffer.alloc(0)), b('0:'));
  });
});
