import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { binaryCodec } from '../../../../src/events/binary-codec.js';
import { H, jsonCodec } from '../../../../src/events/envelope.js';
import { eventId } from '../../../../src/events/identity.js';
import { toJson } from '../../../../src/events/json.js';
import type { CommandEvent, ReplicationEvent, TransactionEvent } from '../../../../src/events/types.js';
import { planMessages, type PlanOptions } from '../../../../src/sinks/rocketmq/messages.js';

const R = 'a'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const cmd = (offset: number, db: number, args: string[], keys: string[]): CommandEvent => ({
  type: 'command', replid: R, offset, db, command: args[0]!.toUpperCase(), args: args.map(b), keys: keys.map(b), known: true,
});
const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({ codec: jsonCodec, sourceId: '127.0.0.1:6379', order: 'key', maxBodyBytes: 4 << 20, ...o });

test('rocketmq messages: a single-key event is one message in its key group, tag = event type, headers as properties', () => {
  const e = cmd(100, 3, ['SET', 'user:1', 'v'], ['user:1']);
  const [m, ...rest] = planMessages(e, opts());
  assert.equal(rest.length, 0);
  assert.equal(m!.group, '3:user:1');
  assert.equal(m!.tag, 'command');
  assert.deepEqual(m!.keys, ['user:1']);
  assert.equal(m!.properties.get(H.id), eventId(e));
  assert.equal(m!.properties.get(H.type), 'redis.command');
  assert.equal(m!.properties.get(H.replid), R);
  assert.equal(m!.properties.get(H.offset), '100');
  assert.equal(m!.properties.get(H.db), '3');
  assert.equal(m!.properties.get(H.copies), '1');
  assert.equal(m!.properties.get(H.part), undefined);
  assert.deepEqual(toJson(jsonCodec.decode(m!.body)), toJson(e));
});

test('rocketmq messages: a multi-key command is one copy per key group with the same ce_id and ce_copies', () => {
  const e = cmd(200, 0, ['MSET', 'a', '1', 'b', '2', 'a', '3'], ['a', 'b', 'a']);
  const ms = planMessages(e, opts());
  assert.deepEqual(ms.map((m) => m.group), ['0:a', '0:b']);
  assert.deepEqual(ms.map((m) => m.keys), [['a'], ['b']]);
  for (const m of ms) {
    assert.equal(m.properties.get(H.id), eventId(e));
    assert.equal(m.properties.get(H.copies), '2');
    assert.deepEqual(toJson(jsonCodec.decode(m.body)), toJson(e));
  }
  // a transaction spanning databases routes each command's keys with its own db
  const tx: TransactionEvent = {
    type: 'transaction', replid: R, offset: 300, db: 0,
    commands: [
      { command: 'SET', args: [b('SET'), b('k'), b('1')], keys: [b('k')], known: true, db: 0 },
      { command: 'SET', args: [b('SET'), b('k'), b('2')], keys: [b('k')], known: true, db: 5 },
    ],
  };
  assert.deepEqual(planMessages(tx, opts()).map((m) => m.group), ['0:k', '5:k']);
});

test('rocketmq messages: barriers go to rmqr:barrier; order=global puts everything in rmqr:all', () => {
  const flush = cmd(400, 2, ['FLUSHDB'], []);
  const begin: ReplicationEvent = { type: 'snapshot-begin', replid: R, offset: 0, db: -1, reason: 'initial', magic: 'REDIS', rdbVersion: 10 };
  for (const e of [flush, begin]) {
    const ms = planMessages(e, opts());
    assert.equal(ms.length, 1);
    assert.equal(ms[0]!.group, 'rmqr:barrier');
    assert.deepEqual(ms[0]!.keys, []);
    assert.equal(ms[0]!.properties.get(H.copies), '1');
  }
  const mset = cmd(500, 0, ['MSET', 'a', '1', 'b', '2'], ['a', 'b']);
  for (const e of [flush, begin, mset, cmd(501, 0, ['SET', 'a', '1'], ['a'])]) {
    const ms = planMessages(e, opts({ order: 'global' }));
    assert.equal(ms.length, 1, `${e.type} is one message in global order`);
    assert.equal(ms[0]!.group, 'rmqr:all');
    assert.equal(ms[0]!.properties.get(H.copies), '1');
  }
  assert.deepEqual(planMessages(cmd(501, 0, ['SET', 'a', '1'], ['a']), opts({ order: 'global' }))[0]!.keys, ['a']);
  // an empty MULTI/EXEC touches no key and still travels
  const empty: TransactionEvent = { type: 'transaction', replid: R, offset: 600, db: 0, commands: [] };
  assert.deepEqual(planMessages(empty, opts()).map((m) => m.group), ['rmqr:barrier']);
});

test('rocketmq messages: an encoding above the body limit is split into ordered parts of one group that concatenate back', () => {
  const value = randomBytes(5 * 1024 * 1024); // binary: base64 in JSON, about 7 MB
  const e: CommandEvent = { type: 'command', replid: R, offset: 700, db: 0, command: 'SET', args: [b('SET'), b('big'), value], keys: [b('big')], known: true };
  const max = 4 * 1024 * 1024 - 32 * 1024;
  const ms = planMessages(e, opts({ maxBodyBytes: max }));
  const whole = jsonCodec.encode(e);
  assert.equal(ms.length, Math.ceil(whole.length / max));
  assert.ok(ms.length >= 2);
  ms.forEach((m, i) => {
    assert.equal(m.group, '0:big');
    assert.equal(m.properties.get(H.part), `${i}/${ms.length}`);
    assert.equal(m.properties.get(H.id), eventId(e));
    assert.ok(m.body.length <= max);
  });
  const back = jsonCodec.decode(Buffer.concat(ms.map((m) => m.body)));
  assert.ok(back.type === 'command' && back.args[2]!.equals(value));
  // a multi-key split event: every group gets all parts, in order
  const two: CommandEvent = { ...e, command: 'MSET', args: [b('MSET'), b('x'), value, b('y'), b('1')], keys: [b('x'), b('y')] };
  const parts = planMessages(two, opts({ maxBodyBytes: max }));
  const n = parts.length / 2;
  assert.deepEqual(parts.map((m) => `${m.group} ${m.properties.get(H.part)}`), [
    ...Array.from({ length: n }, (_, i) => `0:x ${i}/${n}`),
    ...Array.from({ length: n }, (_, i) => `0:y ${i}/${n}`),
  ]);
  assert.ok(parts.every((m) => m.properties.get(H.copies) === '2'));
});

test('rocketmq messages: sink.codec=binary sends the binary encoding with its content-type', () => {
  const e = cmd(800, 0, ['SET', 'k', 'v'], ['k']);
  const [m] = planMessages(e, opts({ codec: binaryCodec }));
  assert.equal(m!.properties.get(H.contentType), binaryCodec.contentType);
  assert.deepEqual(toJson(binaryCodec.decode(m!.body)), toJson(e));
  assert.notDeepEqual(m!.body, jsonCodec.encode(e));
});
