// Streaming RDB parser: RDB bytes, pushed in chunks of any size, become snapshot events.
//
// File layout (rdbSaveRio / rdbLoadRioWithLoadingCtx): "REDIS" + 4 digits (versions 1..13) or
// "VALKEY" + 3 digits (80..81), then records, each introduced by one byte: an opcode (0xF2..0xFF:
// AUX, SELECTDB, RESIZEDB, EXPIRETIME[_MS], IDLE, FREQ, KEY_META / SLOT_IMPORT, SLOT_INFO, FUNCTION2,
// FUNCTION_PRE_GA, MODULE_AUX, EOF) or a value type (0..26) followed by the key and the value.
// After EOF, RDB >= 5 stores the CRC-64 of everything before it (0 = not computed).
//
// The parser is synchronous and push-fed; see cursor.ts for how input is buffered and resumed, and
// key-emitter.ts for how big values are split into chunk events. Events of one feed() are handed to
// onEvents in batches (at most maxBatchEvents per call), never one call per key.
//
// Memory: a top-level string of any size streams through in chunks (LZF included); a collection is
// read one element or one encoded node at a time. What is held whole is one unit: a key name, one
// collection element (e.g. a 100 MB PLAIN quicklist node), one ziplist/listpack/intset/zipmap blob,
// one stream node, one module value, one AUX/function record (limit: maxElementBytes).
//
// Behaviour choices (they follow what Redis does when loading, except where noted):
// - Empty collections are skipped (RDB_LOAD_ERR_EMPTY_KEY): no event. Empty streams are keys.
// - Keys already expired are emitted with their expireMs: a CDC tool reports the file, not the clock.
// - Duplicate keys (Redis refuses the file) are emitted both, in file order.
// - Bytes after the checksum are not parsed: remainder() returns them.
// - NaN zset scores are an error, like Redis. SELECTDB accepts any db number up to 2^53.
// - The checksum is verified at EOF, after the events of the file were emitted: a mismatch throws
//   RDB_BAD_CHECKSUM instead of emitting snapshot-end, which is the event that commits a snapshot.
import { constants as bufferConstants } from 'node:buffer';
import type {
  AuxEvent,
  ChecksumStatus,
  FunctionEvent,
  KeyMetaClass,
  KeyValueEvent,
  SnapshotBeginEvent,
  SnapshotEndEvent,
  SnapshotEvent,
  SnapshotReason,
} from '../events/types.js';
import {
  MAX_REDIS_RDB_VERSION,
  MAX_VALKEY_RDB_VERSION,
  MIN_VALKEY_RDB_VERSION,
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION2,
  RDB_OPCODE_FUNCTION_PRE_GA,
  RDB_OPCODE_IDLE,
  RDB_OPCODE_KEY_META,
  RDB_OPCODE_MODULE_AUX,
  RDB_OPCODE_RAM_LRU,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RDB_OPCODE_SLOT_INFO,
  RDB_OPCODE_SLOT_NUM,
  RDB_OPCODE_UPDATE,
  RDB_TYPE_MODULE_PRE_GA,
  RDB_TYPE_PATH_HASH,
  type RdbFamily,
  typeName,
  valueTypeOf,
} from './constants.js';
import { Crc64, crcFileHex } from './crc64.js';
import {
  NEED_MORE,
  RdbCursor,
  STR_INT,
  STR_PLAIN,
  W_AUX_KEY,
  W_AUX_VALUE,
  W_CHECKSUM,
  W_EXPIRE,
  W_EXPIRE_MS,
  W_FREQ,
  W_FUNCTION,
  W_HEADER,
  W_IDLE,
  W_KEY,
  W_KEY_META,
  W_MODULE_AUX,
  W_RECORD,
  W_RESIZEDB,
  W_SELECTDB,
  W_SLOT_IMPORT,
  W_SLOT_INFO,
  W_VALUE,
} from './cursor.js';
import { RdbParseError } from './errors.js';
import type { EventSink } from './chunked-emitter.js';
import { KeyEmitter, type KeyAttrs } from './key-emitter.js';
import { StreamEmitter } from './stream-emitter.js';
import { BigStringDecoder } from './values/big-string.js';
import { BlobDecoder } from './values/blobs.js';
import { ElementDecoder } from './values/elements.js';
import { ModuleDecoder, walkAnnotated } from './values/module.js';
import { QuicklistDecoder } from './values/quicklist.js';
import { StreamDecoder } from './values/stream.js';
import type { DecodeContext, ValueDecoder } from './values/value-decoder.js';

