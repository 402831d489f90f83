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
  assert.equal(sink.maxInFlight, 16);
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
  assert.throws(() => build(['kafka.brokers=h:1', 'kafka.acks=1']), /unknown configuration key/);
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

test('kafka.headers, kafka.pack.*, kafka.transactional.id reach the sink options; cluster mode supplies the id when the key is empty', async () => {
  const { kafkaSinkOptions } = await import('../../../../src/service/kafka-sink-config.js');
  const { jsonCodec } = await import('../../../../src/events/envelope.js');
  const { clusterTransactionalId } = await import('../../../../src/sinks/kafka/options.js');
  const { silentLogger } = await import('../../../../src/util/logger.js');
  const opts = (o: string[], extras = {}): ReturnType<typeof kafkaSinkOptions> =>
    kafkaSinkOptions(loadConfig({ overrides: ['sink=kafka', 'kafka.brokers=h:1', ...o] }), jsonCodec, 'h:6379', silentLogger, extras);
  const d = opts([]);
  assert.deepEqual([d.headers, d.packMaxEvents, d.packMaxBytes, d.transactionalId], ['compact', 256, undefined, '']);
  const set = opts(['kafka.headers=cloudevents', 'kafka.pack.max.events=1', 'kafka.pack.max.bytes=65536', 'kafka.transactional.id=tx-1']);
  assert.deepEqual([set.headers, set.packMaxEvents, set.packMaxBytes, set.transactionalId], ['cloudevents', 1, 65536, 'tx-1']);
  const cluster = clusterTransactionalId('10.0.0.1:6379');
  assert.equal(cluster, 'redis-mq-replicator:10.0.0.1:6379');
  assert.equal(opts([], { transactionalId: cluster }).transactionalId, cluster);
  assert.equal(opts(['kafka.transactional.id=mine'], { transactionalId: cluster }).transactionalId, 'mine', 'an explicit key wins');
  assert.throws(() => opts(['kafka.headers=ce']), (e: Error & { code?: string }) => e.code === 'CONFIG_BAD_VALUE' && /kafka\.headers/.test(e.message));
  assert.throws(
    () => opts(['kafka.pack.max.bytes=2000000']),
    (e: Error & { code?: string }) => e.code === 'CONFIG_BAD_VALUE' && /kafka\.pack\.max\.bytes/.test(e.message),
  );
});
