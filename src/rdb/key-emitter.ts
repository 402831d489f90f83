// Turns the elements of one key into events: a key-value event when the value is small, else a
// sequence of key-chunk events (index 0.., last flag) so memory stays bounded whatever the key size.
//
// A chunk is cut when another element arrives and the pending ones already number maxChunkElements
// or adding it would pass maxChunkBytes of element bytes. So a collection comes whole exactly when it
// has at most maxChunkElements elements and at most maxChunkBytes of payload, chunk boundaries depend
// only on the data (not on how the input was split), and no chunk is ever empty.
import type {
  FieldExpire,
  HashEntry,
  KeyChunkEvent,
  KeyMetaClass,
  KeyValueEvent,
  SnapshotEvent,
  ValueType,
  ZsetEntry,
} from '../events/types.js';

export interface EventSink {
  /** Appends an event to the current batch; `bytes` estimates its payload for batch sizing. */
  emit(ev: SnapshotEvent, bytes: number): void;
}

export interface KeyAttrs {
  key: Buffer;
  rdbType: number;
  rdbOffset: number;
  db: number;
  expireMs: number | undefined;
  lfuFreq: number | undefined;
  lruIdleS: number | undefined;
  keyMeta: KeyMetaClass[] | undefined;
}

type ListKind = 'list' | 'set';

export class KeyEmitter {
  private attrs: KeyAttrs = {
    key: Buffer.alloc(0),
    rdbType: 0,
    rdbOffset: 0,
    db: 0,
    expireMs: undefined,
    lfuFreq: undefined,
    lruIdleS: undefined,
    keyMeta: undefined,
  };
  private kind: ValueType = 'list';
  private withTtl = false;
  private list: Buffer[] = [];
  private zset: ZsetEntry[] = [];
  private hash: HashEntry[] = [];
  private fe: FieldExpire[] = [];
  private count = 0;
  private bytes = 0;
  private index = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly replid: string,
    private readonly offset: number,
    private readonly maxElements: number,
    private readonly maxBytes: number,
  ) {}

  /** Starts a collection key. `withTtl`: hash encodings that carry field TTLs report fieldExpires. */
  begin(kind: ValueType, attrs: KeyAttrs, withTtl = false): void {
    this.attrs = attrs;
    this.kind = kind;
    this.withTtl = withTtl;
    this.fresh();
    this.count = 0;
    this.bytes = 0;
    this.index = 0;
  }

  /** Number of chunks emitted for the current key. */
  get chunksEmitted(): number {
    return this.index;
  }

  pushElement(el: Buffer): void {
    if (this.count > 0 && (this.count >= this.maxElements || this.bytes + el.length > this.maxBytes)) this.flush();
    this.list.push(el);
    this.count++;
    this.bytes += el.length;
  }

  pushZset(member: Buffer, score: number): void {
    if (this.count > 0 && (this.count >= this.maxElements || this.bytes + member.length + 8 > this.maxBytes)) this.flush();
    this.zset.push([member, score]);
    this.count++;
    this.bytes += member.length + 8;
  }

  /** `expireMs` < 0 means the field has no TTL. */
  pushHash(field: Buffer, value: Buffer, expireMs: number): void {
    const size = field.length + value.length;
    if (this.count > 0 && (this.count >= this.maxElements || this.bytes + size > this.maxBytes)) this.flush();
    this.hash.push([field, value]);
    if (expireMs >= 0) this.fe.push([field, expireMs]);
    this.count++;
    this.bytes += size;
  }

  /** Ends the key. Returns false when it had no element at all (Redis skips empty keys). */
  finish(): boolean {
    if (this.index === 0) {
      if (this.count === 0) return false;
      this.sink.emit(this.event(null), this.bytes);
    } else {
      this.sink.emit(this.event(true), this.bytes);
    }
    return true;
  }

  /** Emits the pending elements as a non-final chunk. */
  private flush(): void {
    this.sink.emit(this.event(false), this.bytes);
    this.index++;
    this.fresh();
    this.count = 0;
    this.bytes = 0;
  }

  /** New arrays for the kind of value being built (the others are never touched). */
  private fresh(): void {
    const k = this.kind;
    if (k === 'list' || k === 'set') this.list = [];
    else if (k === 'zset') this.zset = [];
    else {
      this.hash = [];
      if (this.withTtl) this.fe = [];
    }
  }

  /** last === null: the whole value. */
  private event(last: boolean | null): KeyValueEvent | KeyChunkEvent {
    const a = this.attrs;
    let ev: KeyValueEvent | KeyChunkEvent;
    const kind = this.kind;
    if (last === null) {
      switch (kind) {
        case 'list':
        case 'set':
          ev = { type: 'key-value', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType, valueType: kind as ListKind, value: this.list };
          break;
        case 'zset':
          ev = { type: 'key-value', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType, valueType: 'zset', value: this.zset };
          break;
        case 'hash':
          ev = { type: 'key-value', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType, valueType: 'hash', value: this.hash };
          if (this.withTtl) ev.fieldExpires = this.fe;
          break;
        default:
          throw new Error(`KeyEmitter cannot emit ${kind} values`);
      }
    } else {
      const index = this.index;
      switch (kind) {
        case 'list':
        case 'set':
          ev = { type: 'key-chunk', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType, valueType: kind as ListKind, value: this.list, index, last };
          break;
        case 'zset':
          ev = { type: 'key-chunk', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType, valueType: 'zset', value: this.zset, index, last };
          break;
        case 'hash':
          ev = { type: 'key-chunk', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType, valueType: 'hash', value: this.hash, index, last };
          if (this.withTtl) ev.fieldExpires = this.fe;
          break;
        default:
          throw new Error(`KeyEmitter cannot emit ${kind} chunks`);
      }
    }
    addKeyAttrs(ev, a);
    return ev;
  }
}

/** Copies the optional per-key attributes (only those the file carries) onto an event. */
export function addKeyAttrs(ev: KeyValueEvent | KeyChunkEvent, a: KeyAttrs): void {
  if (a.expireMs !== undefined) ev.expireMs = a.expireMs;
  if (a.lfuFreq !== undefined) ev.lfuFreq = a.lfuFreq;
  if (a.lruIdleS !== undefined) ev.lruIdleS = a.lruIdleS;
  if (a.keyMeta !== undefined) ev.keyMeta = a.keyMeta;
}