export interface RdbParserOptions {
  /** Collections with more elements come as key-chunk events (default 1024). */
  maxChunkElements?: number;
  /** Strings larger than this come as key-chunk events of at most this size; collections are also
   *  cut when their elements pass this many bytes (default 1 MiB). */
  maxChunkBytes?: number;
  /** Verify the CRC-64 at EOF (default true): a mismatch throws RDB_BAD_CHECKSUM. */
  verifyChecksum?: boolean;
  /** Stamped on every event (default '' and 0). */
  replid?: string;
  offset?: number;
  /** For snapshot-begin (default 'file'). */
  reason?: SnapshotReason;
  previous?: { replid: string; offset: number };
  /** Size of the RDB payload when known in advance (file size, `$<len>` transfer): lengths that
   *  cannot fit fail at once with RDB_BAD_LENGTH instead of waiting for input that never comes. */
  payloadLength?: number;
  /** Largest single string held whole: a key, a collection element, an encoded node, a module value
   *  (default: the largest Buffer Node can allocate). Top-level strings are streamed, never held. */
  maxElementBytes?: number;
  /** Most events per onEvents call (default 1024). */
  maxBatchEvents?: number;
}

const S_HEADER = 0;
const S_RECORDS = 1;
const S_VALUE = 2;
const S_CHECKSUM = 3;
const S_DONE = 4;

// What ends a value: the key emitter, the stream emitter, or the decoder itself.
const END_KEYS = 0;
const END_STREAM = 1;
const END_SELF = 2;

const MAX_BATCH_BYTES = 8 * 1024 * 1024;
const MAX_DB = 2n ** 53n;

export class RdbParser {
  private readonly cur: RdbCursor;
  private readonly ctx: DecodeContext;
  private readonly keysOut: KeyEmitter;
  private readonly streamsOut: StreamEmitter;
  private readonly elements: ElementDecoder;
  private readonly blobs: BlobDecoder;
  private readonly quicklists: QuicklistDecoder;
  private readonly streams: StreamDecoder;
  private readonly modules: ModuleDecoder;
  private readonly bigStrings: BigStringDecoder;
  private readonly replid: string;
  private readonly offset: number;
  private readonly maxChunkBytes: number;
  private readonly maxBatchEvents: number;
  private readonly verify: boolean;

  private state = S_HEADER;
  private decoder: ValueDecoder | null = null;
  private endKind = END_SELF;
  private family: RdbFamily = 'REDIS';
  private version = 0;
  private seenSelectDb = false;
  private keyCount = 0;

  // Attributes set by the opcodes before a key (cleared after each key, like Redis).
  private kStart = -1;
  private kExpire: number | undefined = undefined;
  private kIdle: number | undefined = undefined;
  private kFreq: number | undefined = undefined;
  private kMeta: KeyMetaClass[] | undefined = undefined;

  private batch: SnapshotEvent[] = [];
  private batchBytes = 0;
  private readonly sink: EventSink;
  private readonly crc = new Crc64();
  private crcAbs = 0;
  private crcClosed = false;
  private eofOffset = 0;
  private checksum: ChecksumStatus = 'absent';
  private checksumHex: string | undefined = undefined;

  private isDone = false;
  private failure: unknown = null;
  private running = false;
  private readonly tail: Buffer[] = [];

