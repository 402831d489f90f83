// Public API of redis-mq-replicator (re-exports only).

// Event schema v1 and its JSON form
export * from './events/types.js';
export { toJson, toJsonLine, fromJson, fromJsonLine } from './events/json.js';

// Replicating a live master
export { Replicator } from './pipeline/replicator.js';
export type { ReplicatorOptions, ReplicatorStatus, DataListener, AnyListener } from './pipeline/replicator.js';
export type { SyncInfo, ReplicationClientOptions } from './replication/client.js';
export { parseRedisUri } from './replication/endpoint.js';
export type { RedisEndpoint } from './replication/endpoint.js';

// Files: RDB snapshots and AOF
export { RdbParser } from './rdb/parser.js';
export type { RdbParserOptions } from './rdb/parser.js';
export { parseRdbFile } from './rdb/parse-file.js';
export type { RdbFileOptions, RdbFileResult } from './rdb/parse-file.js';
export { RdbEventStream } from './rdb/rdb-stream.js';
export { readAof } from './aof/aof-reader.js';
export type { AofReadOptions, AofSummary } from './aof/aof-reader.js';
export { parseCommand } from './commands/parse.js';

// Filters
export { compileEventFilter } from './filters/event-filter.js';
export type { EventFilter, EventFilterOptions } from './filters/event-filter.js';

// Checkpoints and sinks
export type { Checkpoint, CheckpointStore } from './checkpoint/store.js';
export { FileCheckpointStore } from './checkpoint/file.js';
export type { Sink, LineEncoder } from './sinks/sink.js';
export { StdoutSink } from './sinks/stdout.js';
export { FileSink } from './sinks/file.js';
export type { FileSinkOptions } from './sinks/file.js';
export { KafkaSink } from './sinks/kafka/kafka-sink.js';
export type { KafkaSinkStats } from './sinks/kafka/kafka-sink.js';
export type { KafkaSinkOptions, KafkaConnectionOptions, KafkaSaslOptions, KafkaTlsOptions, KafkaTopicPrefix, KafkaCompression } from './sinks/kafka/options.js';
export { clusterTransactionalId } from './sinks/kafka/options.js';
// The message envelope (header styles, packs), for consumers that do not use the SDK
export { COMPACT_HEADER, H as ENVELOPE_HEADERS, parseCompactHeader, decodePack, jsonCodec } from './events/envelope.js';
export type { CompactFields, HeaderStyle, EventCodec } from './events/envelope.js';
export { KafkaMessageSource } from './consumer/sources/kafka.js';
export type { KafkaSourceOptions } from './consumer/sources/kafka.js';
export { RocketMqSink } from './sinks/rocketmq/rocketmq-sink.js';
export type { RocketMqSinkStats } from './sinks/rocketmq/rocketmq-sink.js';
export type { RocketMqSinkOptions, RocketMqOrder } from './sinks/rocketmq/options.js';
export { RocketMqSource, createRocketMqSource } from './consumer/sources/rocketmq.js';
export type { RocketMqSourceOptions } from './consumer/sources/rocketmq.js';

// Consumer SDK and wire codecs
export { RedisEventConsumer } from './consumer/consumer.js';
export type { RedisEventConsumerOptions, ConsumerStats, KafkaConsumerConnection, RocketmqConsumerConnection } from './consumer/consumer.js';
export type { EventContext, ErrorContext, ConsumerErrorStage, EventListener, AnyEventListener, ErrorListener } from './consumer/listeners.js';
export type { MessageSource, SourceMessage, DeliveryReceipt } from './consumer/source.js';
export { ConsumerError } from './consumer/errors.js';
export { binaryCodec, encodeBinaryEvent, decodeBinaryEvent, BINARY_CONTENT_TYPE } from './events/binary-codec.js';

// Errors
export { ReplicatorError } from './errors.js';
export { RdbParseError } from './rdb/errors.js';
export { ReplicationError } from './replication/errors.js';
export { SinkError } from './sinks/errors.js';
export { CheckpointError } from './checkpoint/errors.js';
export { ConfigError } from './config/errors.js';
