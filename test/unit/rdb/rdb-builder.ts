// Builds RDB files for tests, byte by byte after rdb.c (rdbSaveLen, rdbSaveRawString ...), so the
// parser can be checked on encodings, versions and opcodes no server in the corpus produced
// (Valkey HASH_2, Redis 8.6 streams and KEY_META, modules, zipmaps, huge values ...).
import { Crc64 } from '../../../src/rdb/crc64.js';
import { lzfCompress } from './lzf-compress.js';

export type Bytes = Buffer | string;

const b = (x: Bytes): Buffer => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);

/** rdbSaveLen */
export function len(n: number | bigint): Buffer {
  const v = BigInt(n);
  if (v < 64n) return Buffer.from([Number(v)]);
  if (v < 16384n) return Buffer.from([0x40 | Number(v >> 8n), Number(v & 0xffn)]);
  if (v <= 0xffffffffn) {
    const o = Buffer.alloc(5);
    o[0] = 0x80;
    o.writeUInt32BE(Number(v), 1);
    return o;
  }
  const o = Buffer.alloc(9);
  o[0] = 0x81;
  o.writeBigUInt64BE(v, 1);
  return o;
}

/** rdbSaveRawString without compression or integer encoding. */
export function str(s: Bytes): Buffer {
  const x = b(s);
  return Buffer.concat([len(x.length), x]);
}

/** An integer-encoded string (RDB_ENC_INT8/16/32). */
export function intStr(n: number): Buffer {
  if (n >= -128 && n <= 127) return Buffer.from([0xc0, n & 0xff]);
  if (n >= -32768 && n <= 32767) {
    const o = Buffer.alloc(3);
    o[0] = 0xc1;
    o.writeInt16LE(n, 1);
    return o;
  }
  const o = Buffer.alloc(5);
  o[0] = 0xc2;
  o.writeInt32LE(n, 1);
  return o;
}

/** An LZF-compressed string (RDB_ENC_LZF). */
export function lzfStr(s: Bytes): Buffer {
  const x = b(s);
  const c = lzfCompress(x);
  return Buffer.concat([Buffer.from([0xc3]), len(c.length), len(x.length), c]);
}

export function u8(n: number): Buffer {
  return Buffer.from([n & 0xff]);
}

export function u32le(n: number): Buffer {
  const o = Buffer.alloc(4);
  o.writeUInt32LE(n >>> 0, 0);
  return o;
}

export function i64le(n: number | bigint): Buffer {
  const o = Buffer.alloc(8);
  o.writeBigInt64LE(BigInt(n), 0);
  return o;
}

export function f64le(n: number): Buffer {
  const o = Buffer.alloc(8);
  o.writeDoubleLE(n, 0);
  return o;
}

/** Old textual double of type 3 zsets (rdbSaveDoubleValue). */
export function oldDouble(n: number): Buffer {
  if (Number.isNaN(n)) return Buffer.from([253]);
  if (n === Infinity) return Buffer.from([254]);
  if (n === -Infinity) return Buffer.from([255]);
  const t = Buffer.from(Object.is(n, -0) ? '-0' : String(n), 'latin1');
  return Buffer.concat([Buffer.from([t.length]), t]);
}

// ---------------------------------------------------------------------------------------------
// Compact encodings

export type LpItem = Bytes | number | bigint;

