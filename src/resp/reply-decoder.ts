// Pull-style decoder of RESP2 replies, for the replica handshake (PING, AUTH, REPLCONF, PSYNC replies).
// Handshake replies are small and come one at a time, so this favours a simple API over speed:
// push() bytes, call next() until it returns undefined, and takeRemainder() the bytes that follow the
// reply you stopped at (the RDB transfer follows +FULLRESYNC directly, the command stream +CONTINUE).
//
// Byte layout (RESP2, https://redis.io/docs/latest/develop/reference/protocol-spec/):
//   "+" <text> CRLF | "-" <text> CRLF | ":" <int> CRLF | "$" <len> CRLF <bytes> CRLF | "$-1" CRLF
//   | "*" <n> CRLF <n replies> | "*-1" CRLF
// A bare "\n" (or "\r\n") where a reply starts is the master's keepalive while it prepares the snapshot
// (replication.c replicationCron, "pre-synchronization stage"): skipped and counted.
// A parse is retried only once enough bytes arrived for the part that was missing, so a large bulk
// arriving in many chunks is scanned and concatenated once.
import { DEFAULT_MAX_ARRAY_LENGTH, DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_LINE_LENGTH } from './command-decoder.js';
import { RespProtocolError, hexExcerpt, type RespErrorCode } from './errors.js';

export type RespReply =
  | { type: 'simple'; value: string }
  | { type: 'error'; value: string }
  | { type: 'integer'; value: number }
  | { type: 'bulk'; value: Buffer | null }
  | { type: 'array'; value: RespReply[] | null };

export interface RespReplyDecoderOptions {
  /** Stream position of the first byte pushed. Default 0. */
  position?: number;
  maxBulkLength?: number;
  maxArrayLength?: number;
  /** Longest simple string / error / integer line. Default 64 KiB. */
  maxLineLength?: number;
  /** Deepest array nesting. Default 32. */
  maxDepth?: number;
}

const CR = 0x0d;
const LF = 0x0a;
const INCOMPLETE = -1;

export class RespReplyDecoder {
  private readonly maxBulk: number;
  private readonly maxArray: number;
  private readonly maxLine: number;
  private readonly maxDepth: number;
  private chunks: Buffer[] = [];
  private total = 0;
  /** Do not retry a parse before this many bytes are buffered. */
  private need = 1;
  private pos: number;
  private skipped = 0;
  private value: RespReply | null = null;

  constructor(options: RespReplyDecoderOptions = {}) {
    this.pos = options.position ?? 0;
    this.maxBulk = options.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH;
    this.maxArray = options.maxArrayLength ?? DEFAULT_MAX_ARRAY_LENGTH;
    this.maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.maxDepth = options.maxDepth ?? 32;
  }

  /** Stream position of the first byte not yet returned as (part of) a reply. */
  get position(): number {
    return this.pos;
  }

  /** Bytes pushed but not yet consumed. */
  get buffered(): number {
    return this.total;
  }

