// Compact binary form of event schema v1: the alternative to JSON (events/json.ts) for the sinks and the
// consumer SDK, selected by its content-type. Byte strings travel raw (no base64), numbers as varints.
//
// Layout (format 1). Every event:
//   u8    FORMAT_V1 (0x01); a JSON value starts with '{' (0x7b), so the two never collide
//   u8    type tag (TYPE_TAG below)
//   uvar  flags: presence of optional fields and booleans; bit 0 rdbOffset, bit 1 epoch, higher bits
//         per type (F_* below). A bit the type does not define is an error.
//   str   replid, num offset, num db, [num rdbOffset], [num epoch]
//   body, by type:
//     snapshot-begin  u8 reason, u8 magic, num rdbVersion, [str previous.replid, num previous.offset]
//     snapshot-end    u8 checksum, [str checksumHex], num keys, num bytes
//     aux             bytes key, bytes value                       (inBody: flag)
//     function        bytes code, [bytes name, bytes engine, [bytes description]]
//     module-aux      str module, str moduleId, num encver, num when, bytes raw
//     key-value       keyattrs, u8 valueType, value
//     key-chunk       keyattrs, num index, u8 valueType, chunk     (last: flag)
//     command         body                                          (known: flag), [num timestampMs]
//     transaction     uvar n, n x (u8 known, num db, body), [num timestampMs]
//     stream-begin    u8 mode
//     stream-end      str reason
//   keyattrs  bytes key, num rdbType, [num expireMs], [num lfuFreq], [num lruIdleS],
//             [uvar n, n x (num classSpec, bytes raw)]
//   body      str command, uvar n, n x bytes args, uvar n, n x bytes keys
//   value     string: bytes | list, set: uvar n, n x bytes | zset: uvar n, n x (bytes member, f64 score)
//             hash: uvar n, n x (bytes field, bytes value), [uvar n, n x (bytes field, num ms)]
//             stream: entries, meta, groups (chunk: entries, [meta], groups)
//             module: str module, str moduleId, num encver, bytes raw
//   entries   uvar n, n x (str id, uvar m, m x (bytes field, bytes value))
//   meta      u8 nulls (bit 0 firstId, 1 maxDeletedId, 2 entriesAdded present), num length, str lastId,
//             [str firstId], [str maxDeletedId], [num entriesAdded], num listpackNodes
//   groups    uvar n, n x (bytes name, str lastDeliveredId, u8 (bit 0 entriesRead present), [num entriesRead],
//             uvar p, p x (str id, u8 (bit 0 consumer present), [bytes consumer], num deliveryTimeMs,
//             num deliveryCount), uvar c, c x (bytes name, num seenTimeMs, u8 (bit 0 activeTimeMs present),
//             [num activeTimeMs], uvar k, k x str id))
// Primitives:
//   uvar   unsigned LEB128, at most 8 bytes, <= 2^53-1 (lengths, counts, flags)
//   num    any JS number. First byte: bit 7 continuation, bits 6-5 kind (0 integer >= 0, 1 integer < 0,
//          2 float64 follows), bits 4-0 the low 5 bits of |n|; then LEB128 of floor(|n| / 32). Safe
//          integers take 1 byte below 32; -0, fractions, NaN and infinities take 9 (kind 2 + f64)
//   f64    IEEE 754 double, little-endian (zset scores: -0 and infinities exact)
//   bytes  uvar length + raw bytes;  str  uvar length + UTF-8
//
// Encoding computes the exact size first and writes into one Buffer. Decoding is bounds-checked at
// every read, never allocates from a claimed length beyond the input, and fails with EVENT_BAD_BINARY
// and the byte offset. Decoded byte strings are views into one private copy of the input.
import { ReplicatorError } from '../errors.js';
import type { EventCodec } from './envelope.js';
import type {
  CommandBody,
  EventMeta,
  EventType,
  FieldExpire,
  HashEntry,
  KeyAttributes,
  KeyMetaClass,
  ReplicationEvent,
  StreamConsumer,
  StreamEntry,
  StreamGroup,
  StreamMeta,
  StreamPendingEntry,
  TransactionCommand,
  TypedChunk,
  TypedValue,
  ZsetEntry,
} from './types.js';