function lpEntry(item: LpItem): Buffer {
  let enc: Buffer;
  if (typeof item === 'number' || typeof item === 'bigint') {
    const v = BigInt(item);
    if (v >= 0n && v <= 127n) enc = Buffer.from([Number(v)]);
    else if (v >= -4096n && v <= 4095n) {
      const u = Number(v < 0n ? v + 8192n : v);
      enc = Buffer.from([0xc0 | (u >> 8), u & 0xff]);
    } else if (v >= -32768n && v <= 32767n) {
      enc = Buffer.alloc(3);
      enc[0] = 0xf1;
      enc.writeInt16LE(Number(v), 1);
    } else if (v >= -8388608n && v <= 8388607n) {
      enc = Buffer.alloc(4);
      enc[0] = 0xf2;
      enc.writeIntLE(Number(v), 1, 3);
    } else if (v >= -2147483648n && v <= 2147483647n) {
      enc = Buffer.alloc(5);
      enc[0] = 0xf3;
      enc.writeInt32LE(Number(v), 1);
    } else {
      enc = Buffer.alloc(9);
      enc[0] = 0xf4;
      enc.writeBigInt64LE(v, 1);
    }
  } else {
    const s = b(item);
    if (s.length < 64) enc = Buffer.concat([Buffer.from([0x80 | s.length]), s]);
    else if (s.length < 4096) enc = Buffer.concat([Buffer.from([0xe0 | (s.length >> 8), s.length & 0xff]), s]);
    else {
      const h = Buffer.alloc(5);
      h[0] = 0xf0;
      h.writeUInt32LE(s.length, 1);
      enc = Buffer.concat([h, s]);
    }
  }
  const l = enc.length;
  let back: number[];
  if (l <= 127) back = [l];
  else if (l < 16383) back = [l >> 7, (l & 127) | 128];
  else if (l < 2097151) back = [l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128];
  else if (l < 268435455) back = [l >> 21, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128];
  else back = [l >> 28, ((l >> 21) & 127) | 128, ((l >> 14) & 127) | 128, ((l >> 7) & 127) | 128, (l & 127) | 128];
  return Buffer.concat([enc, Buffer.from(back)]);
}

export function listpack(items: LpItem[], declaredCount?: number): Buffer {
  const body = Buffer.concat(items.map(lpEntry));
  const h = Buffer.alloc(6);
  h.writeUInt32LE(6 + body.length + 1, 0);
  h.writeUInt16LE(declaredCount ?? (items.length < 65535 ? items.length : 65535), 4);
  return Buffer.concat([h, body, Buffer.from([0xff])]);
}

