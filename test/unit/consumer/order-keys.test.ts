// consumer/order-keys.ts: the SDK orders listeners by the routes of events/routing.ts, as latin1 strings
// (routeOf itself is tested in test/unit/events/routing.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { orderKeys } from '../../../src/consumer/order-keys.js';
import type { ReplicationEvent } from '../../../src/events/types.js';

const R = 'r'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const bin = Buffer.from([0xff, 0xfe, 0x00]);
const cmd = (command: string, args: Buffer[], keys: Buffer[], db = 0): ReplicationEvent => ({ type: 'command', replid: R, offset: 1, db, command, args, keys, known: true });

describe('orderKeys', () => {
  it('gives a key its "<db>:<key>" stream, one char per byte', () => {
    const keys = orderKeys({ type: 'key-value', replid: R, offset: 1, db: 3, key: bin, rdbType: 0, valueType: 'string', value: b('v') });
    assert.deepEqual(keys, ['3:\u00ff\u00fe\u0000']);
  });

  it('gives a multi-key command each of its keys once', () => {
    assert.deepEqual(orderKeys(cmd('MSET', [b('MSET'), b('a'), b('1'), b('b'), b('2'), b('a'), b('3')], [b('a'), b('b'), b('a')])), ['0:a', '0:b']);
  });

  it('gives PUBLISH its channel stream', () => {
    assert.deepEqual(orderKeys(cmd('PUBLISH', [b('PUBLISH'), b('chan'), b('msg')], [])), ['pubsub:chan']);
  });

  it('treats events published to every partition as barriers', () => {
    assert.equal(orderKeys(cmd('FLUSHDB', [b('FLUSHDB')], [])), null);
    assert.equal(orderKeys({ type: 'stream-begin', replid: R, offset: 0, db: 0, mode: 'full' }), null);
  });

  it('treats an empty transaction as a barrier (no key to order it by)', () => {
    assert.equal(orderKeys({ type: 'transaction', replid: R, offset: 1, db: 0, commands: [] }), null);
  });
});