  constructor(
    private readonly onEvents: (events: SnapshotEvent[]) => void,
    private readonly options: RdbParserOptions = {},
  ) {
    const maxChunkElements = positiveInt(options.maxChunkElements, 1024, 'maxChunkElements');
    this.maxChunkBytes = positiveInt(options.maxChunkBytes, 1024 * 1024, 'maxChunkBytes');
    this.maxBatchEvents = positiveInt(options.maxBatchEvents, 1024, 'maxBatchEvents');
    const maxHeld = positiveInt(options.maxElementBytes, bufferConstants.MAX_LENGTH, 'maxElementBytes');
    this.verify = options.verifyChecksum ?? true;
    this.replid = options.replid ?? '';
    this.offset = options.offset ?? 0;
    this.cur = new RdbCursor(maxHeld, options.payloadLength ?? -1);
    this.sink = { emit: (ev, bytes) => this.emit(ev, bytes) };
    this.keysOut = new KeyEmitter(this.sink, this.replid, this.offset, maxChunkElements, this.maxChunkBytes);
    this.streamsOut = new StreamEmitter(this.sink, this.replid, this.offset, maxChunkElements, this.maxChunkBytes);
    this.ctx = {
      cur: this.cur,
      keys: this.keysOut,
      streams: this.streamsOut,
      sink: this.sink,
      replid: this.replid,
      offset: this.offset,
      maxChunkBytes: this.maxChunkBytes,
      family: 'REDIS',
    };
    this.elements = new ElementDecoder(this.ctx);
    this.blobs = new BlobDecoder(this.ctx);
    this.quicklists = new QuicklistDecoder(this.ctx);
    this.streams = new StreamDecoder(this.ctx);
    this.modules = new ModuleDecoder(this.ctx);
    this.bigStrings = new BigStringDecoder(this.ctx);
  }

  /** EOF opcode (and the checksum for RDB >= 5) consumed. */
  get done(): boolean {
    return this.isDone;
  }

  /** RDB bytes consumed so far (the whole payload once done). */
  get position(): number {
    return this.cur.base + this.cur.mark;
  }

  /** Keys emitted so far (a chunked key counts once). */
  get keys(): number {
    return this.keyCount;
  }

  /** Bytes fed after the end of the RDB (command stream, EOF mark, garbage). */
  remainder(): Buffer {
    if (!this.isDone) return Buffer.alloc(0);
    if (this.tail.length > 1) {
      const all = Buffer.concat(this.tail);
      this.tail.length = 0;
      this.tail.push(all);
    }
    return this.tail[0] ?? Buffer.alloc(0);
  }

  /** Pushes input. Synchronous; may call onEvents several times; throws RdbParseError. The parser
   *  keeps views into `chunk`: the caller must not modify it afterwards. */
  feed(chunk: Buffer): void {
    if (this.running) throw this.stateError('feed() called from inside onEvents');
    if (this.failure !== null) throw this.failure;
    if (this.isDone) {
      if (chunk.length > 0) this.tail.push(chunk);
      return;
    }
    if (chunk.length === 0) return;
    if (this.state === S_HEADER) this.checkMagicPrefix(chunk);
    if (!this.cur.push(chunk)) return;
    this.run();
  }

  /** No more input: throws RDB_UNEXPECTED_EOF when the RDB is incomplete. */
  end(): void {
    if (this.running) throw this.stateError('end() called from inside onEvents');
    if (this.failure !== null) throw this.failure;
    if (this.isDone) return;
    const cur = this.cur;
    const at = cur.received;
    const empty = at === 0 ? ' (empty input)' : '';
    this.failure = new RdbParseError('RDB_UNEXPECTED_EOF', `unexpected EOF at byte ${at}${empty}${cur.context()}`, cur.errorContext(at));
    throw this.failure;
  }

  // --------------------------------------------------------------------------------------------

