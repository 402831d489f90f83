// Options of the Kafka sink, their defaults, and their validation. Connection options (brokers, TLS,
// SASL) have the same shape as the consumer SDK's Kafka source options.
import { HEADER_STYLES, jsonCodec, type EventCodec, type HeaderStyle } from '../../events/envelope.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { SinkError } from '../errors.js';

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSaslOptions {
  mechanism: KafkaSaslMechanism;
  username: string;
  password: string;
}

export interface KafkaTlsOptions {
  /** PEM of the CA that signed the brokers' certificates (default: the system CAs). */
  ca?: string | Buffer;
  /** Verify the brokers' certificates (default true). */
  rejectUnauthorized?: boolean;
}

export interface KafkaConnectionOptions {
  /** "host:port" bootstrap brokers. */
  brokers: string[];
  clientId?: string;
  /** true or TLS options: connect with TLS. */
  ssl?: boolean | KafkaTlsOptions;
  sasl?: KafkaSaslOptions;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
}

/** Compression codecs kafkajs has built in; snappy/lz4/zstd need codec packages this build does not ship. */
export const KAFKA_COMPRESSIONS = ['none', 'gzip'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];
const CODEC_PACKAGE_COMPRESSIONS = ['snappy', 'lz4', 'zstd'];

export interface KafkaTopicPrefix {
  /** Redis key prefix (bytes of the configured text). */
  prefix: Buffer;
  topic: string;
}

export interface KafkaSinkOptions extends KafkaConnectionOptions {
  /** Topic, or a template with {db} and {type} placeholders (topic per database / per event type). */
  topic?: string;
  /** Keys starting with a prefix go to its topic (longest matching prefix wins). */
  topicPrefixes?: KafkaTopicPrefix[];
  /** Create missing topics (default false: a missing topic is an error naming it). */
  createTopics?: boolean;
  /** Partitions of the topics this sink creates. */
  topicPartitions?: number;
  /** Replication factor of the topics this sink creates (-1 = the broker's default). */
  topicReplicationFactor?: number;
  compression?: KafkaCompression;
  /** Largest record batch per partition the broker accepts (its message.max.bytes); bigger events are split. */
  maxMessageBytes?: number;
  /** Wire format of the event (default JSON). */
  codec?: EventCodec;
  /** Identifies the master in ce_source ("host:port"). */
  sourceId?: string;
  /** A send that is not acknowledged within this time fails (the pipeline publishes it again). */
  publishTimeoutMs?: number;
  /** Partition counts are re-read at least this often. */
  metadataMaxAgeMs?: number;
  /** Most records in one produce request. */
  maxRequestRecords?: number;
  /** Most bytes (before compression) in one produce request. */
  maxRequestBytes?: number;
  /** 'compact' (default): one header `rmqr`; 'cloudevents': the ce_* headers, one event per record. */
  headers?: HeaderStyle;
  /** Most events packed into one record (compact headers; 1 = one event per record). Default 256. */
  packMaxEvents?: number;
  /** Most value bytes of a pack. Default maxMessageBytes / 4. */
  packMaxBytes?: number;
  /**
   * Kafka transactional id ('' = none: idempotent producer only). With one, every produce request is a
   * transaction, and opening the sink fences any other producer that uses the same id (cluster mode:
   * every instance of a source uses "redis-mq-replicator:<source id>", see clusterTransactionalId).
   */
  transactionalId?: string;
  logger?: Logger;
}

export type ResolvedKafkaSinkOptions = Required<Omit<KafkaSinkOptions, 'ssl' | 'sasl'>> & Pick<KafkaSinkOptions, 'ssl' | 'sasl'>;

/** The transactional id the instances of one source share in cluster mode. */
export function clusterTransactionalId(sourceId: string): string {
  return `redis-mq-replicator:${sourceId}`;
}

export const DEFAULT_KAFKA_TOPIC = 'redis-events';
export const DEFAULT_KAFKA_CLIENT_ID = 'redis-mq-replicator';

export const KAFKA_SINK_DEFAULTS = {
  clientId: DEFAULT_KAFKA_CLIENT_ID,
  topic: DEFAULT_KAFKA_TOPIC,
  createTopics: false,
  topicPartitions: 8,
  topicReplicationFactor: -1,
  compression: 'none' as KafkaCompression,
  maxMessageBytes: 1_000_000,
  publishTimeoutMs: 30_000,
  metadataMaxAgeMs: 300_000,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 30_000,
  maxRequestRecords: 5_000,
  // kafkajs copies a request through encoders that grow by doubling (zero-filled): at 16 MiB that churn
  // cost ~15 us of CPU per 700-byte JSON event, at 2 MiB ~10 (one request is in flight at a time anyway)
  maxRequestBytes: 2 * 1024 * 1024,
  headers: 'compact' as HeaderStyle,
  packMaxEvents: 256,
  transactionalId: '',
};

/** Smallest accepted maxMessageBytes: room for headers, a key and some value per part. */
export const MIN_KAFKA_MESSAGE_BYTES = 16_384;