export const BINARY_CONTENT_TYPE = 'application/vnd.redis-mq-replicator.event-v1+binary';
export const BINARY_FORMAT_V1 = 0x01;

const TYPE_TAG: Record<EventType, number> = {
  'snapshot-begin': 1,
  'snapshot-end': 2,
  aux: 3,
  function: 4,
  'module-aux': 5,
  'key-value': 6,
  'key-chunk': 7,
  command: 8,
  transaction: 9,
  'stream-begin': 10,
  'stream-end': 11,
};
const TAG_TYPE: readonly (EventType | undefined)[] = (() => {
  const t: (EventType | undefined)[] = [];
  for (const [type, tag] of Object.entries(TYPE_TAG)) t[tag] = type as EventType;
  return t;
})();

// Flags common to every type.
const F_RDB_OFFSET = 1 << 0;
const F_EPOCH = 1 << 1;
// Per type (bit 2 upwards).
const F_PREVIOUS = 1 << 2; // snapshot-begin
const F_CHECKSUM_HEX = 1 << 2; // snapshot-end
const F_IN_BODY = 1 << 2; // aux
const F_PRE_GA = 1 << 2; // function
const F_PRE_GA_DESCRIPTION = 1 << 3; // function
const F_EXPIRE = 1 << 2; // key-value, key-chunk
const F_LFU = 1 << 3;
const F_LRU = 1 << 4;
const F_KEY_META = 1 << 5;
const F_FIELD_EXPIRES = 1 << 6; // hash values
const F_STREAM_META = 1 << 7; // key-chunk of a stream
const F_LAST = 1 << 8; // key-chunk
const F_TIMESTAMP = 1 << 2; // command, transaction
const F_KNOWN = 1 << 3; // command

const COMMON = F_RDB_OFFSET | F_EPOCH;
const KEY_FLAGS = F_EXPIRE | F_LFU | F_LRU | F_KEY_META | F_FIELD_EXPIRES;
const ALLOWED_FLAGS: Record<EventType, number> = {
  'snapshot-begin': COMMON | F_PREVIOUS,
  'snapshot-end': COMMON | F_CHECKSUM_HEX,
  aux: COMMON | F_IN_BODY,
  function: COMMON | F_PRE_GA | F_PRE_GA_DESCRIPTION,
  'module-aux': COMMON,
  'key-value': COMMON | KEY_FLAGS,
  'key-chunk': COMMON | KEY_FLAGS | F_STREAM_META | F_LAST,
  command: COMMON | F_TIMESTAMP | F_KNOWN,
  transaction: COMMON | F_TIMESTAMP,
  'stream-begin': COMMON,
  'stream-end': COMMON,
};

const REASONS = ['file', 'initial', 'resync'] as const;
const MAGICS = ['REDIS', 'VALKEY'] as const;
const CHECKSUMS = ['verified', 'not-computed', 'absent'] as const;
const MODES = ['full', 'partial', 'file'] as const;
const VALUE_TYPES = ['string', 'list', 'set', 'zset', 'hash', 'stream', 'module'] as const;

const NUM_INT = 0x00;
const NUM_NEG = 0x20;
const NUM_F64 = 0x40;
const TWO_POW_32 = 0x1_0000_0000;

// ---------------------------------------------------------------------------------------------
// Encoding: one traversal (writeEvent) run twice, first over a Sizer, then over a Writer.

interface Out {
  u8(v: number): void;
  uvar(v: number): void;
  num(v: number): void;
  f64(v: number): void;
  bytes(b: Buffer): void;
  str(s: string): void;
}

function uvarSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** UTF-8 length; a loop for short ASCII text (replids, stream ids, command names) avoids a native call. */
function utf8Length(s: string): number {
  if (s.length > 64) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

class Sizer implements Out {
  size = 0;
  u8(): void {
    this.size++;
  }
  uvar(v: number): void {
    this.size += v < 128 ? 1 : uvarSize(v);
  }
  num(v: number): void {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      const rest = Math.floor(Math.abs(v) / 32);
      this.size += rest === 0 ? 1 : 1 + uvarSize(rest);
    } else {
      this.size += 9;
    }
  }
  f64(): void {
    this.size += 8;
  }
  bytes(b: Buffer): void {
    this.uvar(b.length);
    this.size += b.length;
  }
  str(s: string): void {
    const n = utf8Length(s);
    this.uvar(n);
    this.size += n;
  }
}

