// Turns the elements of one key into events: a key-value event when the value is small, else a
// sequence of key-chunk events (index 0.., last flag) so memory stays bounded whatever the key size.
// Chunks are cut by the rule of chunked-emitter.ts (elements count, element bytes against the limits).
import type {
  FieldExpire,
  HashEntry,
  KeyChunkEvent,
  KeyMetaClass,
  KeyValueEvent,
  ValueType,
  ZsetEntry,
} from '../events/types.js';
import { ChunkedEmitter } from './chunked-emitter.js';

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

export class KeyEmitter extends ChunkedEmitter {
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

  /** Starts a collection key. `withTtl`: hash encodings that carry field TTLs report fieldExpires. */
  begin(kind: ValueType, attrs: KeyAttrs, withTtl = false): void {
    this.attrs = attrs;
    this.kind = kind;
    this.withTtl = withTtl;
    this.fresh();
    this.startKey();
  }

  pushElement(el: Buffer): void {
    if (this.mustCut(el.length)) this.flush();
    this.list.push(el);
    this.added(el.length);
  }

  pushZset(member: Buffer, score: number): void {
    const size = member.length + 8;
    if (this.mustCut(size)) this.flush();
    this.zset.push([member, score]);
    this.added(size);
  }

  /** `expireMs` < 0 means the field has no TTL. */
  pushHash(field: Buffer, value: Buffer, expireMs: number): void {
    const size = field.length + value.length;
    if (this.mustCut(size)) this.flush();
    this.hash.push([field, value]);
    if (expireMs >= 0) this.fe.push([field, expireMs]);
    this.added(size);
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
    this.chunkCut();
    this.fresh();
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