  private run(): void {
    const cur = this.cur;
    this.running = true;
    cur.inLzf = false;
    let thrown: unknown = null;
    try {
      for (;;) {
        const s = this.state;
        if (s === S_RECORDS) this.records();
        else if (s === S_VALUE) {
          if ((this.decoder as ValueDecoder).step()) this.endValue();
        } else if (s === S_HEADER) this.header();
        else if (s === S_CHECKSUM) this.readChecksum();
        else break;
      }
      this.finish();
    } catch (e) {
      if (e === NEED_MORE) cur.pos = cur.mark;
      else thrown = e;
    }
    if (thrown !== null) this.failure = thrown;
    try {
      this.updateCrc();
      this.flush();
    } finally {
      this.running = false;
    }
    if (thrown !== null) throw thrown;
  }

  private header(): void {
    const cur = this.cur;
    cur.what = W_HEADER;
    const h = cur.bytes(9);
    let digitsAt: number;
    if (h.toString('latin1', 0, 5) === 'REDIS') {
      this.family = 'REDIS';
      digitsAt = 5;
    } else if (h.toString('latin1', 0, 6) === 'VALKEY') {
      this.family = 'VALKEY';
      digitsAt = 6;
    } else {
      return cur.fail('RDB_BAD_MAGIC', `bad magic ${JSON.stringify(h.toString('latin1'))}: expected "REDIS" + 4 digits or "VALKEY" + 3 digits`, 0);
    }
    const digits = h.toString('latin1', digitsAt, 9);
    if (!/^[0-9]+$/.test(digits)) {
      cur.fail('RDB_BAD_VERSION', `bad version ${JSON.stringify(digits)}: expected decimal digits`, digitsAt);
    }
    const v = Number(digits);
    const ok = this.family === 'REDIS' ? v >= 1 && v <= MAX_REDIS_RDB_VERSION : v >= MIN_VALKEY_RDB_VERSION && v <= MAX_VALKEY_RDB_VERSION;
    if (!ok) {
      const supported = this.family === 'REDIS' ? `1..${MAX_REDIS_RDB_VERSION}` : `${MIN_VALKEY_RDB_VERSION}..${MAX_VALKEY_RDB_VERSION}`;
      cur.fail('RDB_UNSUPPORTED_VERSION', `unsupported RDB version ${v} (this parser reads ${this.family} versions ${supported})`, digitsAt);
    }
    this.version = v;
    this.ctx.family = this.family;
    cur.commit();
    const ev: SnapshotBeginEvent = {
      type: 'snapshot-begin', replid: this.replid, offset: this.offset, db: -1, rdbOffset: 0,
      reason: this.options.reason ?? 'file', magic: this.family, rdbVersion: v,
    };
    if (this.options.previous) ev.previous = { ...this.options.previous };
    this.emit(ev, 0);
    this.state = S_RECORDS;
  }

  /** Fails early on input that cannot be an RDB, without waiting for the 9 header bytes. */
  private checkMagicPrefix(chunk: Buffer): void {
    const have = Math.min(6, this.cur.received + chunk.length);
    const head = Buffer.concat([this.cur.unconsumed(), chunk.subarray(0, 6)]).subarray(0, have).toString('latin1');
    if (!'REDIS'.startsWith(head.slice(0, 5)) && !'VALKEY'.startsWith(head)) {
      const err = new RdbParseError('RDB_BAD_MAGIC', `bad magic ${JSON.stringify(head)}: expected "REDIS" + 4 digits or "VALKEY" + 3 digits at byte 0`, { rdbOffset: 0 });
      this.failure = err;
      throw err;
    }
  }