class Writer implements Out {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  uvar(v: number): void {
    const buf = this.buf;
    while (v >= TWO_POW_32) {
      buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v >= 128) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }
  num(v: number): void {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) {
      const mag = Math.abs(v);
      const rest = Math.floor(mag / 32);
      this.buf[this.pos++] = (v < 0 ? NUM_NEG : NUM_INT) | (mag % 32) | (rest === 0 ? 0 : 0x80);
      if (rest !== 0) this.uvar(rest);
    } else {
      this.buf[this.pos++] = NUM_F64;
      this.f64(v);
    }
  }
  f64(v: number): void {
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  bytes(b: Buffer): void {
    const n = b.length;
    this.uvar(n);
    if (n < 32) {
      // Short keys and members: a loop beats the native copy's call overhead.
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = b[i]!;
    } else {
      this.buf.set(b, this.pos);
    }
    this.pos += n;
  }
  str(s: string): void {
    const n = utf8Length(s);
    this.uvar(n);
    if (n === s.length && n <= 64) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    } else {
      this.buf.write(s, this.pos, n, 'utf8');
    }
    this.pos += n;
  }
}

function flagsOf(e: ReplicationEvent): number {
  let f = 0;
  if (e.rdbOffset !== undefined) f |= F_RDB_OFFSET;
  if (e.epoch !== undefined) f |= F_EPOCH;
  switch (e.type) {
    case 'snapshot-begin':
      if (e.previous) f |= F_PREVIOUS;
      break;
    case 'snapshot-end':
      if (e.checksumHex !== undefined) f |= F_CHECKSUM_HEX;
      break;
    case 'aux':
      if (e.inBody) f |= F_IN_BODY;
      break;
    case 'function':
      if (e.preGa) f |= F_PRE_GA | (e.preGa.description === null ? 0 : F_PRE_GA_DESCRIPTION);
      break;
    case 'key-value':
    case 'key-chunk':
      if (e.expireMs !== undefined) f |= F_EXPIRE;
      if (e.lfuFreq !== undefined) f |= F_LFU;
      if (e.lruIdleS !== undefined) f |= F_LRU;
      if (e.keyMeta !== undefined) f |= F_KEY_META;
      if (e.valueType === 'hash' && e.fieldExpires !== undefined) f |= F_FIELD_EXPIRES;
      if (e.type === 'key-chunk') {
        if (e.valueType === 'stream' && e.value.meta !== undefined) f |= F_STREAM_META;
        if (e.last) f |= F_LAST;
      }
      break;
    case 'command':
      if (e.timestampMs !== undefined) f |= F_TIMESTAMP;
      if (e.known) f |= F_KNOWN;
      break;
    case 'transaction':
      if (e.timestampMs !== undefined) f |= F_TIMESTAMP;
      break;
    case 'module-aux':
    case 'stream-begin':
    case 'stream-end':
      break;
    default: {
      const never: never = e;
      throw badEncode(`unknown event type ${String((never as { type?: unknown }).type)}`);
    }
  }
  return f;
}

