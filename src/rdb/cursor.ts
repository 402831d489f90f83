// The parser's input: one contiguous working buffer, a read position and a committed mark.
//
// Every read primitive checks the bytes it needs; when they have not arrived it records how many
// bytes the current step needs in total (`needAbs`, an absolute RDB offset) and throws NEED_MORE.
// The parser then rolls the position back to the mark (the last committed step boundary) and does
// not retry - nor concatenate anything - until that many bytes are available: a value of any size
// is assembled with one concatenation, and no step is retried byte by byte.
// Lengths read from the file are never used to allocate before the bytes exist.
import { intToDecimal } from '../util/decimal.js';
import {
  RDB_64BITLEN,
  RDB_32BITLEN,
  RDB_ENC_INT16,
  RDB_ENC_INT32,
  RDB_ENC_INT8,
  RDB_ENC_LZF,
} from './constants.js';
import { BlobFormatError, RdbParseError, describeKey, type RdbErrorCode } from './errors.js';
import { LZF_MAX_EXPANSION, lzfDecompress } from './lzf.js';

/** Thrown by read primitives when the input ends; caught by the parser's run loop. Not an Error. */
export class NeedMore {
  private constructor() {}
  static readonly INSTANCE = new NeedMore();
}
export const NEED_MORE = NeedMore.INSTANCE;

// What the parser is reading, for error messages.
export const W_HEADER = 0;
export const W_RECORD = 1;
export const W_AUX_KEY = 2;
export const W_AUX_VALUE = 3;
export const W_SELECTDB = 4;
export const W_RESIZEDB = 5;
export const W_EXPIRE = 6;
export const W_EXPIRE_MS = 7;
export const W_IDLE = 8;
export const W_FREQ = 9;
export const W_KEY = 10;
export const W_VALUE = 11;
export const W_FUNCTION = 12;
export const W_MODULE_AUX = 13;
export const W_SLOT_INFO = 14;
export const W_KEY_META = 15;
export const W_SLOT_IMPORT = 16;
export const W_CHECKSUM = 17;

const TWO32 = 4294967296;
/** Lengths beyond 1 TiB can only come from corruption. */
const ABSURD_LENGTH = 2 ** 40;
const EMPTY = Buffer.alloc(0);

// Result of stringHeader(): how the string that follows is stored.
export const STR_PLAIN = 0;
export const STR_INT = 1;
export const STR_LZF = 2;

export class RdbCursor {
  buf: Buffer = EMPTY;
  /** Read position in `buf` (speculative inside a step). */
  pos = 0;
  /** Committed position in `buf`: a failed step restarts here. */
  mark = 0;
  /** Bytes of `buf` holding input. */
  end = 0;
  /** Absolute RDB offset of buf[0]. */
  base = 0;
  /** Absolute offset up to which input must be available before the next attempt. */
  needAbs = 0;

  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;

  // Context for messages.
  what = W_HEADER;
  db = -1;
  key: Buffer | null = null;
  auxKey: Buffer | null = null;
  inLzf = false;

  // Last stringHeader() result.
  hdrKind = STR_PLAIN;
  hdrLen = 0;
  hdrRaw = 0;
  hdrInt: Buffer = EMPTY;
  hdrStart = 0;
  /** Exact value of the last 64-bit length read when it exceeds 2^53. */
  bigLen: bigint | null = null;

  constructor(
    /** Largest string held whole (keys, elements, blobs); bigger claims fail at once. */
    readonly maxHeldBytes: number,
    /** Size of the payload when known in advance, else -1. */
    readonly payloadLength: number,
  ) {}

  // ------------------------------------------------------------------------------------------
  // Input assembly

  /** Bytes received so far (absolute end of input). */
  get received(): number {
    return this.base + this.end + this.pendingBytes;
  }

