// Push-fed, synchronous, resumable decoder of a RESP2 command stream: the replication link after the
// snapshot, and AOF files. It knows no Redis semantics; it turns bytes into argument vectors and says
// exactly which stream bytes each one covers (the replication offset is a byte count).
//
// Byte layout (Redis networking.c processMultibulkBuffer; aof.c loadSingleAppendOnlyFile):
//   command    = "*" <argc> CRLF  argc × ( "$" <len> CRLF  <len bytes>  CRLF )
//   annotation = "#" <text> CRLF                     only with `annotations` (AOF "#TS:<unix seconds>")
// argc <= 0 ("*0", "*-1") is an empty command: Redis consumes it and runs nothing; it is reported with no
// arguments so its bytes are accounted for. Unlike Redis, the CRLF after a bulk is checked: a desynced
// stream fails at once instead of being parsed as garbage.
//
// Zero copy: an argument that lies inside one fed chunk is a `subarray` view of it (so never mutate a
// chunk after feeding it). An argument spread over several chunks is kept as a list of views and copied
// once, when its last byte arrives. Nothing is allocated from a length the input claims.
import { RespProtocolError, hexExcerpt, type RespErrorCode } from './errors.js';

/** Receives decoded items in stream order. `start`/`end`: stream positions of the item's first byte
 *  and of the byte after its final CRLF. */
export interface RespCommandSink {
  onCommand(args: Buffer[], start: number, end: number): void;
  /** AOF annotation: the text after '#', without the line end. */
  onAnnotation?(text: Buffer, start: number, end: number): void;
}

export interface RespCommandDecoderOptions {
  /** Stream position of the first byte fed (e.g. the +FULLRESYNC offset). Default 0. */
  position?: number;
  /** Largest bulk accepted (Redis proto-max-bulk-len). Default 512 MiB. */
  maxBulkLength?: number;
  /** Largest argc accepted. Default 2^31 - 1 (Redis INT_MAX); nothing is preallocated from it. */
  maxArrayLength?: number;
  /** Accept '#...' annotation lines between commands (AOF). Default false. */
  annotations?: boolean;
  /** Longest annotation line. Default 64 KiB (Redis PROTO_INLINE_MAX_SIZE). */
  maxLineLength?: number;
}

export const DEFAULT_MAX_BULK_LENGTH = 512 * 1024 * 1024;
export const DEFAULT_MAX_ARRAY_LENGTH = 2 ** 31 - 1;
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

const STAR = 0x2a;
const DOLLAR = 0x24;
const HASH = 0x23;
const MINUS = 0x2d;
const CR = 0x0d;
const LF = 0x0a;
/** 15 decimal digits stay exact in a double and exceed every configurable limit. */
const MAX_DIGITS = 15;

// Decoder states.
const S_CMD = 0; // expecting '*' (or '#')
const S_ARGC = 1; // digits of argc
const S_ARGC_LF = 2;
const S_BULK = 3; // expecting '$'
const S_LEN = 4; // digits of a bulk length
const S_LEN_LF = 5;
const S_BODY = 6; // bulk body spread over chunks
const S_BODY_CR = 7;
const S_BODY_LF = 8;
const S_ANNOT = 9; // annotation text up to LF
const S_FAILED = 10;

export class RespCommandDecoder {
  private readonly sink: RespCommandSink;
  private readonly maxBulk: number;
  private readonly maxArray: number;
  private readonly maxLine: number;
  private readonly annotations: boolean;

  private pos: number;
  private state = S_CMD;
  private num = 0;
  private digits = 0;
  private neg = false;
  private argc = 0;
  private args: Buffer[] = [];
  private itemStart = 0;
  private bulkLen = 0;
  private remaining = 0;
  private parts: Buffer[] = [];
  /** A big bulk spanning chunks is copied straight into its final buffer (one copy, no chunk kept). */
  private bulkBuf: Buffer | null = null;
  private bulkPos = 0;
  private failure: unknown = null;

  constructor(sink: RespCommandSink, options: RespCommandDecoderOptions = {}) {
    this.sink = sink;
    this.pos = options.position ?? 0;
    this.itemStart = this.pos;
    this.maxBulk = options.maxBulkLength ?? DEFAULT_MAX_BULK_LENGTH;
    this.maxArray = options.maxArrayLength ?? DEFAULT_MAX_ARRAY_LENGTH;
    this.maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    this.annotations = options.annotations ?? false;
  }