  /** Top-level records until a value needs its own steps, or EOF. */
  private records(): void {
    const cur = this.cur;
    for (;;) {
      cur.commit();
      cur.what = W_RECORD;
      const p = cur.pos;
      if (p >= cur.end) cur.more(1);
      const op = cur.buf[p] as number;
      if (op <= 26) {
        if (this.key(op, p)) return;
        continue;
      }
      const abs = cur.base + p;
      cur.pos = p + 1;
      switch (op) {
        case RDB_OPCODE_EXPIRETIME_MS:
          cur.what = W_EXPIRE_MS;
          this.kExpire = cur.i64le();
          this.keyPrefix(abs);
          break;
        case RDB_OPCODE_EXPIRETIME:
          cur.what = W_EXPIRE;
          this.kExpire = cur.i32le() * 1000;
          this.keyPrefix(abs);
          break;
        case RDB_OPCODE_SELECTDB: {
          cur.what = W_SELECTDB;
          const db = cur.lenBig();
          if (db > MAX_DB) cur.fail('RDB_BAD_LENGTH', `SELECTDB database number ${db} is beyond 2^53`, abs + 1);
          cur.db = Number(db);
          this.seenSelectDb = true;
          break;
        }
        case RDB_OPCODE_RESIZEDB:
          cur.what = W_RESIZEDB;
          cur.len();
          cur.len();
          break;
        case RDB_OPCODE_AUX: {
          cur.what = W_AUX_KEY;
          const key = cur.string();
          cur.auxKey = key;
          cur.what = W_AUX_VALUE;
          const value = cur.string();
          cur.commit();
          const ev: AuxEvent = { type: 'aux', replid: this.replid, offset: this.offset, db: -1, rdbOffset: abs, key, value, inBody: this.seenSelectDb };
          this.emit(ev, key.length + value.length);
          break;
        }
        case RDB_OPCODE_IDLE:
          cur.what = W_IDLE;
          this.kIdle = cur.len();
          this.keyPrefix(abs);
          break;
        case RDB_OPCODE_FREQ:
          cur.what = W_FREQ;
          this.kFreq = cur.u8();
          this.keyPrefix(abs);
          break;
        case RDB_OPCODE_FUNCTION2: {
          cur.what = W_FUNCTION;
          const code = cur.string();
          cur.commit();
          const ev: FunctionEvent = { type: 'function', replid: this.replid, offset: this.offset, db: -1, rdbOffset: abs, code };
          this.emit(ev, code.length);
          break;
        }
        case RDB_OPCODE_FUNCTION_PRE_GA: {
          // 7.0-rc1/rc2 (rdbFunctionLoad): string name, string engine, len has_desc, [string desc], string code
          cur.what = W_FUNCTION;
          const name = cur.string();
          const engine = cur.string();
          const description = cur.len() !== 0 ? cur.string() : null;
          const code = cur.string();
          cur.commit();
          const ev: FunctionEvent = {
            type: 'function', replid: this.replid, offset: this.offset, db: -1, rdbOffset: abs, code, preGa: { name, engine, description },
          };
          this.emit(ev, code.length);
          break;
        }
        case RDB_OPCODE_MODULE_AUX:
          cur.what = W_MODULE_AUX;
          this.modules.readAuxHeader();
          cur.commit();
          this.modules.startAux(abs);
          this.startValue(this.modules, END_SELF);
          return;
        case RDB_OPCODE_SLOT_INFO:
          // slot id, keys in slot, expires in slot: a sizing hint
          cur.what = W_SLOT_INFO;
          cur.len();
          cur.len();
          cur.len();
          break;
        case RDB_OPCODE_KEY_META:
          if (this.family === 'REDIS') this.keyMeta(abs);
          else this.slotImport();
          break;
        case RDB_OPCODE_EOF:
          this.eof(abs);
          return;
        case RDB_OPCODE_RAM_LRU:
        case RDB_OPCODE_SLOT_NUM:
          // Redis Enterprise hints before a key (librdb skips them the same way).
          if (this.family !== 'REDIS') return this.unknown(op, abs);
          cur.len();
          this.keyPrefix(abs);
          break;
        case RDB_OPCODE_UPDATE:
          if (this.family === 'VALKEY') {
            cur.fail('RDB_UNSUPPORTED_OPCODE', 'opcode 242 (Valkey RDB_OPCODE_UPDATE: a command replayed inline during a forkless save) is not supported', abs);
          }
          return this.unknown(op, abs);
        default:
          return this.unknown(op, abs);
      }
    }
  }

