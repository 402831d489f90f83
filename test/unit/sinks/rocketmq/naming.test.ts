import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { routingKey } from '../../../../src/events/routing.js';
import {
  MAX_MESSAGE_GROUP_BYTES,
  MAX_MESSAGE_KEY_BYTES,
  messageGroupOf,
  messageKeyOf,
} from '../../../../src/sinks/rocketmq/naming.js';

const rk = (db: number, key: Buffer | string): Buffer => routingKey(db, Buffer.isBuffer(key) ? key : Buffer.from(key, 'utf8'));
const sha1 = (b: Buffer): string => createHash('sha1').update(b).digest('hex');

test('rocketmq naming: a UTF-8 key keeps its text in the group "<db>:<key>" and as the message key', () => {
  assert.equal(messageGroupOf(rk(0, 'user:42')), '0:user:42');
  assert.equal(messageGroupOf(rk(15, 'clé ünï 键')), '15:clé ünï 键');
  assert.equal(messageKeyOf(rk(15, 'clé-ünï-键')), 'clé-ünï-键');
  // a space is fine in a group (readable), not in a message key (the broker splits keys on spaces)
  assert.equal(messageGroupOf(rk(1, 'a b')), '1:a b');
  assert.equal(messageKeyOf(rk(1, 'a b')), `b64:${Buffer.from('a b').toString('base64')}`);
});

test('rocketmq naming: bytes that are not valid UTF-8, control characters and marker prefixes become b64:', () => {
  const binary = Buffer.from([0xff, 0x00, 0xfe, 0x41]);
  assert.equal(messageGroupOf(rk(2, binary)), `2:b64:${binary.toString('base64')}`);
  assert.equal(messageKeyOf(rk(2, binary)), `b64:${binary.toString('base64')}`);
  for (const k of ['tab\there', 'nl\n', 'del\u007f', 'c1\u0085']) {
    const b = Buffer.from(k, 'utf8');
    assert.equal(messageGroupOf(rk(0, b)), `0:b64:${b.toString('base64')}`, JSON.stringify(k));
  }
  // a key that looks like one of our encodings is encoded, so the mapping stays one-to-one
  const lookalike = Buffer.from('b64:AAAA');
  assert.equal(messageGroupOf(rk(0, lookalike)), `0:b64:${lookalike.toString('base64')}`);
  assert.equal(messageGroupOf(rk(0, 'sha1:x')), `0:b64:${Buffer.from('sha1:x').toString('base64')}`);
  // empty and blank keys cannot be message keys as they are
  assert.equal(messageKeyOf(rk(0, '')), 'b64:');
  assert.equal(messageKeyOf(rk(0, '   ')), `b64:${Buffer.from('   ').toString('base64')}`);
  assert.equal(messageGroupOf(rk(0, '')), '0:');
});

test('rocketmq naming: groups stay under the proxy limit of 64 UTF-8 bytes by hashing long keys', () => {
  const fits = 'k'.repeat(MAX_MESSAGE_GROUP_BYTES - 1 - '0:'.length); // 63 bytes with the prefix
  assert.equal(messageGroupOf(rk(0, fits)), `0:${fits}`);
  const long = Buffer.from('k'.repeat(MAX_MESSAGE_GROUP_BYTES - '0:'.length)); // 64 bytes: refused by the proxy
  const g = messageGroupOf(rk(0, long));
  assert.equal(g, `0:sha1:${sha1(long)}`);
  // multi-byte characters count in bytes, not characters
  const wide = '键'.repeat(21); // 63 bytes + "0:" = 65
  assert.equal(messageGroupOf(rk(0, wide)), `0:sha1:${sha1(Buffer.from(wide))}`);
  for (const db of [0, 9, 15, 255]) {
    const big = Buffer.alloc(10_000, 0xff);
    const group = messageGroupOf(rk(db, big));
    assert.ok(Buffer.byteLength(group) < MAX_MESSAGE_GROUP_BYTES, `${group} is ${Buffer.byteLength(group)} bytes`);
    assert.equal(group, `${db}:sha1:${sha1(big)}`);
  }
  // distinct long keys get distinct groups; the same key always the same group
  assert.notEqual(messageGroupOf(rk(0, `${'x'.repeat(100)}1`)), messageGroupOf(rk(0, `${'x'.repeat(100)}2`)));
  assert.equal(messageGroupOf(rk(0, 'y'.repeat(100))), messageGroupOf(rk(0, 'y'.repeat(100))));
  // the db is part of the group
  assert.notEqual(messageGroupOf(rk(0, 'y'.repeat(100))), messageGroupOf(rk(1, 'y'.repeat(100))));
});

test('rocketmq naming: long message keys are hashed, PUBLISH channels keep their "pubsub:" group', () => {
  const ok = 'm'.repeat(MAX_MESSAGE_KEY_BYTES);
  assert.equal(messageKeyOf(rk(0, ok)), ok);
  const tooLong = Buffer.from('m'.repeat(MAX_MESSAGE_KEY_BYTES + 1));
  assert.equal(messageKeyOf(rk(0, tooLong)), `sha1:${sha1(tooLong)}`);
  const channel = Buffer.concat([Buffer.from('pubsub:'), Buffer.from('news')]);
  assert.equal(messageGroupOf(channel), 'pubsub:news');
  assert.equal(messageKeyOf(channel), 'news');
});
