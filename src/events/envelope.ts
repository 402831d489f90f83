// How an event travels as an MQ message (Kafka record or RocketMQ message): the encoded event as the
// value, plus headers (Kafka) / properties (RocketMQ) that let a consumer route, order and dedupe without
// decoding the value. This module is the one definition of both header styles:
//
//  - CloudEvents (RocketMQ properties always; Kafka with kafka.headers=cloudevents): the Kafka binary
//    binding's ce_* names (H below), with extension attributes for the replication position. One event
//    per message.
//  - Compact (Kafka default, kafka.headers=compact): ONE header named `rmqr` whose value is
//    `;`-separated `name=value` fields (ASCII, no `;` inside a value; a reader ignores names it does not
//    know and accepts any order):
//      one event:  t=<type>;r=<replid>;o=<offset>;d=<db>;c=<codec>[;ro=<rdbOffset>][;i=<chunk index>]
//                  [;e=<epoch>][;p=<i>/<n>][;k=<copies>][;l=<lanes>]
//      a pack:     n=<count>;c=<codec>
//    c = "json" | "binary" | another codec's content-type without parameters. l = the lanes (Kafka
//    partitions) the copies of the event went to: comma-separated `<partition>` (of the record's own
//    topic), `<topic>/<partition>`, `*` (every partition of the record's topic) or `<topic>/*`.
//    kafkajs spends ~10 us per header per record, so one short header instead of ten matters.
//
// Split events: an encoding larger than the broker's maximum message size is split into parts that share
// the event's identity and carry ce_part / p= "<i>/<n>"; the consumer SDK reassembles them.
//
// Packs (Kafka, compact style only): several whole events of one partition in one record, in stream
// order, marked n=<count>. The value is, with the JSON codec, a JSON array of event objects; with any
// other codec, varint(count) followed by varint(length) + event bytes per event (varint = unsigned
// LEB128). A pack never holds a split event or an event published as several copies (those travel
// alone, so a consumer can stop a partition exactly at them); its identity, epoch and keys are read from
// the decoded events.
import { ReplicatorError } from '../errors.js';
import { BINARY_CONTENT_TYPE } from './binary-codec.js';
import { eventId, eventIdOf } from './identity.js';
import { fromJson, toJson } from './json.js';
import type { ReplicationEvent } from './types.js';

export interface EventCodec {
  readonly name: 'json' | 'binary';
  /** The content-type header value identifying this codec. */
  readonly contentType: string;
  encode(event: ReplicationEvent): Buffer;
  decode(bytes: Buffer): ReplicationEvent;
  /** Text codecs (JSON): the encoding as a string, whose UTF-8 bytes are encode()'s (lets packs join text once). */
  encodeText?(event: ReplicationEvent): string;
}

export const JSON_CONTENT_TYPE = 'application/json';

