// kafka.* configuration keys -> KafkaSink options, with errors that name the key to fix.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import type { EventCodec } from '../events/envelope.js';
import { KafkaSink } from '../sinks/kafka/kafka-sink.js';
import { checkCompression, parseTopicPrefixes, type KafkaSinkOptions, type KafkaTlsOptions } from '../sinks/kafka/options.js';
import type { Logger } from '../util/logger.js';

/** What the service decides besides the kafka.* keys. */
export interface KafkaSinkExtras {
  /** Cluster mode: the transactional id shared by the instances of a source (used when kafka.transactional.id is empty). */
  transactionalId?: string;
}

export function kafkaSinkOptions(config: Config, codec: EventCodec, sourceId: string, logger: Logger, extras: KafkaSinkExtras = {}): KafkaSinkOptions {
  const brokers = config.list('kafka.brokers');
  if (brokers.length === 0) {
    throw new ConfigError('CONFIG_MISSING_KEY', 'sink = kafka needs kafka.brokers (comma-separated host:port); set it in the config file or with --set kafka.brokers=host:9092');
  }
  const compression = config.str('kafka.compression');
  checkCompression(compression, (why) => new ConfigError('CONFIG_BAD_VALUE', `kafka.compression (${config.origin('kafka.compression')}): ${why}`));
  const o: KafkaSinkOptions = {
    brokers,
    clientId: config.str('kafka.client.id'),
    topic: config.str('kafka.topic'),
    createTopics: config.bool('kafka.topic.create'),
    topicPartitions: config.int('kafka.topic.partitions'),
    topicReplicationFactor: config.int('kafka.topic.replication.factor'),
    compression,
    maxMessageBytes: config.int('kafka.max.message.bytes'),
    publishTimeoutMs: config.int('kafka.publish.timeout.ms'),
    headers: config.str('kafka.headers') === 'cloudevents' ? 'cloudevents' : 'compact',
    packMaxEvents: config.int('kafka.pack.max.events'),
    transactionalId: config.str('kafka.transactional.id') || (extras.transactionalId ?? ''),
    codec,
    sourceId,
    logger,
  };
  const packBytes = config.optStr('kafka.pack.max.bytes');
  if (packBytes !== undefined) {
    const n = config.int('kafka.pack.max.bytes');
    if (n > config.int('kafka.max.message.bytes')) {
      throw new ConfigError('CONFIG_BAD_VALUE', `kafka.pack.max.bytes (${config.origin('kafka.pack.max.bytes')}) = ${n} is above kafka.max.message.bytes (${config.int('kafka.max.message.bytes')})`);
    }
    o.packMaxBytes = n;
  }
  const prefixes = config.optStr('kafka.topic.prefixes');
  if (prefixes !== undefined) {
    try {
      o.topicPrefixes = parseTopicPrefixes(prefixes);
    } catch (err) {
      throw new ConfigError('CONFIG_BAD_VALUE', `kafka.topic.prefixes (${config.origin('kafka.topic.prefixes')}): ${(err as Error).message}`);
    }
  }
  const mechanism = config.optStr('kafka.sasl.mechanism');
  if (mechanism !== undefined) {
    const username = config.optStr('kafka.sasl.username');
    const password = config.optStr('kafka.sasl.password');
    if (username === undefined || password === undefined) {
      throw new ConfigError('CONFIG_MISSING_KEY', `kafka.sasl.mechanism = ${mechanism} needs kafka.sasl.username and kafka.sasl.password`);
    }
    if (mechanism !== 'plain' && mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512') {
      throw new ConfigError('CONFIG_BAD_VALUE', `kafka.sasl.mechanism = ${mechanism}: expected plain, scram-sha-256 or scram-sha-512`);
    }
    o.sasl = { mechanism, username, password };
  }
  const caFile = config.optStr('kafka.ssl.ca');
  if (config.bool('kafka.ssl') || caFile !== undefined) {
    const tls: KafkaTlsOptions = { rejectUnauthorized: config.bool('kafka.ssl.reject.unauthorized') };
    if (caFile !== undefined) {
      try {
        tls.ca = readFileSync(caFile);
      } catch (err) {
        throw new ConfigError('CONFIG_BAD_VALUE', `kafka.ssl.ca: cannot read ${caFile}: ${(err as Error).message}`, { cause: err });
      }
    }
    o.ssl = tls;
  }
  return o;
}

export function buildKafkaSink(config: Config, codec: EventCodec, sourceId: string, logger: Logger, extras: KafkaSinkExtras = {}): KafkaSink {
  const options = kafkaSinkOptions(config, codec, sourceId, logger.child({ sink: 'kafka' }), extras);
  try {
    return new KafkaSink(options);
  } catch (err) {
    // option checks the config layer does not repeat (broker syntax, topic names)
    throw new ConfigError('CONFIG_BAD_VALUE', `kafka.*: ${(err as Error).message}`, { cause: err });
  }
}
