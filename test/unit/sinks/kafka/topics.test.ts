import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicationEvent } from '../../../../src/events/types.js';
import { routingKey } from '../../../../src/events/routing.js';
import { parseTopicPrefixes } from '../../../../src/sinks/kafka/options.js';
import { TopicResolver } from '../../../../src/sinks/kafka/topics.js';

const kv = (db: number, key: string): ReplicationEvent => ({
  type: 'key-value', replid: 'r', offset: 1, db, key: Buffer.from(key), rdbType: 0, valueType: 'string', value: Buffer.from('v'),
});

test('topic template: {db} and {type}; "none" for events without a database', () => {
  const r = new TopicResolver('redis-{db}-{type}');
  const e = kv(3, 'user:1');
  assert.equal(r.topicForRoutingKey(e, routingKey(3, Buffer.from('user:1'))), 'redis-3-key-value');
  assert.equal(r.topicFor('snapshot-begin', -1), 'redis-none-snapshot-begin');
  assert.ok(r.matchesTemplate('redis-12-command'));
  assert.ok(!r.matchesTemplate('other-12-command'));
  assert.deepEqual(r.fixedTopics, []);
});

test('topic prefixes: longest prefix wins, other keys and PUBLISH channels use the template', () => {
  const r = new TopicResolver('events', parseTopicPrefixes('user:=users, user:admin:=admins ,order=orders'));
  const e = kv(0, 'x');
  const topic = (key: string): string => r.topicForRoutingKey(e, routingKey(0, Buffer.from(key)));
  assert.equal(topic('user:1'), 'users');
  assert.equal(topic('user:admin:7'), 'admins');
  assert.equal(topic('orders:9'), 'orders');
  assert.equal(topic('session:1'), 'events');
  assert.equal(r.topicForRoutingKey(e, Buffer.from('pubsub:user:chan')), 'events');
  assert.deepEqual(r.fixedTopics.sort(), ['admins', 'events', 'orders', 'users']);
});

test('binary keys match byte prefixes', () => {
  const r = new TopicResolver('events', [{ prefix: Buffer.from([0xff, 0x00]), topic: 'bin' }]);
  const key = Buffer.from([0xff, 0x00, 0x80]);
  assert.equal(r.topicForRoutingKey(kv(0, ''), routingKey(0, key)), 'bin');
  assert.equal(r.topicForRoutingKey(kv(0, ''), routingKey(0, Buffer.from([0xff]))), 'events');
});

test('invalid topic names and prefix lists are rejected with the reason', () => {
  assert.throws(() => new TopicResolver('bad topic'), /not a valid Kafka topic name/);
  assert.throws(() => new TopicResolver('t', parseTopicPrefixes('a=b c')), /not a valid Kafka topic name/);
  assert.throws(() => parseTopicPrefixes('noequals'), /is not prefix=topic/);
  assert.throws(() => parseTopicPrefixes('a='), /is not prefix=topic/);
});