export const jsonCodec: EventCodec = {
  name: 'json',
  contentType: JSON_CONTENT_TYPE,
  encode: (e) => Buffer.from(JSON.stringify(toJson(e)), 'utf8'),
  encodeText: (e) => JSON.stringify(toJson(e)),
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
  /** Kafka: the lanes (partitions) of those copies, in the syntax of the compact `l=` field. */
  lanes: 'ce_lanes',
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

// ---------------------------------------------------------------------------------------------
// Compact style

/** The one header of the compact style. */
export const COMPACT_HEADER = 'rmqr';

export type HeaderStyle = 'compact' | 'cloudevents';
export const HEADER_STYLES: readonly HeaderStyle[] = ['compact', 'cloudevents'];

/** What a compact header says. Absent fields are undefined. */
export interface CompactFields {
  /** Event type; undefined on a pack. */
  type?: string;
  replid?: string;
  offset?: number;
  db?: number;
  rdbOffset?: number;
  index?: number;
  epoch?: number;
  /** Codec token (see codecToken). */
  codec?: string;
  part?: { i: number; n: number };
  copies?: number;
  lanes?: string;
  /** Events in the record when it is a pack. */
  packed?: number;
}

/** "json", "binary", or the content-type without parameters: the c= field. */
export function codecToken(codec: EventCodec): string {
  const ct = bareContentType(codec.contentType);
  if (ct === JSON_CONTENT_TYPE) return 'json';
  if (ct === BINARY_CONTENT_TYPE) return 'binary';
  return ct;
}

/** The content-type a codec token stands for. */
export function contentTypeOfToken(token: string): string {
  return token === 'json' ? JSON_CONTENT_TYPE : token === 'binary' ? BINARY_CONTENT_TYPE : token;
}

function bareContentType(ct: string): string {
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}

/** The compact header of one event (without p=; see withPart). `copies` > 1 adds k= and l=. */
export function compactHeader(e: ReplicationEvent, token: string, copies = 1, lanes?: string): string {
  let h = `t=${e.type};r=${e.replid};o=${e.offset};d=${e.db};c=${token}`;
  if (e.rdbOffset !== undefined) h += `;ro=${e.rdbOffset}`;
  if (e.type === 'key-chunk') h += `;i=${e.index}`;
  if (e.epoch !== undefined) h += `;e=${e.epoch}`;
  if (copies > 1) {
    h += `;k=${copies}`;
    if (lanes !== undefined) h += `;l=${lanes}`;
  }
  return h;
}

/** The compact header of part i of n (n > 1). */
export function withPart(header: string, i: number, n: number): string {
  return n === 1 ? header : `${header};p=${i}/${n}`;
}

/** The compact header of a pack of `count` events. */
export function packHeader(count: number, token: string): string {
  return `n=${count};c=${token}`;
}

/**
 * Parses a compact header value. Throws ReplicatorError EVENT_BAD_HEADER naming the field when a known
 * field is malformed; unknown fields are ignored (newer writers may add some).
 */
export function parseCompactHeader(text: string): CompactFields {
  const out: CompactFields = {};
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(';', start);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq < 0 || eq > end) throw badHeader(text, `field "${text.slice(start, end)}" is not name=value`);
    const name = text.slice(start, eq);
    const value = text.slice(eq + 1, end);
    switch (name) {
      case 't':
        out.type = value;
        break;
      case 'r':
        out.replid = value;
        break;
      case 'o':
        out.offset = intField(text, name, value);
        break;
      case 'd':
        out.db = intField(text, name, value);
        break;
      case 'c':
        out.codec = value;
        break;
      case 'ro':
        out.rdbOffset = intField(text, name, value);
        break;
      case 'i':
        out.index = intField(text, name, value);
        break;
      case 'e':
        out.epoch = intField(text, name, value);
        break;
      case 'k':
        out.copies = intField(text, name, value);
        break;
      case 'l':
        out.lanes = value;
        break;
      case 'n':
        out.packed = intField(text, name, value);
        if (out.packed < 1) throw badHeader(text, 'n= must be at least 1');
        break;
      case 'p': {
        const part = parsePart(value);
        if (part === undefined) throw badHeader(text, `p=${value} is not "<i>/<n>" with 0 <= i < n and n >= 2`);
        out.part = part;
        break;
      }
      default:
        break;
    }
    start = end + 1;
  }
  return out;
}

/** ce_id of the event a compact header describes (undefined for a pack or without position). */
export function compactEventId(f: CompactFields): string | undefined {
  if (f.type === undefined || f.replid === undefined || f.offset === undefined) return undefined;
  return eventIdOf(f.type, f.replid, f.offset, f.rdbOffset, f.index);
}

