import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../../src/config/load.js';
import { buildSink } from '../../../../src/service/build.js';
import { rocketMqSinkOptions } from '../../../../src/service/rocketmq-sink-config.js';
import { RocketMqSink } from '../../../../src/sinks/rocketmq/rocketmq-sink.js';
import { binaryCodec } from '../../../../src/events/binary-codec.js';
import { jsonCodec } from '../../../../src/events/envelope.js';
import { silentLogger } from '../../../../src/util/logger.js';

const config = (overrides: string[]) => loadConfig({ overrides: ['sink=rocketmq', ...overrides] });
const build = (overrides: string[]): unknown => buildSink(config(overrides));
const isCode = (code: string, re: RegExp) => (e: Error & { code?: string }): boolean => e.code === code && re.test(e.message);

test('sink=rocketmq builds a RocketMqSink from rocketmq.* keys (no connection until open)', () => {
  const sink = build(['rocketmq.endpoints=127.0.0.1:8081;127.0.0.2:8081', 'sink.codec=binary']);
  assert.ok(sink instanceof RocketMqSink);
  assert.equal(sink.name, 'rocketmq');
  assert.ok(sink.maxInFlight >= 1);
  const o = rocketMqSinkOptions(config(['rocketmq.endpoints=h:8081']), jsonCodec, 'm:6379', silentLogger);
  assert.equal(o.topic, 'redis-events');
  assert.equal(o.order, 'key');
  assert.equal(o.sendConcurrency, 64);
  assert.equal(o.maxMessageBytes, 4194304);
  assert.equal(o.requestTimeoutMs, 3000);
  assert.equal(o.producerGroup, 'redis-mq-replicator');
  assert.equal(o.namespace, '');
  const g = rocketMqSinkOptions(
    config(['rocketmq.endpoints=h:8081', 'rocketmq.order=global', 'rocketmq.data.topic=t1', 'rocketmq.send.concurrency=8', 'rocketmq.max.message.bytes=1048576']),
    binaryCodec,
    'm:6379',
    silentLogger,
  );
  assert.deepEqual([g.order, g.topic, g.sendConcurrency, g.maxMessageBytes, g.codec], ['global', 't1', 8, 1048576, binaryCodec]);
});

test('rocketmq config errors name the key and the fix', () => {
  assert.throws(() => build([]), isCode('CONFIG_MISSING_KEY', /rocketmq\.endpoints/));
  // the seed's RocketMQ 4 key: refused, pointing to the proxy endpoint, whatever the sink
  assert.throws(
    () => build(['rocketmq.endpoints=h:8081', 'rocketmq.nameserver.address=127.0.0.1:9876']),
    isCode('CONFIG_BAD_VALUE', /rocketmq\.nameserver\.address .*not used.*proxy.*rocketmq\.endpoints/),
  );
  assert.throws(
    () => buildSink(loadConfig({ overrides: ['sink=file', 'rocketmq.nameserver.address=127.0.0.1:9876'] })),
    isCode('CONFIG_BAD_VALUE', /rocketmq\.endpoints/),
  );
  assert.throws(() => build(['rocketmq.endpoints=h:8081', 'rocketmq.access.key=ak']), isCode('CONFIG_MISSING_KEY', /rocketmq\.secret\.key/));
  assert.throws(() => build(['rocketmq.endpoints=h:8081', 'rocketmq.order=random']), /rocketmq\.order.*expected one of key, global/);
  assert.throws(() => build(['rocketmq.endpoints=h:8081', 'rocketmq.request.timeout.ms=10']), /rocketmq\.request\.timeout\.ms.*at least 1000/);
  assert.throws(() => build(['rocketmq.endpoints=h:8081', 'rocketmq.data.topic=has space']), isCode('CONFIG_BAD_VALUE', /not a valid RocketMQ topic/));
  assert.throws(() => build(['rocketmq.endpoints=http://h:8081']), isCode('CONFIG_BAD_VALUE', /not host:port/));
  assert.throws(() => build(['rocketmq.endpoint=h:8081']), /unknown configuration key "rocketmq\.endpoint".*did you mean "rocketmq\.endpoints"/);
});

test('the rocketmq secret key is masked in the effective configuration and absent from errors', () => {
  const c = config(['rocketmq.endpoints=h:8081', 'rocketmq.secret.key=s3cr3t-sk']);
  const described = new Map(c.describe());
  assert.equal(described.get('rocketmq.secret.key'), '***');
  assert.throws(() => buildSink(c), (e: Error) => /rocketmq\.access\.key/.test(e.message) && !e.message.includes('s3cr3t-sk'));
});