  /**
   * Adds a chunk. Returns false when the input still does not reach `needAbs`: the chunk is parked
   * without copying. Otherwise the unconsumed tail, the parked chunks and this one become the new
   * working buffer (concatenated once; the chunk itself is used as is when there is no tail).
   */
  push(chunk: Buffer): boolean {
    if (this.received + chunk.length < this.needAbs) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      return false;
    }
    const mark = this.mark;
    if (mark === this.end && this.pendingBytes === 0) {
      this.base += this.end;
      this.buf = chunk;
      this.end = chunk.length;
    } else {
      const parts = [this.buf.subarray(mark, this.end), ...this.pending, chunk];
      const total = this.end - mark + this.pendingBytes + chunk.length;
      this.base += mark;
      this.buf = Buffer.concat(parts, total);
      this.end = total;
      this.pending.length = 0;
      this.pendingBytes = 0;
    }
    this.pos = 0;
    this.mark = 0;
    return true;
  }

  /** Everything received and not consumed: the tail of the buffer plus the parked chunks. */
  unconsumed(): Buffer {
    const tail = this.buf.subarray(this.mark, this.end);
    if (this.pendingBytes === 0) return tail;
    return Buffer.concat([tail, ...this.pending]);
  }

  /** Marks everything read so far as committed. */
  commit(): void {
    this.mark = this.pos;
    this.inLzf = false;
  }

  /** Records that `n` bytes from the read position are needed, and unwinds the step. */
  more(n: number): never {
    this.needAbs = this.base + this.pos + n;
    throw NEED_MORE;
  }

  /** Like more(), for `n` bytes from position `p`. */
  moreAt(p: number, n: number): never {
    this.needAbs = this.base + p + n;
    throw NEED_MORE;
  }

  // ------------------------------------------------------------------------------------------
  // Primitives

  u8(): number {
    if (this.pos >= this.end) this.more(1);
    return this.buf[this.pos++] as number;
  }

  /** Bytes view of the next n bytes. */
  bytes(n: number): Buffer {
    if (this.pos + n > this.end) this.more(n);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  skip(n: number): void {
    if (this.pos + n > this.end) this.more(n);
    this.pos += n;
  }

  i32le(): number {
    if (this.pos + 4 > this.end) this.more(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u32le(): number {
    if (this.pos + 4 > this.end) this.more(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Signed 64-bit little-endian integer as a number (exact below 2^53). */
  i64le(): number {
    if (this.pos + 8 > this.end) this.more(8);
    const lo = this.buf.readUInt32LE(this.pos);
    const hi = this.buf.readInt32LE(this.pos + 4);
    this.pos += 8;
    return hi * TWO32 + lo;
  }

  f64le(): number {
    if (this.pos + 8 > this.end) this.more(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * rdbLoadLen: a length (6/14/32/64-bit) as a number. 64-bit lengths beyond 2^53 lose precision,
   * which only matters for ids (use lenBig) - as counts they exceed any real input anyway.
   */
  len(): number {
    const buf = this.buf;
    const p = this.pos;
    if (p >= this.end) this.more(1);
    const b = buf[p] as number;
    const kind = b >> 6;
    if (kind === 0) {
      this.pos = p + 1;
      return b;
    }
    if (kind === 1) {
      if (p + 2 > this.end) this.more(2);
      this.pos = p + 2;
      return ((b & 0x3f) << 8) | (buf[p + 1] as number);
    }
    if (b === RDB_32BITLEN) {
      if (p + 5 > this.end) this.more(5);
      this.pos = p + 5;
      return buf.readUInt32BE(p + 1);
    }
    if (b === RDB_64BITLEN) {
      if (p + 9 > this.end) this.more(9);
      this.pos = p + 9;
      const hi = buf.readUInt32BE(p + 1);
      this.bigLen = hi >= 0x200000 ? buf.readBigUInt64BE(p + 1) : null;
      return hi * TWO32 + buf.readUInt32BE(p + 5);
    }
    if (kind === 3) this.fail('RDB_BAD_LENGTH', `expected a length, found the string-encoding byte 0x${b.toString(16)}`, this.base + p);
    return this.fail('RDB_BAD_LENGTH', `bad length encoding 0x${b.toString(16)}`, this.base + p);
  }

  /** rdbLoadLen, exact: for stream ids, module ids and database numbers. */
  lenBig(): bigint {
    const p = this.pos;
    if (p >= this.end) this.more(1);
    const b = this.buf[p] as number;
    if (b === RDB_64BITLEN) {
      if (p + 9 > this.end) this.more(9);
      this.pos = p + 9;
      return this.buf.readBigUInt64BE(p + 1);
    }
    return BigInt(this.len());
  }

  /** A length that will be used as an element count: checked against what can still arrive
   *  (every element takes at least one byte). */
  count(what: string): number {
    const p = this.pos;
    const n = this.len();
    if (this.payloadLength >= 0 && n > this.payloadLength - (this.base + this.pos)) {
      this.beyondPayload(n, p, what);
    }
    return n;
  }

  /**
   * rdbGenericLoadStringObject: a string (plain, integer-encoded or LZF) held whole. Plain strings
   * are views into the input; integers come back as their decimal text.
   */
  string(): Buffer {
    const buf = this.buf;
    const h = this.pos;
    let p = h;
    const end = this.end;
    if (p >= end) this.more(1);
    const b = buf[p] as number;
    let n: number;
    switch (b >> 6) {
      case 0:
        n = b;
        p += 1;
        break;
      case 1:
        if (p + 2 > end) this.more(2);
        n = ((b & 0x3f) << 8) | (buf[p + 1] as number);
        p += 2;
        break;
      case 3:
        return this.encodedString();
      default:
        this.stringHeader();
        n = this.hdrLen;
        p = this.pos;
    }
    if (n > end - p) {
      this.checkHeld(n, h, 'string');
      this.moreAt(p, n);
    }
    this.pos = p + n;
    return buf.subarray(p, p + n);
  }

  /**
   * Reads a string header only (advancing past it): sets hdrKind, hdrLen (plain length or LZF
   * compressed length), hdrRaw (LZF decompressed length) and hdrInt (the decimal text of an
   * integer-encoded string, whose bytes are consumed).
   */
  stringHeader(): void {
    const start = this.pos;
    this.hdrStart = start;
    if (start >= this.end) this.more(1);
    const b = this.buf[start] as number;
    if (b >> 6 !== 3) {
      this.hdrKind = STR_PLAIN;
      this.hdrLen = this.len();
      return;
    }
    const enc = b & 0x3f;
    if (enc === RDB_ENC_LZF) {
      this.pos = start + 1;
      const clen = this.len();
      const raw = this.len();
      if (raw > clen * LZF_MAX_EXPANSION) {
        this.fail('RDB_BAD_LZF', `LZF claims ${this.lenText(raw)} decompressed bytes from ${clen} compressed bytes (at most ${LZF_MAX_EXPANSION}x is possible)`, this.base + start);
      }
      this.hdrKind = STR_LZF;
      this.hdrLen = clen;
      this.hdrRaw = raw;
      return;
    }
    this.hdrKind = STR_INT;
    this.hdrInt = this.encodedString();
  }

  /** Checks a claimed length before waiting for its bytes: an absurd length is a corrupt file, a
   *  length this process cannot hold is refused, and with a known payload size a length that cannot
   *  fit means the payload was cut (or is corrupt). */
  checkHeld(n: number, headerPos: number, what: string): void {
    if (n > ABSURD_LENGTH) {
      this.fail('RDB_BAD_LENGTH', `${what} length ${this.lenText(n)} is beyond any possible value`, this.base + headerPos);
    }
    if (n > this.maxHeldBytes) {
      this.fail('RDB_VALUE_TOO_LARGE', `${what} length ${n} exceeds the largest string held in memory (${this.maxHeldBytes} bytes)`, this.base + headerPos);
    }
    this.checkFits(n, headerPos, what);
  }

  /** Like checkHeld for data that is streamed, not held: only corruption and payload checks. */
  checkFits(n: number, headerPos: number, what: string): void {
    if (n > ABSURD_LENGTH) {
      this.fail('RDB_BAD_LENGTH', `${what} length ${this.lenText(n)} is beyond any possible value`, this.base + headerPos);
    }
    if (this.payloadLength >= 0 && n > this.payloadLength - (this.base + this.pos)) this.beyondPayload(n, headerPos, `${what} length`);
  }

  /** A length announced at `headerPos` that cannot fit in the rest of a payload of known size. */
  private beyondPayload(n: number, headerPos: number, what: string): never {
    const left = this.payloadLength - (this.base + this.pos);
    const detail = `${what} ${this.lenText(n)} exceeds the ${left} bytes left in the payload`;
    if (n > 0xffffffff) this.fail('RDB_BAD_LENGTH', detail, this.base + headerPos);
    // A plausible length: the payload was most likely cut, which is what reading on would report.
    throw new RdbParseError(
      'RDB_UNEXPECTED_EOF',
      `unexpected EOF at byte ${this.payloadLength}${this.context()}: ${detail} (announced at byte ${this.base + headerPos})`,
      this.errorContext(this.payloadLength),
    );
  }

  /** Decimal text of the last length read, exact even beyond 2^53. */
  lenText(n: number): string {
    return n > Number.MAX_SAFE_INTEGER && this.bigLen !== null ? this.bigLen.toString() : String(n);
  }

  /** Absolute offset of the last blob() data, or of its string header when it was decompressed. */
  blobAbs = 0;
  blobDecoded = false;

  /** A string holding an encoded structure (ziplist, listpack, intset ...): string() + its origin. */
  blob(): Buffer {
    const h = this.pos;
    const b = this.string();
    const off = b.byteOffset - this.buf.byteOffset;
    if (b.buffer === this.buf.buffer && off >= 0 && off + b.length <= this.end) {
      this.blobDecoded = false;
      this.blobAbs = this.base + off;
    } else {
      this.blobDecoded = true;
      this.blobAbs = this.base + h;
    }
    return b;
  }

  /** Rethrows a BlobFormatError raised while decoding the last blob() as a parse error. */
  failInBlob(e: unknown): never {
    if (e instanceof BlobFormatError) {
      if (this.blobDecoded) this.fail(e.code, `${e.message} (at +${e.at} in the decompressed blob)`, this.blobAbs);
      this.fail(e.code, e.message, this.blobAbs + e.at);
    }
    throw e;
  }

  /** Skips a string without decoding it (module values are kept as raw bytes). */
  skipString(): void {
    this.stringHeader();
    if (this.hdrKind === STR_INT) return;
    const n = this.hdrLen;
    if (n > this.end - this.pos) {
      this.checkHeld(n, this.hdrStart, 'string');
      this.more(n);
    }
    this.pos += n;
  }

  /** The 11xxxxxx string forms: integers and LZF. */
  private encodedString(): Buffer {
    const p = this.pos;
    const enc = (this.buf[p] as number) & 0x3f;
    switch (enc) {
      case RDB_ENC_INT8:
        if (p + 2 > this.end) this.more(2);
        this.pos = p + 2;
        return intToDecimal(this.buf.readInt8(p + 1));
      case RDB_ENC_INT16:
        if (p + 3 > this.end) this.more(3);
        this.pos = p + 3;
        return intToDecimal(this.buf.readInt16LE(p + 1));
      case RDB_ENC_INT32:
        if (p + 5 > this.end) this.more(5);
        this.pos = p + 5;
        return intToDecimal(this.buf.readInt32LE(p + 1));
      case RDB_ENC_LZF: {
        this.stringHeader();
        const clen = this.hdrLen;
        const raw = this.hdrRaw;
        const q = this.pos;
        if (clen > this.end - q) {
          this.checkHeld(clen, p, 'LZF string');
          this.inLzf = true;
          this.moreAt(q, clen);
        }
        if (raw > this.maxHeldBytes) this.checkHeld(raw, p, 'LZF string');
        this.pos = q + clen;
        return this.lzf(q, q + clen, raw);
      }
      default:
        return this.fail('RDB_BAD_STRING_ENCODING', `unknown string encoding ${enc}`, this.base + p);
    }
  }

  /** Decompresses buf[start, end) whole, mapping format errors to parse errors. */
  lzf(start: number, end: number, raw: number): Buffer {
    try {
      return lzfDecompress(this.buf, start, end, raw);
    } catch (e) {
      if (e instanceof BlobFormatError) this.fail(e.code, e.message, this.base + start + e.at);
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Errors

  /** Throws an RdbParseError at absolute offset `at`, naming what was being read. */
  fail(code: RdbErrorCode, message: string, at: number): never {
    throw new RdbParseError(code, `${message} at byte ${at}${this.context()}`, this.errorContext(at));
  }

  errorContext(at: number): { rdbOffset: number; db?: number; key?: Buffer } {
    const ctx: { rdbOffset: number; db?: number; key?: Buffer } = { rdbOffset: at };
    if (this.db >= 0) ctx.db = this.db;
    if (this.key !== null && this.what === W_VALUE) ctx.key = this.key;
    return ctx;
  }

  /** " while reading <what>" for the current step. */
  context(): string {
    const db = this.db >= 0 ? this.db : 0;
    switch (this.what) {
      case W_HEADER:
        return ' while reading the 9-byte header (magic and version)';
      case W_RECORD:
        return ' while reading a record type byte';
      case W_AUX_KEY:
        return ' while reading the key of an AUX field';
      case W_AUX_VALUE:
        return ` while reading the value of AUX field ${this.auxKey ? describeKey(this.auxKey) : ''}`;
      case W_SELECTDB:
        return ' while reading the database number of a SELECTDB record';
      case W_RESIZEDB:
        return ' while reading a RESIZEDB record';
      case W_EXPIRE:
        return ' inside the 4-byte expire time of an EXPIRETIME record';
      case W_EXPIRE_MS:
        return ' inside the 8-byte expire time of an EXPIRETIME_MS record';
      case W_IDLE:
        return ' while reading the idle time of an IDLE record';
      case W_FREQ:
        return ' while reading the LFU counter of a FREQ record';
      case W_KEY:
        return ` while reading a key (db ${db})`;
      case W_VALUE: {
        const lzf = this.inLzf ? 'an LZF-compressed string in ' : '';
        return ` while reading ${lzf}the value of key ${this.key ? describeKey(this.key) : '?'} (db ${db})`;
      }
      case W_FUNCTION:
        return ' while reading a FUNCTION record';
      case W_MODULE_AUX:
        return ' while reading a MODULE_AUX record';
      case W_SLOT_INFO:
        return ' while reading a SLOT_INFO record';
      case W_KEY_META:
        return ' while reading a KEY_META record';
      case W_SLOT_IMPORT:
        return ' while reading a SLOT_IMPORT record';
      case W_CHECKSUM:
        return ' while reading the 8-byte CRC-64 checksum after the EOF opcode';
      default:
        return '';
    }
  }
}
