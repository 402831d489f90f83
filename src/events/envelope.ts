// How an event travels as an MQ message (Kafka record or RocketMQ message): the encoded event as the
// value, and headers (Kafka) / properties (RocketMQ) that let a consumer route, order and dedupe without
// decoding the value. Names follow the CloudEvents Kafka binary binding (ce_*), with extension
// attributes for the replication position. An event whose encoding is larger than the broker's maximum
// message size is split into parts that share ce_id and carry ce_part = "<i>/<n>"; the consumer SDK
// reassembles them.
import { ReplicatorError } from '../errors.js';
import { eventId } from './identity.js';
import { fromJson, toJson } from './json.js';
import type { ReplicationEvent } from './types.js';

export interface EventCodec {
  readonly name: 'json' | 'binary';
  /** The content-type header value identifying this codec. */
  readonly contentType: string;
  encode(event: ReplicationEvent): Buffer;
  decode(bytes: Buffer): ReplicationEvent;
}

export const JSON_CONTENT_TYPE = 'application/json';

export const jsonCodec: EventCodec = {
  name: 'json',
  contentType: JSON_CONTENT_TYPE,
  encode: (e) => Buffer.from(JSON.stringify(toJson(e)), 'utf8'),
  decode: (b) => {
    let v: unknown;
    try {
      v = JSON.parse(b.toString('utf8'));
    } catch (err) {
      throw new ReplicatorError('EVENT_BAD_JSON', `message value is not JSON: ${(err as Error).message}`, { cause: err });
    }
    return fromJson(v);
  },
};

/** Header / property names. Values are strings. */
export const H = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  source: 'ce_source',
  type: 'ce_type',
  contentType: 'content-type',
  dataschema: 'ce_dataschema',
  replid: 'ce_replid',
  offset: 'ce_offset',
  db: 'ce_db',
  rdbOffset: 'ce_rdboffset',
  chunkIndex: 'ce_chunkindex',
  epoch: 'ce_epoch',
  /** "<i>/<n>": this message is part i (0-based) of an event split into n parts. */
  part: 'ce_part',
  /** Number of messages carrying this same event (one per partition or message group it touches). */
  copies: 'ce_copies',
} as const;

export const DATASCHEMA = 'urn:redis-mq-replicator:event:v1';
export const CE_TYPE_PREFIX = 'redis.';

export interface EnvelopeOptions {
  codec: EventCodec;
  /** Identifies the replicated master in ce_source, e.g. "127.0.0.1:6379". */
  sourceId: string;
  /** Largest message value; bigger encodings are split into parts of at most this size. */
  maxValueBytes: number;
}

export interface EncodedEvent {
  headers: Record<string, string>;
  /** The value, or its parts when larger than maxValueBytes (each part gets its own ce_part header). */
  parts: Buffer[];
}

/** Encodes an event once; the caller routes the parts (all of them to the same partition / group). */
export function encodeEvent(e: ReplicationEvent, opts: EnvelopeOptions): EncodedEvent {
  const headers: Record<string, string> = {
    [H.specversion]: '1.0',
    [H.id]: eventId(e),
    [H.source]: `/redis-mq-replicator/${opts.sourceId}`,
    [H.type]: CE_TYPE_PREFIX + e.type,
    [H.contentType]: opts.codec.contentType,
    [H.dataschema]: DATASCHEMA,
    [H.replid]: e.replid,
    [H.offset]: String(e.offset),
    [H.db]: String(e.db),
  };
  if (e.rdbOffset !== undefined) headers[H.rdbOffset] = String(e.rdbOffset);
  if (e.type === 'key-chunk') headers[H.chunkIndex] = String(e.index);
  if (e.epoch !== undefined) headers[H.epoch] = String(e.epoch);
  const value = opts.codec.encode(e);
  if (value.length <= opts.maxValueBytes) return { headers, parts: [value] };
  const parts: Buffer[] = [];
  for (let i = 0; i < value.length; i += opts.maxValueBytes) parts.push(value.subarray(i, i + opts.maxValueBytes));
  return { headers, parts };
}

/** Headers of part i of n (n > 1); the shared headers plus ce_part. */
export function partHeaders(headers: Record<string, string>, i: number, n: number): Record<string, string> {
  return n === 1 ? headers : { ...headers, [H.part]: `${i}/${n}` };
}