  /** Stream position of the next byte to be fed. */
  get position(): number {
    return this.pos;
  }

  /** Stream position just after the last complete item: where a partial item (if any) starts. */
  get boundary(): number {
    return this.state === S_CMD ? this.pos : this.itemStart;
  }

  /** True when no partial item is buffered. */
  get idle(): boolean {
    return this.state === S_CMD;
  }

  /** Forget any partial item (and a failure) and continue at `position` (e.g. after a reconnect). */
  reset(position: number = this.boundary): void {
    this.pos = position;
    this.itemStart = position;
    this.state = S_CMD;
    this.args = [];
    this.parts = [];
    this.bulkBuf = null;
    this.failure = null;
  }

  /** Declares the end of the input: throws RESP_TRUNCATED when it ends inside an item. */
  end(): void {
    if (this.state === S_FAILED) throw this.failure;
    if (this.state !== S_CMD) {
      throw new RespProtocolError(
        'RESP_TRUNCATED',
        `input ends inside the ${this.state === S_ANNOT ? 'annotation' : 'command'} that starts at offset ${this.itemStart} ` +
          `(${this.pos - this.itemStart} bytes of it received); the last complete item ends at ${this.itemStart}`,
        this.itemStart,
      );
    }
  }

  feed(chunk: Buffer): void {
    if (this.state === S_FAILED) throw this.failure;
    const n = chunk.length;
    const base = this.pos;
    let i = 0;
    // Hot state lives in locals and is written back once per chunk.
    let state = this.state;
    let num = this.num;
    let digits = this.digits;
    let args = this.args;
    let argc = this.argc;
    try {
      while (i < n) {
        switch (state) {
          case S_CMD: {
            const c = chunk[i];
            this.itemStart = base + i;
            i++;
            if (c === STAR) {
              num = 0;
              digits = 0;
              this.neg = false;
              state = S_ARGC;
            } else if (c === HASH && this.annotations) {
              this.parts = [];
              this.remaining = 0;
              state = S_ANNOT;
            } else {
              throw this.error('RESP_UNEXPECTED_BYTE', `expected '*'${this.annotations ? " or '#'" : ''} at the start of a command`, chunk, i - 1, base);
            }
            break;
          }
          case S_ARGC:
          case S_LEN: {
            while (i < n) {
              const c = chunk[i++];
              if (c >= 0x30 && c <= 0x39) {
                num = num * 10 + (c - 0x30);
                if (++digits > MAX_DIGITS) throw this.error('RESP_BAD_LENGTH', 'length has too many digits', chunk, i - 1, base);
              } else if (c === CR && digits > 0) {
                state = state === S_ARGC ? S_ARGC_LF : S_LEN_LF;
                break;
              } else if (c === MINUS && digits === 0 && state === S_ARGC && !this.neg) {
                this.neg = true;
              } else {
                throw this.error('RESP_BAD_LENGTH', `bad ${state === S_ARGC ? 'array' : 'bulk'} length`, chunk, i - 1, base);
              }
            }
            break;
          }
          case S_ARGC_LF: {
            if (chunk[i] !== LF) throw this.error('RESP_MISSING_CRLF', "'\\n' expected after '\\r'", chunk, i, base);
            i++;
            if (this.neg || num === 0) {
              state = S_CMD;
              this.sink.onCommand([], this.itemStart, base + i);
              break;
            }
            if (num > this.maxArray) {
              throw this.error('RESP_ARRAY_TOO_LARGE', `array of ${num} elements exceeds the limit ${this.maxArray}`, chunk, i, base);
            }
            argc = num;
            args = [];
            state = S_BULK;
            break;
          }
          case S_BULK: {
            if (chunk[i] !== DOLLAR) throw this.error('RESP_UNEXPECTED_BYTE', "expected '$' (bulk string) inside a command", chunk, i, base);
            i++;
            num = 0;
            digits = 0;
            state = S_LEN;
            break;
          }
          case S_LEN_LF: {
            if (chunk[i] !== LF) throw this.error('RESP_MISSING_CRLF', "'\\n' expected after '\\r'", chunk, i, base);
            i++;
            if (num > this.maxBulk) {
              throw this.error('RESP_BULK_TOO_LARGE', `bulk of ${num} bytes exceeds the limit ${this.maxBulk} (proto-max-bulk-len)`, chunk, i, base);
            }
            const avail = n - i;
            if (avail >= num + 2) {
              // Fast path: the whole bulk and its CRLF are in this chunk.
              const e = i + num;
              if (chunk[e] !== CR || chunk[e + 1] !== LF) {
                const at = chunk[e] !== CR ? e : e + 1;
                throw this.error('RESP_MISSING_CRLF', `bulk of ${num} bytes not followed by CRLF`, chunk, at, base);
              }
              args.push(chunk.subarray(i, e));
              i = e + 2;
              if (args.length === argc) {
                state = S_CMD;
                this.sink.onCommand(args, this.itemStart, base + i);
              } else {
                state = S_BULK;
              }
            } else if (avail >= num) {
              args.push(chunk.subarray(i, i + num));
              i += num;
              state = S_BODY_CR;
            } else {
              this.bulkLen = num;
              this.remaining = num - avail;
              if (num >= BIG_BULK) {
                // num is already bounded by maxBulkLength (proto-max-bulk-len).
                this.bulkBuf = Buffer.allocUnsafe(num);
                this.bulkPos = chunk.copy(this.bulkBuf, 0, i);
              } else {
                this.parts = [chunk.subarray(i)];
              }
              i = n;
              state = S_BODY;
            }
            break;
          }
          case S_BODY: {
            const avail = n - i;
            const take = avail < this.remaining ? avail : this.remaining;
            const big = this.bulkBuf;
            if (big) this.bulkPos += chunk.copy(big, this.bulkPos, i, i + take);
            else this.parts.push(chunk.subarray(i, i + take));
            i += take;
            this.remaining -= take;
            if (this.remaining > 0) break;
            args.push(big ?? joinParts(this.parts, this.bulkLen));
            this.parts = [];
            this.bulkBuf = null;
            state = S_BODY_CR;
            break;
          }
          case S_BODY_CR: {
            if (chunk[i] !== CR) throw this.error('RESP_MISSING_CRLF', 'bulk not followed by CRLF', chunk, i, base);
            i++;
            state = S_BODY_LF;
            break;
          }
          case S_BODY_LF: {
            if (chunk[i] !== LF) throw this.error('RESP_MISSING_CRLF', 'bulk not followed by CRLF', chunk, i, base);
            i++;
            if (args.length === argc) {
              state = S_CMD;
              this.sink.onCommand(args, this.itemStart, base + i);
            } else {
              state = S_BULK;
            }
            break;
          }
          case S_ANNOT: {
            const lf = chunk.indexOf(LF, i);
            const stop = lf < 0 ? n : lf;
            this.remaining += stop - i;
            if (this.remaining > this.maxLine) {
              throw this.error('RESP_LINE_TOO_LONG', `annotation line longer than ${this.maxLine} bytes`, chunk, i, base);
            }
            this.parts.push(chunk.subarray(i, stop));
            if (lf < 0) {
              i = n;
              break;
            }
            i = lf + 1;
            let text = this.parts.length === 1 ? this.parts[0] : joinParts(this.parts, this.remaining);
            if (text.length > 0 && text[text.length - 1] === CR) text = text.subarray(0, text.length - 1);
            this.parts = [];
            state = S_CMD;
            if (this.sink.onAnnotation) this.sink.onAnnotation(text, this.itemStart, base + i);
            break;
          }
          default:
            throw new Error(`RespCommandDecoder: bad state ${state}`);
        }
      }
    } catch (err) {
      // Malformed input, or the sink threw: the decoder stays failed until reset().
      this.failure = err;
      this.state = S_FAILED;
      this.pos = base + n;
      throw err;
    }
    this.pos = base + n;
    this.state = state;
    this.num = num;
    this.digits = digits;
    this.args = args;
    this.argc = argc;
  }

  private error(code: RespErrorCode, what: string, chunk: Buffer, at: number, base: number): RespProtocolError {
    const offset = base + at;
    return new RespProtocolError(
      code,
      `${what} at stream offset ${offset} (command starting at ${this.itemStart}); bytes there: ${hexExcerpt(chunk, at)}`,
      offset,
    );
  }
}

/** Bulks at least this big that span chunks are copied into their own buffer as they arrive. */
const BIG_BULK = 256 * 1024;

/** Copies the views of a value received in several chunks into one Buffer, once. */
function joinParts(parts: Buffer[], length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  for (const p of parts) {
    p.copy(out, o);
    o += p.length;
  }
  return out;
}
