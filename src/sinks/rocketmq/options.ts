// Options of the RocketMQ sink, their defaults, and the checks made before any connection.
import type { EventCodec } from '../../events/envelope.js';
import type { Logger } from '../../util/logger.js';
import { SinkError } from '../errors.js';

export type RocketMqOrder = 'key' | 'global';

export interface RocketMqSinkOptions {
  /** Proxy gRPC endpoints "host:port[;host:port]" (RocketMQ 5 clients talk to the proxy, not the NameServer). */
  endpoints: string;
  /** Resource namespace; '' for none. */
  namespace?: string;
  /** FIFO topic the events go to. Default 'redis-events'. */
  topic?: string;
  /** Name in logs: RocketMQ 5 has no producer groups on the wire, so the seed's groupname only identifies us. */
  producerGroup?: string;
  /** ACL credentials (both or neither). */
  accessKey?: string;
  secretKey?: string;
  /** TLS to the proxy (the client trusts the system CAs; see GRPC_DEFAULT_SSL_ROOTS_FILE_PATH). */
  ssl?: boolean;
  /** Deadline of each request to the proxy (ms, at least 1000). Default 3000. */
  requestTimeoutMs?: number;
  /** Attempts per message inside the client before publish() fails and the pipeline retries. Default 3. */
  maxAttempts?: number;
  /** key: one message group per Redis key (per-key order); global: one group for everything (total order). */
  order?: RocketMqOrder;
  /** Messages in flight at once, across message groups. Default 64. */
  sendConcurrency?: number;
  /** The broker's maximum message size; bodies are split below it, leaving room for properties. Default 4 MiB. */
  maxMessageBytes?: number;
  /** How many publish() calls may overlap. Default 4. */
  maxInFlight?: number;
  /** Event encoding. Default JSON. */
  codec?: EventCodec;
  /** Identifies the replicated master in ce_source, e.g. "127.0.0.1:6379". */
  sourceId: string;
  /** open() gives up after this long (route lookup, settings from the proxy). Default 30000. */
  openTimeoutMs?: number;
  /**
   * After connection failures with no successful send for this long, start a new producer (a fresh
   * gRPC channel instead of the client's reconnect backoff). Default 5000.
   */
  reconnectAfterMs?: number;
  logger?: Logger;
}

export const DEFAULT_ROCKETMQ_TOPIC = 'redis-events';
export const DEFAULT_ROCKETMQ_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/**
 * Room left in each message for what is not body: user properties, tag and keys (at most 16 KiB by the
 * proxy's maxUserPropertySize) plus system properties, topic and the stored record's fixed fields,
 * all of which count against the broker's maxMessageSize.
 */
export const ROCKETMQ_MESSAGE_HEADROOM_BYTES = 32 * 1024;

export const ROCKETMQ_SINK_DEFAULTS = {
  namespace: '',
  topic: DEFAULT_ROCKETMQ_TOPIC,
  producerGroup: 'redis-mq-replicator',
  ssl: false,
  requestTimeoutMs: 3000,
  maxAttempts: 3,
  order: 'key' as RocketMqOrder,
  sendConcurrency: 64,
  maxMessageBytes: DEFAULT_ROCKETMQ_MAX_MESSAGE_BYTES,
  maxInFlight: 4,
  openTimeoutMs: 30_000,
  reconnectAfterMs: 5000,
};

/** Throws SINK_ROCKETMQ_BAD_OPTION naming the first wrong option. */
export function checkRocketMqSinkOptions(o: RocketMqSinkOptions): void {
  const bad = (what: string): SinkError => new SinkError('SINK_ROCKETMQ_BAD_OPTION', `RocketMQ sink: ${what}`);
  if (typeof o.endpoints !== 'string' || o.endpoints.trim() === '') {
    throw bad('endpoints is required: the proxy gRPC address "host:port[;host:port]" (rocketmq.endpoints)');
  }
  for (const ep of o.endpoints.split(';')) {
    if (!/^[^\s:;]+(:\d{1,5})?$/.test(ep.trim())) throw bad(`endpoint "${ep}" is not host:port`);
  }
  if ((o.accessKey ?? '') === '' !== ((o.secretKey ?? '') === '')) {
    throw bad('access key and secret key go together (rocketmq.access.key, rocketmq.secret.key)');
  }
  const min = (name: string, v: number | undefined, lo: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < lo)) throw bad(`${name} must be an integer of at least ${lo}, got ${v}`);
  };
  min('requestTimeoutMs', o.requestTimeoutMs, 1000);
  min('maxAttempts', o.maxAttempts, 1);
  min('sendConcurrency', o.sendConcurrency, 1);
  min('maxInFlight', o.maxInFlight, 1);
  min('maxMessageBytes', o.maxMessageBytes, ROCKETMQ_MESSAGE_HEADROOM_BYTES + 1024);
  if (o.order !== undefined && o.order !== 'key' && o.order !== 'global') throw bad(`order must be key or global, got ${String(o.order)}`);
  if (o.topic !== undefined && !/^[%|a-zA-Z0-9_-]{1,127}$/.test(o.topic)) {
    throw bad(`topic "${o.topic}" is not a valid RocketMQ topic name (letters, digits, %, |, _ and -, at most 127)`);
  }
}
