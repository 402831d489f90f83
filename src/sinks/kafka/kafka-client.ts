// Builds the kafkajs client from the sink's connection options (brokers, TLS, SASL, timeouts).
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaLogCreator } from '../../kafka/kafka-log.js';
import type { Logger } from '../../util/logger.js';
import { routineSinkLog } from './routine-log.js';
import type { KafkaConnectionOptions, KafkaSaslOptions } from './options.js';

export function createKafkaClient(o: KafkaConnectionOptions, logger: Logger, defaultClientId: string): Kafka {
  const config: KafkaConfig = {
    clientId: o.clientId ?? defaultClientId,
    brokers: o.brokers,
    connectionTimeout: o.connectionTimeoutMs ?? 3000,
    requestTimeout: o.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.INFO,
    logCreator: kafkaLogCreator(logger, routineSinkLog),
  };
  if (o.ssl) config.ssl = o.ssl === true ? true : { ...o.ssl };
  if (o.sasl) config.sasl = saslConfig(o.sasl);
  return new Kafka(config);
}

function saslConfig(s: KafkaSaslOptions): SASLOptions {
  switch (s.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: s.username, password: s.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: s.username, password: s.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: s.username, password: s.password };
    default: {
      const never: never = s.mechanism;
      throw new Error(`unknown SASL mechanism ${String(never)}`);
    }
  }
}
