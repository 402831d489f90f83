import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileEventFilter } from '../../../src/filters/event-filter.js';
import { globToRegExp } from '../../../src/filters/glob.js';
import type { CommandEvent, KeyValueEvent, ReplicationEvent, TransactionEvent } from '../../../src/events/types.js';

const R = 'e'.repeat(40);
const kv = (db: number, key: string | Buffer): KeyValueEvent => ({
  type: 'key-value', replid: R, offset: 1, db, rdbOffset: 10, key: Buffer.isBuffer(key) ? key : Buffer.from(key), rdbType: 0, valueType: 'string', value: Buffer.from('v'),
});
const cmd = (db: number, command: string, ...keys: string[]): CommandEvent => ({
  type: 'command', replid: R, offset: 2, db, command, args: [Buffer.from(command), ...keys.map((k) => Buffer.from(k))], keys: keys.map((k) => Buffer.from(k)), known: true,
});

test('Redis glob patterns: * ? [set] [^set] and escapes, on raw bytes', () => {
  const m = (p: string, s: string) => globToRegExp(p).test(s);
  assert.ok(m('user:*', 'user:42'));
  assert.ok(!m('user:*', 'order:1'));
  assert.ok(m('h?llo', 'hallo') && !m('h?llo', 'hllo'));
  assert.ok(m('h[ae]llo', 'hello') && !m('h[ae]llo', 'hillo'));
  assert.ok(m('h[^e]llo', 'hallo') && !m('h[^e]llo', 'hello'));
  assert.ok(m('a\\*b', 'a*b') && !m('a\\*b', 'axb'));
  assert.ok(m('x.y', 'x.y') && !m('x.y', 'xzy'), 'regexp metacharacters are literal');
  assert.ok(globToRegExp('\xff*').test(Buffer.from([0xff, 0x00]).toString('latin1')), 'binary keys match byte for byte');
});

test('no filter configured compiles to null (the pipeline then does no work per event)', () => {
  assert.equal(compileEventFilter({}), null);
  assert.equal(compileEventFilter({ dbs: [], keys: [], types: [] }), null);
});

test('key and db filters: snapshot keys, single- and multi-key commands, transactions, keyless events', () => {
  const f = compileEventFilter({ dbs: [0], keys: ['user:*'], excludeKeys: ['user:tmp:*'] })!;
  assert.ok(f(kv(0, 'user:1')));
  assert.ok(!f(kv(0, 'order:1')));
  assert.ok(!f(kv(1, 'user:1')), 'other database');
  assert.ok(!f(kv(0, 'user:tmp:9')), 'excluded after included');
  assert.ok(f(cmd(0, 'MSET', 'order:1', 'user:2')), 'a multi-key command passes when one key does');
  assert.ok(!f(cmd(0, 'DEL', 'order:1', 'order:2')));
  const tx: TransactionEvent = { type: 'transaction', replid: R, offset: 3, db: 0, commands: [{ ...cmd(3, 'SET', 'user:1'), db: 3 }, { ...cmd(0, 'SET', 'user:2'), db: 0 }] };
  assert.ok(f(tx), 'one command of the transaction in an accepted db and key');
  assert.ok(f(cmd(5, 'FLUSHALL')), 'server-wide commands always pass');
  assert.ok(!f(cmd(5, 'FLUSHDB')), 'FLUSHDB of another db does not');
  assert.ok(f(cmd(0, 'FLUSHDB')));
  const begin: ReplicationEvent = { type: 'snapshot-begin', replid: R, offset: 0, db: -1, reason: 'initial', magic: 'REDIS', rdbVersion: 10 };
  assert.ok(f(begin), 'events about no key always pass the key filter');
});

test('type and command filters', () => {
  const f = compileEventFilter({ types: ['command'], excludeCommands: ['publish'] })!;
  assert.ok(f(cmd(0, 'SET', 'a')));
  assert.ok(!f(cmd(0, 'PUBLISH')), 'command names compare upper case');
  assert.ok(!f(kv(0, 'a')), 'not a selected type');
});