  /** Keepalive newlines skipped so far. */
  get keepalives(): number {
    return this.skipped;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next complete reply, or undefined when more bytes are needed. Throws RespProtocolError. */
  next(): RespReply | undefined {
    this.skipKeepalives();
    if (this.total < this.need || this.total === 0) return undefined;
    const buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    this.chunks = [buf];
    const end = this.parse(buf, 0, 0);
    if (end === INCOMPLETE) return undefined;
    const reply = this.value as RespReply;
    this.value = null;
    this.consume(buf, end);
    this.need = 1;
    return reply;
  }

  /** Hands back every byte not consumed by next() and empties the decoder (its position moves past them). */
  takeRemainder(): Buffer {
    const rest = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    this.pos += this.total;
    this.chunks = [];
    this.total = 0;
    this.need = 1;
    return rest;
  }

  private skipKeepalives(): void {
    while (this.total > 0) {
      const first = this.chunks[0];
      const c = first[0];
      if (c === LF) {
        this.consume(first, 1);
      } else if (c === CR) {
        // "\r\n" counts as one keepalive; a lone "\r" must wait for its "\n".
        if (this.total < 2) return;
        const second = first.length > 1 ? first[1] : this.chunks[1][0];
        if (second !== LF) return; // not a keepalive: parse() reports it
        if (first.length > 1) this.consume(first, 2);
        else {
          this.consume(first, 1);
          this.consume(this.chunks[0], 1);
        }
      } else {
        return;
      }
      this.skipped++;
      this.need = 1;
    }
  }

  /** Drops `n` bytes from the front of chunks[0] (n <= its length). */
  private consume(first: Buffer, n: number): void {
    if (n === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.total -= n;
    this.pos += n;
  }

  /** Parses one reply at buf[i]; returns the index after it, or INCOMPLETE (and sets `need`). */
  private parse(buf: Buffer, i: number, depth: number): number {
    if (i >= buf.length) return this.incomplete(i + 1);
    const type = buf[i];
    const lineEnd = buf.indexOf(CR, i + 1);
    if (lineEnd < 0 || lineEnd + 1 >= buf.length) {
      if (buf.length - i > this.maxLine) throw this.error('RESP_LINE_TOO_LONG', `reply line longer than ${this.maxLine} bytes`, buf, i);
      return this.incomplete(buf.length + 1);
    }
    if (lineEnd - i > this.maxLine) throw this.error('RESP_LINE_TOO_LONG', `reply line longer than ${this.maxLine} bytes`, buf, i);
    if (buf[lineEnd + 1] !== LF) throw this.error('RESP_MISSING_CRLF', "'\\n' expected after '\\r'", buf, lineEnd + 1);
    const next = lineEnd + 2;
    switch (type) {
      case 0x2b: // '+'
        this.value = { type: 'simple', value: buf.toString('latin1', i + 1, lineEnd) };
        return next;
      case 0x2d: // '-'
        this.value = { type: 'error', value: buf.toString('latin1', i + 1, lineEnd) };
        return next;
      case 0x3a: // ':'
        this.value = { type: 'integer', value: this.integer(buf, i + 1, lineEnd, 'integer') };
        return next;
      case 0x24: {
        // '$'
        const len = this.integer(buf, i + 1, lineEnd, 'bulk length');
        if (len < 0) {
          this.value = { type: 'bulk', value: null };
          return next;
        }
        if (len > this.maxBulk) throw this.error('RESP_BULK_TOO_LARGE', `bulk of ${len} bytes exceeds the limit ${this.maxBulk}`, buf, i);
        if (buf.length < next + len + 2) return this.incomplete(next + len + 2);
        if (buf[next + len] !== CR || buf[next + len + 1] !== LF) {
          throw this.error('RESP_MISSING_CRLF', `bulk of ${len} bytes not followed by CRLF`, buf, next + len);
        }
        this.value = { type: 'bulk', value: buf.subarray(next, next + len) };
        return next + len + 2;
      }
      case 0x2a: {
        // '*'
        const n = this.integer(buf, i + 1, lineEnd, 'array length');
        if (n < 0) {
          this.value = { type: 'array', value: null };
          return next;
        }
        if (n > this.maxArray) throw this.error('RESP_ARRAY_TOO_LARGE', `array of ${n} elements exceeds the limit ${this.maxArray}`, buf, i);
        if (depth >= this.maxDepth) throw this.error('RESP_NESTING_TOO_DEEP', `arrays nested deeper than ${this.maxDepth}`, buf, i);
        const items: RespReply[] = [];
        let at = next;
        for (let k = 0; k < n; k++) {
          at = this.parse(buf, at, depth + 1);
          if (at === INCOMPLETE) return INCOMPLETE;
          items.push(this.value as RespReply);
        }
        this.value = { type: 'array', value: items };
        return at;
      }
      default:
        throw this.error('RESP_UNEXPECTED_BYTE', "expected a reply type byte ('+', '-', ':', '$' or '*')", buf, i);
    }
  }

  private incomplete(need: number): number {
    this.need = need;
    return INCOMPLETE;
  }

  /** Decimal integer in buf[from, to): optional '-', at most 15 digits. */
  private integer(buf: Buffer, from: number, to: number, what: string): number {
    let neg = false;
    let k = from;
    if (buf[k] === 0x2d) {
      neg = true;
      k++;
    }
    if (k === to || to - k > 15) throw this.error('RESP_BAD_LENGTH', `bad ${what}`, buf, from);
    let v = 0;
    for (; k < to; k++) {
      const c = buf[k];
      if (c < 0x30 || c > 0x39) throw this.error('RESP_BAD_LENGTH', `bad ${what}`, buf, from);
      v = v * 10 + (c - 0x30);
    }
    return neg ? -v : v;
  }

  private error(code: RespErrorCode, what: string, buf: Buffer, at: number): RespProtocolError {
    const offset = this.pos + at;
    return new RespProtocolError(code, `${what} at stream offset ${offset}; bytes there: ${hexExcerpt(buf, at)}`, offset);
  }
}