export function ziplist(items: (Bytes | number | bigint)[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  for (const item of items) {
    const prevlen = prev < 254 ? Buffer.from([prev]) : Buffer.concat([Buffer.from([0xfe]), u32le(prev)]);
    let enc: Buffer;
    if (typeof item === 'number' || typeof item === 'bigint') {
      const v = BigInt(item);
      if (v >= 0n && v <= 12n) enc = Buffer.from([0xf1 + Number(v)]);
      else if (v >= -128n && v <= 127n) enc = Buffer.from([0xfe, Number(v) & 0xff]);
      else if (v >= -32768n && v <= 32767n) {
        enc = Buffer.alloc(3);
        enc[0] = 0xc0;
        enc.writeInt16LE(Number(v), 1);
      } else if (v >= -8388608n && v <= 8388607n) {
        enc = Buffer.alloc(4);
        enc[0] = 0xf0;
        enc.writeIntLE(Number(v), 1, 3);
      } else if (v >= -2147483648n && v <= 2147483647n) {
        enc = Buffer.alloc(5);
        enc[0] = 0xd0;
        enc.writeInt32LE(Number(v), 1);
      } else {
        enc = Buffer.alloc(9);
        enc[0] = 0xe0;
        enc.writeBigInt64LE(v, 1);
      }
    } else {
      const s = b(item);
      if (s.length < 64) enc = Buffer.concat([Buffer.from([s.length]), s]);
      else if (s.length < 16384) enc = Buffer.concat([Buffer.from([0x40 | (s.length >> 8), s.length & 0xff]), s]);
      else {
        const h = Buffer.alloc(5);
        h[0] = 0x80;
        h.writeUInt32BE(s.length, 1);
        enc = Buffer.concat([h, s]);
      }
    }
    const e = Buffer.concat([prevlen, enc]);
    entries.push(e);
    prev = e.length;
  }
  const body = Buffer.concat(entries);
  const total = 10 + body.length + 1;
  const h = Buffer.alloc(10);
  h.writeUInt32LE(total, 0);
  h.writeUInt32LE(entries.length ? total - 1 - prev : 10, 4);
  h.writeUInt16LE(Math.min(items.length, 65535), 8);
  return Buffer.concat([h, body, Buffer.from([0xff])]);
}

export function intset(width: 2 | 4 | 8, values: (number | bigint)[]): Buffer {
  const o = Buffer.alloc(8 + width * values.length);
  o.writeUInt32LE(width, 0);
  o.writeUInt32LE(values.length, 4);
  values.forEach((v, i) => {
    if (width === 2) o.writeInt16LE(Number(v), 8 + 2 * i);
    else if (width === 4) o.writeInt32LE(Number(v), 8 + 4 * i);
    else o.writeBigInt64LE(BigInt(v), 8 + 8 * i);
  });
  return o;
}

export function zipmap(pairs: [Bytes, Bytes][], free = 0): Buffer {
  const zl = (n: number): Buffer => (n < 254 ? Buffer.from([n]) : Buffer.concat([Buffer.from([0xfe]), u32le(n)]));
  const parts: Buffer[] = [Buffer.from([pairs.length < 254 ? pairs.length : 254])];
  for (const [f, v] of pairs) {
    const fb = b(f);
    const vb = b(v);
    parts.push(zl(fb.length), fb, zl(vb.length), Buffer.from([free]), vb, Buffer.alloc(free, 0x2a));
  }
  parts.push(Buffer.from([0xff]));
  return Buffer.concat(parts);
}

/** A module type id: 9-character name (charset A-Z a-z 0-9 - _) and 10-bit encoding version. */
export function moduleId(name: string, encver: number): bigint {
  const cs = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = 0n;
  for (const ch of name) id = (id << 6n) | BigInt(cs.indexOf(ch));
  return (id << 10n) | BigInt(encver);
}

// ---------------------------------------------------------------------------------------------
// Streams (rdbSaveObject OBJ_STREAM, streamAppendItem)

export interface TestStreamEntry {
  ms: number;
  seq: number;
  fields: [Bytes, Bytes][];
  deleted?: boolean;
}

/** One node: master id = first entry id, master fields = first entry's fields. */
export function streamNode(entries: TestStreamEntry[]): { key: Buffer; lp: Buffer } {
  const first = entries[0] as TestStreamEntry;
  const masterFields = first.fields.map(([f]) => b(f));
  const live = entries.filter((e) => !e.deleted).length;
  const items: LpItem[] = [live, entries.length - live, masterFields.length, ...masterFields, 0];
  for (const e of entries) {
    const same = e.fields.length === masterFields.length && e.fields.every(([f], i) => b(f).equals(masterFields[i] as Buffer));
    const flags = (e.deleted ? 1 : 0) | (same ? 2 : 0);
    items.push(flags, e.ms - first.ms, e.seq - first.seq);
    if (same) {
      for (const [, v] of e.fields) items.push(b(v));
      items.push(e.fields.length + 3);
    } else {
      items.push(e.fields.length);
      for (const [f, v] of e.fields) items.push(b(f), b(v));
      items.push(2 * e.fields.length + 4);
    }
  }
  const key = Buffer.alloc(16);
  key.writeBigUInt64BE(BigInt(first.ms), 0);
  key.writeBigUInt64BE(BigInt(first.seq), 8);
  return { key, lp: listpack(items) };
}

export function rawId(ms: number | bigint, seq: number | bigint): Buffer {
  const o = Buffer.alloc(16);
  o.writeBigUInt64BE(BigInt(ms), 0);
  o.writeBigUInt64BE(BigInt(seq), 8);
  return o;
}

// ---------------------------------------------------------------------------------------------
// Whole files

export class RdbBuilder {
  private readonly parts: Buffer[] = [];

  constructor(magic = 'REDIS0012') {
    this.parts.push(Buffer.from(magic, 'latin1'));
  }

  raw(...bufs: Buffer[]): this {
    this.parts.push(...bufs);
    return this;
  }

  aux(k: Bytes, v: Bytes): this {
    return this.raw(u8(0xfa), str(k), str(v));
  }

  selectDb(n: number | bigint): this {
    return this.raw(u8(0xfe), len(n));
  }

  resizeDb(a: number, c: number): this {
    return this.raw(u8(0xfb), len(a), len(c));
  }

  expireMs(ms: number): this {
    return this.raw(u8(0xfc), i64le(ms));
  }

  /** A key record: type byte, key, value bytes. */
  key(type: number, key: Bytes, ...value: Buffer[]): this {
    return this.raw(u8(type), str(key), ...value);
  }

  /** EOF opcode and checksum (RDB >= 5), computed unless `zero`. */
  bytes(opts: { zero?: boolean; checksum?: boolean } = {}): Buffer {
    const body = Buffer.concat([...this.parts, u8(0xff)]);
    if (opts.checksum === false) return body;
    const sum = Buffer.alloc(8);
    if (!opts.zero) {
      const c = new Crc64();
      c.update(body, 0, body.length);
      sum.writeUInt32LE(c.lo, 0);
      sum.writeUInt32LE(c.hi, 4);
    }
    return Buffer.concat([body, sum]);
  }
}