  private unknown(op: number, abs: number): never {
    if (op === 8) return this.cur.fail('RDB_UNKNOWN_TYPE', 'unknown value type 8 (reserved, never assigned)', abs);
    if (op < 0xf0) return this.cur.fail('RDB_UNKNOWN_TYPE', `unknown value type ${op} for ${this.family} RDB version ${this.version}`, abs);
    return this.cur.fail('RDB_UNKNOWN_OPCODE', `unknown opcode/type ${op} (0x${op.toString(16)}) for ${this.family} RDB version ${this.version}`, abs);
  }

  private keyPrefix(abs: number): void {
    if (this.kStart < 0) this.kStart = abs;
  }

  /** KEY_META (Redis 8.6, keymeta.c): len classes; per class a 4-byte class spec (LE) and annotated
   *  values up to the module EOF opcode. Applies to the next key; kept opaque. */
  private keyMeta(abs: number): void {
    const cur = this.cur;
    cur.what = W_KEY_META;
    const n = cur.count('KEY_META class count');
    const classes: KeyMetaClass[] = [];
    const resume = { at: 0 };
    for (let i = 0; i < n; i++) {
      const classSpec = cur.u32le();
      const start = cur.pos;
      resume.at = cur.base + start;
      walkAnnotated(cur, resume, 'a KEY_META class');
      classes.push({ classSpec, raw: cur.buf.subarray(start, cur.pos) });
    }
    this.kMeta = classes;
    this.keyPrefix(abs);
  }

  /** SLOT_IMPORT (Valkey 9): string job name, len ranges, ranges x (len start, len end). Skipped. */
  private slotImport(): void {
    const cur = this.cur;
    cur.what = W_SLOT_IMPORT;
    cur.skipString();
    const n = cur.count('SLOT_IMPORT range count');
    for (let i = 0; i < n; i++) {
      cur.len();
      cur.len();
    }
  }

  /** A key record: type byte, key, value. Returns true when the value continues in its own steps. */
  private key(type: number, p: number): boolean {
    if (type === 0) return this.stringKey(p);
    const cur = this.cur;
    const family = this.family;
    const abs = cur.base + p;
    if (type === RDB_TYPE_MODULE_PRE_GA || (type === RDB_TYPE_PATH_HASH && family === 'VALKEY')) {
      cur.fail('RDB_UNSUPPORTED_TYPE', `value type ${type} (${typeName(type, family)}) is not supported${type === RDB_TYPE_MODULE_PRE_GA ? ' (Redis refuses it too: "Pre-release module format not supported")' : ': its format is not published'}`, abs);
    }
    const vt = valueTypeOf(type, family);
    if (vt === null) return this.unknown(type, abs);
    const key = this.keyName(p);
    const db = cur.db < 0 ? 0 : cur.db;
    const rdbOffset = this.kStart >= 0 ? this.kStart : abs;

    let decoder: ValueDecoder;
    let endKind = END_KEYS;
    let withTtl = false;
    switch (vt) {
      case 'list':
      case 'set':
      case 'zset':
      case 'hash':
        if (type <= 5 || type === 22 || type === 24) {
          if (this.elements.readHeader(type) === 0) return this.emptyKey();
          decoder = this.elements;
          withTtl = this.elements.withTtl;
        } else if (type === 14 || type === 18) {
          if (this.quicklists.readHeader(type) === 0) return this.emptyKey();
          decoder = this.quicklists;
        } else {
          this.blobs.readHeader(type);
          decoder = this.blobs;
          withTtl = this.blobs.withTtl;
        }
        break;
      case 'stream':
        this.streams.readHeader(type);
        decoder = this.streams;
        endKind = END_STREAM;
        break;
      case 'module':
        this.modules.readKeyHeader();
        decoder = this.modules;
        endKind = END_SELF;
        break;
      default:
        return this.unknown(type, abs);
    }
    const attrs = this.attrs(key, type, rdbOffset, db);
    cur.commit();
    if (endKind === END_KEYS) this.keysOut.begin(vt, attrs, withTtl);
    else if (endKind === END_STREAM) this.streamsOut.begin(attrs);
    else {
      this.modules.startKey(attrs);
      this.keyCount++;
    }
    this.startValue(decoder, endKind);
    return true;
  }