function intField(text: string, name: string, value: string): number {
  const n = headerInt(value);
  if (n === undefined) throw badHeader(text, `${name}=${value.slice(0, 40)} is not an integer`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Values of either header style

/** An integer header value (ce_offset, o= ...): an optional '-' and digits, a safe integer; else undefined. */
export function headerInt(value: string): number | undefined {
  // a digit loop rather than Number(value) alone, which takes " 1", "1e3", "0x1f"; runs per message
  const neg = value.charCodeAt(0) === 0x2d;
  let ok = value.length > (neg ? 1 : 0) && value.length <= 17;
  for (let i = neg ? 1 : 0; ok && i < value.length; i++) {
    const c = value.charCodeAt(i);
    ok = c >= 0x30 && c <= 0x39;
  }
  const n = ok ? Number(value) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A part header value (ce_part, p=): "<i>/<n>" with 0 <= i < n and n >= 2; else undefined. */
export function parsePart(value: string): { i: number; n: number } | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0) return undefined;
  const i = headerInt(value.slice(0, slash));
  const n = headerInt(value.slice(slash + 1));
  return i !== undefined && n !== undefined && n >= 2 && i >= 0 && i < n ? { i, n } : undefined;
}

function badHeader(text: string, why: string): ReplicatorError {
  return new ReplicatorError('EVENT_BAD_HEADER', `header ${COMPACT_HEADER}=${JSON.stringify(text.slice(0, 120))}: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Packs

const OPEN_BRACKET = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE_BRACKET = Buffer.from(']');

/** Bytes a pack adds around `count` encoded events of `bytes` bytes in total (upper bound). */
export function packOverhead(codec: EventCodec, count: number): number {
  return codec.contentType === JSON_CONTENT_TYPE ? count + 1 : 5 + 5 * count;
}

/** The value of a pack of already encoded events (see the header comment for the layout). */
export function encodePack(codec: EventCodec, encoded: readonly Buffer[], totalBytes?: number): Buffer {
  const parts: Buffer[] = [];
  if (codec.contentType === JSON_CONTENT_TYPE) {
    parts.push(OPEN_BRACKET);
    for (let i = 0; i < encoded.length; i++) {
      if (i > 0) parts.push(COMMA);
      parts.push(encoded[i]!);
    }
    parts.push(CLOSE_BRACKET);
    return Buffer.concat(parts, totalBytes === undefined ? undefined : totalBytes + encoded.length + 1);
  }
  parts.push(varint(encoded.length));
  for (const b of encoded) parts.push(varint(b.length), b);
  return Buffer.concat(parts);
}

/** The events of a pack value, in order. Throws (EVENT_BAD_PACK, or the codec's errors) when malformed. */
export function decodePack(codec: EventCodec, value: Buffer, count: number): ReplicationEvent[] {
  if (codec.contentType === JSON_CONTENT_TYPE) {
    let v: unknown;
    try {
      v = JSON.parse(value.toString('utf8'));
    } catch (err) {
      throw new ReplicatorError('EVENT_BAD_JSON', `pack value is not JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!Array.isArray(v) || v.length !== count) {
      throw new ReplicatorError('EVENT_BAD_PACK', `pack value is not a JSON array of ${count} events (header n=${count})`);
    }
    return v.map((o) => fromJson(o));
  }
  const out: ReplicationEvent[] = [];
  const pos = { at: 0 };
  const n = readVarint(value, pos);
  if (n !== count) throw new ReplicatorError('EVENT_BAD_PACK', `pack holds ${n} events, its header says n=${count}`);
  for (let i = 0; i < n; i++) {
    const len = readVarint(value, pos);
    if (pos.at + len > value.length) throw new ReplicatorError('EVENT_BAD_PACK', `pack event ${i} of ${n} runs past the end of the value`);
    out.push(codec.decode(value.subarray(pos.at, pos.at + len)));
    pos.at += len;
  }
  if (pos.at !== value.length) throw new ReplicatorError('EVENT_BAD_PACK', `${value.length - pos.at} bytes after the last event of a pack`);
  return out;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

function readVarint(b: Buffer, pos: { at: number }): number {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (pos.at >= b.length) throw new ReplicatorError('EVENT_BAD_PACK', 'pack value ends inside a length');
    const c = b[pos.at++]!;
    n += (c & 0x7f) * mul;
    if (c < 0x80) return n;
    mul *= 0x80;
  }
  throw new ReplicatorError('EVENT_BAD_PACK', 'pack length varint is too long');
}