function writeEvent(o: Out, e: ReplicationEvent): void {
  o.u8(BINARY_FORMAT_V1);
  o.u8(TYPE_TAG[e.type]);
  o.uvar(flagsOf(e));
  o.str(e.replid);
  o.num(e.offset);
  o.num(e.db);
  if (e.rdbOffset !== undefined) o.num(e.rdbOffset);
  if (e.epoch !== undefined) o.num(e.epoch);
  switch (e.type) {
    case 'snapshot-begin':
      o.u8(enumIndex(REASONS, e.reason, 'reason'));
      o.u8(enumIndex(MAGICS, e.magic, 'magic'));
      o.num(e.rdbVersion);
      if (e.previous) {
        o.str(e.previous.replid);
        o.num(e.previous.offset);
      }
      return;
    case 'snapshot-end':
      o.u8(enumIndex(CHECKSUMS, e.checksum, 'checksum'));
      if (e.checksumHex !== undefined) o.str(e.checksumHex);
      o.num(e.keys);
      o.num(e.bytes);
      return;
    case 'aux':
      o.bytes(e.key);
      o.bytes(e.value);
      return;
    case 'function':
      o.bytes(e.code);
      if (e.preGa) {
        o.bytes(e.preGa.name);
        o.bytes(e.preGa.engine);
        if (e.preGa.description !== null) o.bytes(e.preGa.description);
      }
      return;
    case 'module-aux':
      o.str(e.module);
      o.str(e.moduleId);
      o.num(e.encver);
      o.num(e.when);
      o.bytes(e.raw);
      return;
    case 'key-value':
      writeKeyAttrs(o, e);
      writeValue(o, e);
      return;
    case 'key-chunk':
      writeKeyAttrs(o, e);
      o.num(e.index);
      writeChunk(o, e);
      return;
    case 'command':
      writeCommandBody(o, e);
      if (e.timestampMs !== undefined) o.num(e.timestampMs);
      return;
    case 'transaction':
      o.uvar(e.commands.length);
      for (const c of e.commands) {
        o.u8(c.known ? 1 : 0);
        o.num(c.db);
        writeCommandBody(o, c);
      }
      if (e.timestampMs !== undefined) o.num(e.timestampMs);
      return;
    case 'stream-begin':
      o.u8(enumIndex(MODES, e.mode, 'mode'));
      return;
    case 'stream-end':
      o.str(e.reason);
      return;
    default: {
      const never: never = e;
      throw badEncode(`unknown event type ${String((never as { type?: unknown }).type)}`);
    }
  }
}

function writeKeyAttrs(o: Out, a: KeyAttributes): void {
  o.bytes(a.key);
  o.num(a.rdbType);
  if (a.expireMs !== undefined) o.num(a.expireMs);
  if (a.lfuFreq !== undefined) o.num(a.lfuFreq);
  if (a.lruIdleS !== undefined) o.num(a.lruIdleS);
  if (a.keyMeta !== undefined) {
    o.uvar(a.keyMeta.length);
    for (const m of a.keyMeta) {
      o.num(m.classSpec);
      o.bytes(m.raw);
    }
  }
}

type CollectionValue = Exclude<TypedValue, { valueType: 'stream' } | { valueType: 'module' }>;

function writeValue(o: Out, v: TypedValue): void {
  o.u8(enumIndex(VALUE_TYPES, v.valueType, 'valueType'));
  switch (v.valueType) {
    case 'stream':
      writeEntries(o, v.value.entries);
      writeStreamMeta(o, v.value.meta);
      writeGroups(o, v.value.groups);
      return;
    case 'module':
      o.str(v.value.module);
      o.str(v.value.moduleId);
      o.num(v.value.encver);
      o.bytes(v.value.raw);
      return;
    default:
      writeCollection(o, v);
  }
}

function writeChunk(o: Out, v: TypedChunk): void {
  o.u8(enumIndex(VALUE_TYPES, v.valueType, 'valueType'));
  if (v.valueType === 'stream') {
    writeEntries(o, v.value.entries);
    if (v.value.meta !== undefined) writeStreamMeta(o, v.value.meta);
    writeGroups(o, v.value.groups);
    return;
  }
  writeCollection(o, v);
}

function writeCollection(o: Out, v: CollectionValue): void {
  switch (v.valueType) {
    case 'string':
      o.bytes(v.value);
      return;
    case 'list':
    case 'set':
      o.uvar(v.value.length);
      for (const b of v.value) o.bytes(b);
      return;
    case 'zset':
      o.uvar(v.value.length);
      for (const [m, s] of v.value) {
        o.bytes(m);
        o.f64(s);
      }
      return;
    case 'hash':
      o.uvar(v.value.length);
      for (const [f, x] of v.value) {
        o.bytes(f);
        o.bytes(x);
      }
      if (v.fieldExpires !== undefined) {
        o.uvar(v.fieldExpires.length);
        for (const [f, ms] of v.fieldExpires) {
          o.bytes(f);
          o.num(ms);
        }
      }
      return;
    default: {
      const never: never = v;
      throw badEncode(`unknown value type ${String((never as { valueType?: unknown }).valueType)}`);
    }
  }
}

