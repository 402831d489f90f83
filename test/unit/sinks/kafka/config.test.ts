import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../../src/config/load.js';
import { buildSink } from '../../../../src/service/build.js';
import { KafkaSink } from '../../../../src/sinks/kafka/kafka-sink.js';

const build = (overrides: string[]): unknown => buildSink(loadConfig({ overrides: ['sink=kafka', ...overrides] }));

test('sink=kafka builds a KafkaSink from kafka.* keys (no connection until open)', () => {
  const sink = build(['kafka.brokers=127.0.0.1:9092, 127.0.0.1:9093', 'kafka.compression=gzip', 'kafka.topic=redis-{db}', 'sink.codec=binary']);
  assert.ok(sink instanceof KafkaSink);
  assert.equal(sink.name, 'kafka');
  assert.equal(sink.maxInFlight, 5);
});

test('kafka config errors name the key and the fix', () => {
  assert.throws(() => build([]), (e: Error & { code?: string }) => e.code === 'CONFIG_MISSING_KEY' && /kafka\.brokers/.test(e.message));
  for (const codec of ['zstd', 'snappy', 'lz4']) {
    assert.throws(
      () => build(['kafka.brokers=h:1', `kafka.compression=${codec}`]),
      (e: Error & { code?: string }) => e.code === 'CONFIG_BAD_VALUE' && /kafka\.compression/.test(e.message) && /codec package/.test(e.message),
    );
  }
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.compression=brotli']), /kafka\.compression.*unknown/);
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.sasl.mechanism=gssapi']), /kafka\.sasl\.mechanism.*expected one of/);
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.topic.prefixes=user:']), /kafka\.topic\.prefixes.*prefix=topic/);
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.topic=has space']), /not a valid Kafka topic name/);
  assert.throws(() => build(['kafka.brokers=nohostport']), /not "host:port"/);
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.max.message.bytes=100']), /kafka\.max\.message\.bytes.*at least 16384/);
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.transactional.id=x']), /unknown configuration key/);
});

test('an incomplete SASL setup is an error that does not show the password', () => {
  assert.throws(
    () => build(['kafka.brokers=h:1', 'kafka.sasl.mechanism=scram-sha-512', 'kafka.sasl.password=s3cr3t-pw']),
    (e: Error) => /kafka\.sasl\.username/.test(e.message) && !e.message.includes('s3cr3t-pw'),
  );
  const sink = build(['kafka.brokers=h:1', 'kafka.sasl.mechanism=plain', 'kafka.sasl.username=u', 'kafka.sasl.password=s3cr3t-pw']);
  assert.ok(sink instanceof KafkaSink);
  const described = loadConfig({ overrides: ['kafka.sasl.password=s3cr3t-pw'] }).describe();
  assert.ok(described.some(([k, v]) => k === 'kafka.sasl.password' && v === '***'));
});