export function resolveKafkaSinkOptions(o: KafkaSinkOptions): ResolvedKafkaSinkOptions {
  const bad = (what: string): SinkError => new SinkError('SINK_KAFKA_BAD_OPTION', `Kafka sink: ${what}`);
  if (!Array.isArray(o.brokers) || o.brokers.length === 0) throw bad('brokers is empty; give at least one "host:port" (kafka.brokers)');
  for (const b of o.brokers) {
    if (!/^[^\s:]+:\d+$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(b)) throw bad(`broker "${b}" is not "host:port"`);
  }
  const compression = o.compression ?? KAFKA_SINK_DEFAULTS.compression;
  checkCompression(compression, bad);
  const topic = o.topic ?? KAFKA_SINK_DEFAULTS.topic;
  if (topic === '') throw bad('topic is empty');
  const maxMessageBytes = o.maxMessageBytes ?? KAFKA_SINK_DEFAULTS.maxMessageBytes;
  if (maxMessageBytes < MIN_KAFKA_MESSAGE_BYTES) throw bad(`maxMessageBytes must be at least ${MIN_KAFKA_MESSAGE_BYTES}`);
  const partitions = o.topicPartitions ?? KAFKA_SINK_DEFAULTS.topicPartitions;
  if (!Number.isInteger(partitions) || partitions < 1) throw bad('topicPartitions must be a positive integer');
  if (o.sasl && (!o.sasl.username || o.sasl.password === undefined)) throw bad('SASL needs a username and a password');
  const headers = o.headers ?? KAFKA_SINK_DEFAULTS.headers;
  if (!HEADER_STYLES.includes(headers)) throw bad(`headers must be ${HEADER_STYLES.join(' or ')}, got ${String(headers)}`);
  const packMaxEvents = o.packMaxEvents ?? KAFKA_SINK_DEFAULTS.packMaxEvents;
  if (!Number.isInteger(packMaxEvents) || packMaxEvents < 1) throw bad('packMaxEvents must be an integer >= 1');
  const packMaxBytes = o.packMaxBytes ?? Math.floor(maxMessageBytes / 4);
  if (!Number.isInteger(packMaxBytes) || packMaxBytes < 1024 || packMaxBytes > maxMessageBytes) {
    throw bad(`packMaxBytes must be an integer between 1024 and maxMessageBytes (${maxMessageBytes})`);
  }
  return {
    brokers: o.brokers,
    clientId: o.clientId ?? KAFKA_SINK_DEFAULTS.clientId,
    ssl: o.ssl,
    sasl: o.sasl,
    connectionTimeoutMs: o.connectionTimeoutMs ?? KAFKA_SINK_DEFAULTS.connectionTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs ?? KAFKA_SINK_DEFAULTS.requestTimeoutMs,
    topic,
    topicPrefixes: o.topicPrefixes ?? [],
    createTopics: o.createTopics ?? KAFKA_SINK_DEFAULTS.createTopics,
    topicPartitions: partitions,
    topicReplicationFactor: o.topicReplicationFactor ?? KAFKA_SINK_DEFAULTS.topicReplicationFactor,
    compression,
    maxMessageBytes,
    codec: o.codec ?? jsonCodec,
    sourceId: o.sourceId ?? 'unknown',
    publishTimeoutMs: o.publishTimeoutMs ?? KAFKA_SINK_DEFAULTS.publishTimeoutMs,
    metadataMaxAgeMs: o.metadataMaxAgeMs ?? KAFKA_SINK_DEFAULTS.metadataMaxAgeMs,
    maxRequestRecords: o.maxRequestRecords ?? KAFKA_SINK_DEFAULTS.maxRequestRecords,
    maxRequestBytes: Math.max(o.maxRequestBytes ?? KAFKA_SINK_DEFAULTS.maxRequestBytes, maxMessageBytes),
    headers,
    packMaxEvents,
    packMaxBytes,
    transactionalId: o.transactionalId ?? KAFKA_SINK_DEFAULTS.transactionalId,
    logger: o.logger ?? silentLogger,
  };
}

/** Throws (through `bad`) unless kafkajs can compress with this codec out of the box. */
export function checkCompression(value: string, bad: (why: string) => Error): asserts value is KafkaCompression {
  if ((KAFKA_COMPRESSIONS as readonly string[]).includes(value)) return;
  if (CODEC_PACKAGE_COMPRESSIONS.includes(value)) {
    throw bad(
      `compression "${value}" needs a kafkajs codec package that this build does not include; use "gzip" or "none"`,
    );
  }
  throw bad(`compression "${value}" is unknown; use "gzip" or "none"`);
}

/**
 * Parses "prefix=topic,prefix2=topic2" (kafka.topic.prefixes). Throws an Error whose message says which
 * entry is wrong.
 */
export function parseTopicPrefixes(text: string): KafkaTopicPrefix[] {
  const out: KafkaTopicPrefix[] = [];
  for (const entry of text.split(',')) {
    const e = entry.trim();
    if (e === '') continue;
    const eq = e.lastIndexOf('=');
    if (eq <= 0 || eq === e.length - 1) throw new Error(`"${e}" is not prefix=topic`);
    out.push({ prefix: Buffer.from(e.slice(0, eq).trim(), 'utf8'), topic: e.slice(eq + 1).trim() });
  }
  return out;
}