function writeEntries(o: Out, entries: readonly StreamEntry[]): void {
  o.uvar(entries.length);
  for (const e of entries) {
    o.str(e.id);
    o.uvar(e.fields.length);
    for (const [f, v] of e.fields) {
      o.bytes(f);
      o.bytes(v);
    }
  }
}

function writeStreamMeta(o: Out, m: StreamMeta): void {
  o.u8((m.firstId !== null ? 1 : 0) | (m.maxDeletedId !== null ? 2 : 0) | (m.entriesAdded !== null ? 4 : 0));
  o.num(m.length);
  o.str(m.lastId);
  if (m.firstId !== null) o.str(m.firstId);
  if (m.maxDeletedId !== null) o.str(m.maxDeletedId);
  if (m.entriesAdded !== null) o.num(m.entriesAdded);
  o.num(m.listpackNodes);
}

function writeGroups(o: Out, groups: readonly StreamGroup[]): void {
  o.uvar(groups.length);
  for (const g of groups) {
    o.bytes(g.name);
    o.str(g.lastDeliveredId);
    o.u8(g.entriesRead !== null ? 1 : 0);
    if (g.entriesRead !== null) o.num(g.entriesRead);
    o.uvar(g.pel.length);
    for (const p of g.pel) {
      o.str(p.id);
      o.u8(p.consumer !== null ? 1 : 0);
      if (p.consumer !== null) o.bytes(p.consumer);
      o.num(p.deliveryTimeMs);
      o.num(p.deliveryCount);
    }
    o.uvar(g.consumers.length);
    for (const c of g.consumers) {
      o.bytes(c.name);
      o.num(c.seenTimeMs);
      o.u8(c.activeTimeMs !== null ? 1 : 0);
      if (c.activeTimeMs !== null) o.num(c.activeTimeMs);
      o.uvar(c.pel.length);
      for (const id of c.pel) o.str(id);
    }
  }
}

function writeCommandBody(o: Out, c: CommandBody): void {
  o.str(c.command);
  o.uvar(c.args.length);
  for (const a of c.args) o.bytes(a);
  o.uvar(c.keys.length);
  for (const k of c.keys) o.bytes(k);
}

function enumIndex<T extends string>(values: readonly T[], v: T, field: string): number {
  const i = values.indexOf(v);
  if (i < 0) throw badEncode(`field ${field} has value ${JSON.stringify(v)}, not one of ${values.join(', ')}`);
  return i;
}

function badEncode(message: string): ReplicatorError {
  return new ReplicatorError('EVENT_BAD_BINARY', `cannot encode event as binary: ${message}`);
}

