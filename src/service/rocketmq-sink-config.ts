// rocketmq.* configuration keys -> RocketMqSink options, with errors that name the key to fix.
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/errors.js';
import type { EventCodec } from '../events/envelope.js';
import { SinkError } from '../sinks/errors.js';
import { RocketMqSink } from '../sinks/rocketmq/rocketmq-sink.js';
import { checkRocketMqSinkOptions, type RocketMqSinkOptions } from '../sinks/rocketmq/options.js';
import type { Logger } from '../util/logger.js';

/**
 * The seed system's RocketMQ 4 key: a 5.x client talks to the proxy's gRPC port instead. Refused
 * whatever the sink, so a migrated config does not silently keep a setting that does nothing.
 */
export function checkNoNameserverKey(config: Config): void {
  const ns = config.optStr('rocketmq.nameserver.address');
  if (ns === undefined) return;
  throw new ConfigError(
    'CONFIG_BAD_VALUE',
    `rocketmq.nameserver.address (${config.origin('rocketmq.nameserver.address')}) is not used: RocketMQ 5 clients connect to the ` +
      `proxy's gRPC endpoint, not to the NameServer; remove it and set rocketmq.endpoints=<proxy host>:8081`,
  );
}

export function rocketMqSinkOptions(config: Config, codec: EventCodec, sourceId: string, logger: Logger): RocketMqSinkOptions {
  checkNoNameserverKey(config);
  const endpoints = config.optStr('rocketmq.endpoints');
  if (endpoints === undefined) {
    throw new ConfigError(
      'CONFIG_MISSING_KEY',
      'sink = rocketmq needs rocketmq.endpoints (the proxy gRPC address, host:8081); set it in the config file or with --set rocketmq.endpoints=host:8081',
    );
  }
  const accessKey = config.optStr('rocketmq.access.key');
  const secretKey = config.optStr('rocketmq.secret.key');
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new ConfigError('CONFIG_MISSING_KEY', 'rocketmq.access.key and rocketmq.secret.key go together: set both (ACL) or neither');
  }
  const order = config.str('rocketmq.order');
  const o: RocketMqSinkOptions = {
    endpoints,
    namespace: config.str('rocketmq.namespace'),
    topic: config.str('rocketmq.data.topic'),
    producerGroup: config.str('rocketmq.producer.groupname'),
    ssl: config.bool('rocketmq.ssl'),
    requestTimeoutMs: config.int('rocketmq.request.timeout.ms'),
    order: order === 'global' ? 'global' : 'key',
    sendConcurrency: config.int('rocketmq.send.concurrency'),
    maxMessageBytes: config.int('rocketmq.max.message.bytes'),
    codec,
    sourceId,
    logger,
    ...(accessKey !== undefined && secretKey !== undefined ? { accessKey, secretKey } : {}),
  };
  try {
    checkRocketMqSinkOptions(o);
  } catch (err) {
    // the option check names options; say which keys they come from
    if (err instanceof SinkError) throw new ConfigError('CONFIG_BAD_VALUE', `${err.message} (rocketmq.* keys)`, { cause: err });
    throw err;
  }
  return o;
}

export function buildRocketMqSink(config: Config, codec: EventCodec, sourceId: string, logger: Logger): RocketMqSink {
  return new RocketMqSink(rocketMqSinkOptions(config, codec, sourceId, logger));
}
