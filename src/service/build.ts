// Turns a checked Config into the objects the service runs: logger, checkpoint store, sink, Replicator.
import { readFileSync } from 'node:fs';
import { FileCheckpointStore } from '../checkpoint/file.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import { binaryCodec } from '../events/binary-codec.js';
import { jsonCodec, type EventCodec } from '../events/envelope.js';
import { toJsonLine } from '../events/json.js';
import { EVENT_TYPES, type EventType } from '../events/types.js';
import { compileEventFilter, type EventFilter } from '../filters/event-filter.js';
import { Replicator, type ReplicatorOptions } from '../pipeline/replicator.js';
import { parseRedisUri, type RedisEndpoint } from '../replication/endpoint.js';
import { FileSink } from '../sinks/file.js';
import type { Sink } from '../sinks/sink.js';
import { StdoutSink } from '../sinks/stdout.js';
import { createLogger, isLogLevel, silentLogger, type Logger } from '../util/logger.js';
import { buildKafkaSink, type KafkaSinkExtras } from './kafka-sink-config.js';
import { buildRocketMqSink, checkNoNameserverKey } from './rocketmq-sink-config.js';

export function buildLogger(config: Config): Logger {
  const level = config.str('log.level');
  return createLogger({
    level: isLogLevel(level) ? level : 'info',
    format: config.str('log.format') === 'json' ? 'json' : 'text',
  });
}

export function buildEndpoint(config: Config): RedisEndpoint {
  let endpoint: RedisEndpoint;
  try {
    endpoint = parseRedisUri(config.str('redis.uri'));
  } catch (err) {
    throw new ConfigError('CONFIG_BAD_VALUE', `redis.uri (${config.origin('redis.uri')}): ${(err as Error).message}`, { cause: err });
  }
  const user = config.optStr('redis.user');
  const password = config.optStr('redis.password');
  if (user !== undefined) endpoint.username = user;
  if (password !== undefined) endpoint.password = password;
  const caFile = config.optStr('redis.tls.ca');
  if (endpoint.tls || caFile) {
    let ca: Buffer | undefined;
    if (caFile) {
      try {
        ca = readFileSync(caFile);
      } catch (err) {
        throw new ConfigError('CONFIG_BAD_VALUE', `redis.tls.ca: cannot read ${caFile}: ${(err as Error).message}`, { cause: err });
      }
    }
    endpoint.tls = { rejectUnauthorized: config.bool('redis.tls.reject.unauthorized'), ...(ca ? { ca } : {}) };
  }
  return endpoint;
}

/** The single-mode checkpoint file (cluster mode keeps it in ZooKeeper: service/cluster-run.ts). */
export function buildCheckpointStore(config: Config): CheckpointStore {
  return new FileCheckpointStore(config.str('checkpoint.file'));
}

/** sink.codec: the wire format of MQ messages. */
export function buildCodec(config: Config): EventCodec {
  return config.str('sink.codec') === 'binary' ? binaryCodec : jsonCodec;
}

/** "host:port" of the master, for ce_source. */
export function sourceIdOf(config: Config): string {
  const e = buildEndpoint(config);
  return `${e.host}:${e.port}`;
}

/** What the service passes to the sink besides the config (cluster mode: the Kafka transactional id). */
export interface SinkExtras {
  kafka?: KafkaSinkExtras;
}

export function buildSink(config: Config, logger: Logger = silentLogger, extras: SinkExtras = {}): Sink {
  const kind = config.str('sink');
  checkNoNameserverKey(config);
  switch (kind) {
    case 'kafka':
      return buildKafkaSink(config, buildCodec(config), sourceIdOf(config), logger, extras.kafka);
    case 'rocketmq':
      return buildRocketMqSink(config, buildCodec(config), sourceIdOf(config), logger);
    case 'stdout':
      return new StdoutSink(toJsonLine);
    case 'file':
      return new FileSink(toJsonLine, {
        dir: config.str('sink.file.dir'),
        maxFileBytes: config.int('sink.file.max.bytes'),
        maxFiles: config.int('sink.file.max.files'),
        fsync: config.bool('sink.file.fsync'),
      });
    default:
      throw new ConfigError('CONFIG_BAD_VALUE', `sink = ${kind} is not supported`);
  }
}

/** The service's Replicator; cluster mode passes its own checkpoint store, epoch and leadership guard. */
export function buildReplicator(
  config: Config,
  logger: Logger,
  term: Pick<ReplicatorOptions, 'checkpoint' | 'epoch' | 'guard'> = { checkpoint: buildCheckpointStore(config) },
  sinkExtras: SinkExtras = {},
): Replicator {
  const filter = buildFilter(config);
  return new Replicator({
    ...term,
    ...(filter ? { filter } : {}),
    redis: buildEndpoint(config),
    sink: buildSink(config, logger, sinkExtras),
    replication: {
      listeningPort: config.int('replication.listening.port'),
      ackIntervalMs: config.int('replication.ack.interval.ms'),
      timeoutMs: config.int('replication.timeout.ms'),
      connectTimeoutMs: config.int('redis.connect.timeout.ms'),
      announceVersion: config.optStr('replication.announce.version') ?? '',
      backoffMaxMs: config.int('replication.backoff.max.ms'),
      pauseMaxMs: config.int('pipeline.pause.max.ms'),
      rdb: {
        maxChunkElements: config.int('rdb.chunk.elements'),
        maxChunkBytes: config.int('rdb.chunk.bytes'),
        verifyChecksum: config.bool('rdb.verify.checksum'),
      },
    },
    batchEvents: config.int('pipeline.batch.events'),
    lingerMs: config.int('pipeline.linger.ms'),
    maxPendingBytes: config.int('pipeline.max.pending.bytes'),
    spillDir: config.str('pipeline.spill.dir'),
    spillMaxBytes: config.int('pipeline.spill.max.bytes'),
    checkpointIntervalMs: config.int('checkpoint.interval.ms'),
    logger,
  });
}

/** filter.* keys as one predicate, or null when none is set. */
export function buildFilter(config: Config): EventFilter | null {
  const dbs = config.list('filter.dbs').map((d) => {
    if (!/^\d+$/.test(d)) throw new ConfigError('CONFIG_BAD_VALUE', `filter.dbs (${config.origin('filter.dbs')}): "${d}" is not a database number`);
    return Number(d);
  });
  const types = config.list('filter.types');
  for (const t of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) {
      throw new ConfigError('CONFIG_BAD_VALUE', `filter.types (${config.origin('filter.types')}): "${t}" is not an event type; expected some of ${EVENT_TYPES.join(', ')}`);
    }
  }
  return compileEventFilter({
    dbs,
    keys: config.list('filter.keys'),
    excludeKeys: config.list('filter.keys.exclude'),
    types: types as EventType[],
    excludeCommands: config.list('filter.commands.exclude'),
  });
}