/** Encodes an event into one Buffer of exactly its size. */
export function encodeBinaryEvent(e: ReplicationEvent): Buffer {
  const sizer = new Sizer();
  writeEvent(sizer, e);
  const w = new Writer(Buffer.allocUnsafe(sizer.size));
  writeEvent(w, e);
  if (w.pos !== sizer.size) throw badEncode(`internal size mismatch (${w.pos} written, ${sizer.size} computed)`);
  return w.buf;
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  bad(message: string, at = this.pos): ReplicatorError {
    return new ReplicatorError('EVENT_BAD_BINARY', `bad binary event at byte ${at} of ${this.buf.length}: ${message}`);
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw this.bad('truncated (expected 1 more byte)');
    return this.buf[this.pos++]!;
  }

  uvar(): number {
    const start = this.pos;
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw this.bad('non-canonical varint (trailing zero byte)', start);
        if (v > Number.MAX_SAFE_INTEGER) throw this.bad('varint exceeds 2^53-1', start);
        return v;
      }
      scale *= 128;
    }
    throw this.bad('varint longer than 8 bytes', start);
  }

  /** A count of items that each take at least `minBytes`; refuses counts the input cannot hold. */
  count(what: string, minBytes = 1): number {
    const start = this.pos;
    const n = this.uvar();
    if (n * minBytes > this.remaining) throw this.bad(`${what} count ${n} exceeds the ${this.remaining} bytes left`, start);
    return n;
  }

  num(): number {
    const start = this.pos;
    const first = this.u8();
    const kind = first & 0x60;
    if (kind === NUM_F64) {
      if (first !== NUM_F64) throw this.bad(`bad number header 0x${first.toString(16)}`, start);
      return this.f64();
    }
    if (kind !== NUM_INT && kind !== NUM_NEG) throw this.bad(`bad number header 0x${first.toString(16)}`, start);
    let mag = first & 0x1f;
    if (first & 0x80) {
      const rest = this.uvar();
      if (rest === 0) throw this.bad('non-canonical number', start);
      mag += rest * 32;
      if (mag > Number.MAX_SAFE_INTEGER) throw this.bad('integer exceeds 2^53-1', start);
    }
    if (kind === NUM_NEG) {
      if (mag === 0) throw this.bad('negative integer zero', start);
      return -mag;
    }
    return mag;
  }

  f64(): number {
    if (this.remaining < 8) throw this.bad(`truncated (expected an 8-byte double, ${this.remaining} bytes left)`);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  bytes(): Buffer {
    const start = this.pos;
    const n = this.uvar();
    if (n > this.remaining) throw this.bad(`byte string of ${n} bytes exceeds the ${this.remaining} bytes left`, start);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  str(): string {
    const start = this.pos;
    const n = this.uvar();
    if (n > this.remaining) throw this.bad(`string of ${n} bytes exceeds the ${this.remaining} bytes left`, start);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  oneOf<T extends string>(values: readonly T[], field: string): T {
    const start = this.pos;
    const i = this.u8();
    const v = values[i];
    if (v === undefined) throw this.bad(`${field} ${i} is not one of 0..${values.length - 1} (${values.join(', ')})`, start);
    return v;
  }

  flagByte(max: number, what: string): number {
    const start = this.pos;
    const b = this.u8();
    if (b > max) throw this.bad(`${what} flags 0x${b.toString(16)} set undefined bits`, start);
    return b;
  }
}

/** Decodes one event; throws ReplicatorError EVENT_BAD_BINARY (with the byte offset) on bad input. */
export function decodeBinaryEvent(input: Buffer): ReplicationEvent {
  // One private copy: the decoded Buffers are views into it, not into the caller's (possibly pooled) buffer.
  const r = new Reader(Buffer.from(input));
  const format = r.u8();
  if (format !== BINARY_FORMAT_V1) {
    throw r.bad(`unknown format byte 0x${format.toString(16)} (this version reads format ${BINARY_FORMAT_V1}; a newer producer?)`, 0);
  }
  const tagAt = r.pos;
  const tag = r.u8();
  const type = TAG_TYPE[tag];
  if (type === undefined) throw r.bad(`unknown event type tag ${tag}`, tagAt);
  const flagsAt = r.pos;
  const flags = r.uvar();
  if (flags & ~ALLOWED_FLAGS[type] || flags > 0xffff) throw r.bad(`flags 0x${flags.toString(16)} not defined for ${type}`, flagsAt);
  const meta: EventMeta = { replid: r.str(), offset: r.num(), db: r.num() };
  if (flags & F_RDB_OFFSET) meta.rdbOffset = r.num();
  if (flags & F_EPOCH) meta.epoch = r.num();
  const e = readBody(r, type, flags, meta);
  if (r.remaining !== 0) throw r.bad(`${r.remaining} unexpected bytes after the event`);
  return e;
}

function readBody(r: Reader, type: EventType, flags: number, meta: EventMeta): ReplicationEvent {
  switch (type) {
    case 'snapshot-begin': {
      const e = { type, ...meta, reason: r.oneOf(REASONS, 'reason'), magic: r.oneOf(MAGICS, 'magic'), rdbVersion: r.num() } as const;
      if (!(flags & F_PREVIOUS)) return e;
      return { ...e, previous: { replid: r.str(), offset: r.num() } };
    }
    case 'snapshot-end': {
      const checksum = r.oneOf(CHECKSUMS, 'checksum');
      const checksumHex = flags & F_CHECKSUM_HEX ? r.str() : undefined;
      const e = { type, ...meta, checksum, keys: r.num(), bytes: r.num() } as const;
      return checksumHex === undefined ? e : { ...e, checksumHex };
    }
    case 'aux':
      return { type, ...meta, key: r.bytes(), value: r.bytes(), inBody: (flags & F_IN_BODY) !== 0 };
    case 'function': {
      const code = r.bytes();
      if (!(flags & F_PRE_GA)) {
        if (flags & F_PRE_GA_DESCRIPTION) throw r.bad('function flags: description without preGa');
        return { type, ...meta, code };
      }
      const name = r.bytes();
      const engine = r.bytes();
      const description = flags & F_PRE_GA_DESCRIPTION ? r.bytes() : null;
      return { type, ...meta, code, preGa: { name, engine, description } };
    }
    case 'module-aux':
      return { type, ...meta, module: r.str(), moduleId: r.str(), encver: r.num(), when: r.num(), raw: r.bytes() };
    case 'key-value': {
      const attrs = readKeyAttrs(r, flags);
      return { type, ...meta, ...attrs, ...readValue(r, flags) };
    }
    case 'key-chunk': {
      const attrs = readKeyAttrs(r, flags);
      const index = r.num();
      return { type, ...meta, ...attrs, index, last: (flags & F_LAST) !== 0, ...readChunk(r, flags) };
    }
    case 'command': {
      const e = { type, ...meta, ...readCommandBody(r, (flags & F_KNOWN) !== 0) } as const;
      return flags & F_TIMESTAMP ? { ...e, timestampMs: r.num() } : e;
    }
    case 'transaction': {
      const n = r.count('transaction command', 4);
      const commands: TransactionCommand[] = [];
      for (let i = 0; i < n; i++) {
        const known = r.flagByte(1, 'transaction command') === 1;
        const db = r.num();
        commands.push({ ...readCommandBody(r, known), db });
      }
      const e = { type, ...meta, commands } as const;
      return flags & F_TIMESTAMP ? { ...e, timestampMs: r.num() } : e;
    }
    case 'stream-begin':
      return { type, ...meta, mode: r.oneOf(MODES, 'mode') };
    case 'stream-end':
      return { type, ...meta, reason: r.str() };
    default: {
      const never: never = type;
      throw r.bad(`unknown event type ${String(never)}`);
    }
  }
}

function readKeyAttrs(r: Reader, flags: number): KeyAttributes {
  const a: KeyAttributes = { key: r.bytes(), rdbType: r.num() };
  if (flags & F_EXPIRE) a.expireMs = r.num();
  if (flags & F_LFU) a.lfuFreq = r.num();
  if (flags & F_LRU) a.lruIdleS = r.num();
  if (flags & F_KEY_META) {
    const n = r.count('keyMeta', 2);
    const keyMeta: KeyMetaClass[] = [];
    for (let i = 0; i < n; i++) keyMeta.push({ classSpec: r.num(), raw: r.bytes() });
    a.keyMeta = keyMeta;
  }
  return a;
}

function readValue(r: Reader, flags: number): TypedValue {
  const at = r.pos;
  const vt = r.oneOf(VALUE_TYPES, 'valueType');
  if (flags & F_FIELD_EXPIRES && vt !== 'hash') throw r.bad(`fieldExpires flag on a ${vt} value`, at);
  switch (vt) {
    case 'stream':
      return { valueType: 'stream', value: { entries: readEntries(r), meta: readStreamMeta(r), groups: readGroups(r) } };
    case 'module':
      return { valueType: 'module', value: { module: r.str(), moduleId: r.str(), encver: r.num(), raw: r.bytes() } };
    default:
      return readCollection(r, vt, flags);
  }
}

function readChunk(r: Reader, flags: number): TypedChunk {
  const at = r.pos;
  const vt = r.oneOf(VALUE_TYPES, 'valueType');
  if (flags & F_FIELD_EXPIRES && vt !== 'hash') throw r.bad(`fieldExpires flag on a ${vt} chunk`, at);
  if (flags & F_STREAM_META && vt !== 'stream') throw r.bad(`stream meta flag on a ${vt} chunk`, at);
  if (vt === 'module') throw r.bad('module values are never chunked', at);
  if (vt === 'stream') {
    const entries = readEntries(r);
    if (!(flags & F_STREAM_META)) return { valueType: 'stream', value: { entries, groups: readGroups(r) } };
    const meta = readStreamMeta(r);
    return { valueType: 'stream', value: { entries, meta, groups: readGroups(r) } };
  }
  return readCollection(r, vt, flags);
}

function readCollection(r: Reader, vt: CollectionValue['valueType'], flags: number): CollectionValue {
  switch (vt) {
    case 'string':
      return { valueType: 'string', value: r.bytes() };
    case 'list':
    case 'set': {
      const n = r.count(`${vt} element`);
      const value: Buffer[] = [];
      for (let i = 0; i < n; i++) value.push(r.bytes());
      return { valueType: vt, value };
    }
    case 'zset': {
      const n = r.count('zset entry', 9);
      const value: ZsetEntry[] = [];
      for (let i = 0; i < n; i++) value.push([r.bytes(), r.f64()]);
      return { valueType: 'zset', value };
    }
    case 'hash': {
      const n = r.count('hash entry', 2);
      const value: HashEntry[] = [];
      for (let i = 0; i < n; i++) value.push([r.bytes(), r.bytes()]);
      if (!(flags & F_FIELD_EXPIRES)) return { valueType: 'hash', value };
      const m = r.count('field expire', 2);
      const fieldExpires: FieldExpire[] = [];
      for (let i = 0; i < m; i++) fieldExpires.push([r.bytes(), r.num()]);
      return { valueType: 'hash', value, fieldExpires };
    }
    default: {
      const never: never = vt;
      throw r.bad(`unknown value type ${String(never)}`);
    }
  }
}

function readEntries(r: Reader): StreamEntry[] {
  const n = r.count('stream entry', 2);
  const entries: StreamEntry[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.str();
    const m = r.count('stream field', 2);
    const fields: HashEntry[] = [];
    for (let j = 0; j < m; j++) fields.push([r.bytes(), r.bytes()]);
    entries.push({ id, fields });
  }
  return entries;
}

function readStreamMeta(r: Reader): StreamMeta {
  const nulls = r.flagByte(7, 'stream meta');
  const length = r.num();
  const lastId = r.str();
  const firstId = nulls & 1 ? r.str() : null;
  const maxDeletedId = nulls & 2 ? r.str() : null;
  const entriesAdded = nulls & 4 ? r.num() : null;
  return { length, lastId, firstId, maxDeletedId, entriesAdded, listpackNodes: r.num() };
}

function readGroups(r: Reader): StreamGroup[] {
  const n = r.count('stream group', 5);
  const groups: StreamGroup[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.bytes();
    const lastDeliveredId = r.str();
    const entriesRead = r.flagByte(1, 'stream group') ? r.num() : null;
    const p = r.count('pending entry', 4);
    const pel: StreamPendingEntry[] = [];
    for (let j = 0; j < p; j++) {
      const id = r.str();
      const consumer = r.flagByte(1, 'pending entry') ? r.bytes() : null;
      pel.push({ id, consumer, deliveryTimeMs: r.num(), deliveryCount: r.num() });
    }
    const c = r.count('stream consumer', 4);
    const consumers: StreamConsumer[] = [];
    for (let j = 0; j < c; j++) {
      const cname = r.bytes();
      const seenTimeMs = r.num();
      const activeTimeMs = r.flagByte(1, 'stream consumer') ? r.num() : null;
      const k = r.count('consumer pending id');
      const cpel: string[] = [];
      for (let x = 0; x < k; x++) cpel.push(r.str());
      consumers.push({ name: cname, seenTimeMs, activeTimeMs, pel: cpel });
    }
    groups.push({ name, lastDeliveredId, entriesRead, pel, consumers });
  }
  return groups;
}

function readCommandBody(r: Reader, known: boolean): CommandBody {
  const command = r.str();
  const argc = r.count('argument');
  const args: Buffer[] = [];
  for (let i = 0; i < argc; i++) args.push(r.bytes());
  const keyc = r.count('key');
  const keys: Buffer[] = [];
  for (let i = 0; i < keyc; i++) keys.push(r.bytes());
  return { command, args, keys, known };
}

/** The compact binary codec (content-type BINARY_CONTENT_TYPE). */
export const binaryCodec: EventCodec = {
  name: 'binary',
  contentType: BINARY_CONTENT_TYPE,
  encode: encodeBinaryEvent,
  decode: decodeBinaryEvent,
};