  /** Reads the name of the key record whose type byte is at p; then the value is being read. */
  private keyName(p: number): Buffer {
    const cur = this.cur;
    cur.pos = p + 1;
    cur.what = W_KEY;
    cur.key = null;
    const key = cur.string();
    cur.key = key;
    cur.what = W_VALUE;
    return key;
  }

  /** A STRING record (the most common one: kept short). */
  private stringKey(p: number): boolean {
    const cur = this.cur;
    const abs = cur.base + p;
    const key = this.keyName(p);
    const db = cur.db < 0 ? 0 : cur.db;
    const rdbOffset = this.kStart >= 0 ? this.kStart : abs;
    let value: Buffer | null = null;
    const buf = cur.buf;
    const q = cur.pos;
    const h = q + 1 < cur.end ? (buf[q] as number) : 0xff;
    // A plain value with a 6- or 14-bit length that is all here: decoded inline.
    const n = h < 0x40 ? h : h < 0x80 ? ((h & 0x3f) << 8) | (buf[q + 1] as number) : -1;
    const at = h < 0x40 ? q + 1 : q + 2;
    if (n >= 0 && n <= this.maxChunkBytes && at + n <= cur.end) {
      cur.pos = at + n;
      value = buf.subarray(at, at + n);
    } else {
      cur.stringHeader();
      if (cur.hdrKind === STR_INT) value = cur.hdrInt;
      else if (cur.hdrKind === STR_PLAIN) {
        const n = cur.hdrLen;
        if (n <= this.maxChunkBytes) value = cur.bytes(n);
      } else if (cur.hdrRaw <= this.maxChunkBytes) {
        const r = cur.pos;
        const clen = cur.hdrLen;
        if (r + clen > cur.end) {
          cur.inLzf = true;
          cur.checkHeld(clen, cur.hdrStart, 'LZF string');
          cur.more(clen);
        }
        cur.pos = r + clen;
        value = cur.lzf(r, r + clen, cur.hdrRaw);
      }
    }
    if (value !== null) {
      cur.commit();
      const ev: KeyValueEvent = {
        type: 'key-value', replid: this.replid, offset: this.offset, db, rdbOffset, key, rdbType: 0, valueType: 'string', value,
      };
      if (this.kStart >= 0) this.applyPrefix(ev);
      this.keyCount++;
      this.emit(ev, value.length + key.length);
      return false;
    }
    // Bigger than a chunk: streamed. Its length must still be plausible.
    cur.checkFits(cur.hdrLen, cur.hdrStart, cur.hdrKind === STR_PLAIN ? 'string' : 'LZF string');
    const attrs = this.attrs(key, 0, rdbOffset, db);
    cur.commit();
    if (cur.hdrKind === STR_PLAIN) this.bigStrings.beginPlain(attrs, cur.hdrLen);
    else this.bigStrings.beginLzf(attrs, cur.hdrLen, cur.hdrRaw);
    this.keyCount++;
    this.startValue(this.bigStrings, END_SELF);
    return true;
  }

  /** An empty collection: skipped like Redis does (RDB_LOAD_ERR_EMPTY_KEY). */
  private emptyKey(): false {
    this.cur.commit();
    this.clearPrefix();
    this.cur.key = null;
    return false;
  }

  private attrs(key: Buffer, rdbType: number, rdbOffset: number, db: number): KeyAttrs {
    const a: KeyAttrs = {
      key, rdbType, rdbOffset, db, expireMs: this.kExpire, lfuFreq: this.kFreq, lruIdleS: this.kIdle, keyMeta: this.kMeta,
    };
    this.clearPrefix();
    return a;
  }

  private applyPrefix(ev: KeyValueEvent): void {
    if (this.kExpire !== undefined) ev.expireMs = this.kExpire;
    if (this.kFreq !== undefined) ev.lfuFreq = this.kFreq;
    if (this.kIdle !== undefined) ev.lruIdleS = this.kIdle;
    if (this.kMeta !== undefined) ev.keyMeta = this.kMeta;
    this.clearPrefix();
  }

  private clearPrefix(): void {
    this.kStart = -1;
    this.kExpire = undefined;
    this.kFreq = undefined;
    this.kIdle = undefined;
    this.kMeta = undefined;
  }

  private startValue(decoder: ValueDecoder, endKind: number): void {
    this.decoder = decoder;
    this.endKind = endKind;
    this.state = S_VALUE;
  }

  private endValue(): void {
    if (this.endKind === END_KEYS) {
      if (this.keysOut.finish()) this.keyCount++;
    } else if (this.endKind === END_STREAM) {
      this.streamsOut.finish();
      this.keyCount++;
    }
    this.decoder = null;
    this.cur.key = null;
    this.state = S_RECORDS;
  }

  private eof(abs: number): void {
    const cur = this.cur;
    cur.commit();
    this.eofOffset = abs;
    this.updateCrc();
    this.crcClosed = true;
    this.state = this.version >= 5 ? S_CHECKSUM : S_DONE;
  }

  private readChecksum(): void {
    const cur = this.cur;
    cur.what = W_CHECKSUM;
    const at = cur.base + cur.pos;
    const b = cur.bytes(8);
    const lo = b.readUInt32LE(0);
    const hi = b.readUInt32LE(4);
    cur.commit();
    this.checksumHex = crcFileHex(lo, hi);
    if (lo === 0 && hi === 0) this.checksum = 'not-computed';
    else if (!this.verify) this.checksum = 'not-computed';
    else if (lo === this.crc.lo && hi === this.crc.hi) this.checksum = 'verified';
    else {
      cur.fail('RDB_BAD_CHECKSUM', `CRC-64 mismatch: the file stores ${this.checksumHex}, the data gives ${this.crc.fileHex()}`, at);
    }
    this.state = S_DONE;
  }

  /** EOF and checksum consumed: emits snapshot-end and keeps what follows as the remainder. */
  private finish(): void {
    if (this.isDone) return;
    const cur = this.cur;
    const ev: SnapshotEndEvent = {
      type: 'snapshot-end', replid: this.replid, offset: this.offset, db: -1, rdbOffset: this.eofOffset,
      checksum: this.checksum, keys: this.keyCount, bytes: cur.base + cur.mark,
    };
    if (this.checksumHex !== undefined) ev.checksumHex = this.checksumHex;
    this.emit(ev, 0);
    const rest = cur.unconsumed();
    if (rest.length > 0) this.tail.push(Buffer.from(rest));
    this.isDone = true;
  }

  /** CRC of the committed bytes not yet covered; bytes before the mark may then be dropped. */
  private updateCrc(): void {
    if (!this.verify || this.crcClosed) return;
    const cur = this.cur;
    const upTo = cur.base + cur.mark;
    if (upTo > this.crcAbs) {
      this.crc.update(cur.buf, this.crcAbs - cur.base, cur.mark);
      this.crcAbs = upTo;
    }
  }

  private emit(ev: SnapshotEvent, bytes: number): void {
    this.batch.push(ev);
    this.batchBytes += bytes;
    if (this.batch.length >= this.maxBatchEvents || this.batchBytes >= MAX_BATCH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    // The buffer is about to be reused: bytes before the mark leave the CRC window first.
    this.updateCrc();
    this.onEvents(events);
  }

  private stateError(message: string): RdbParseError {
    return new RdbParseError('RDB_PARSER_STATE', message, { rdbOffset: this.position });
  }
}

function positiveInt(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new RdbParseError('RDB_PARSER_STATE', `option ${name} must be a positive integer, got ${v}`, { rdbOffset: 0 });
  }
  return v;
}
