// Collections stored as one encoded blob (a string, possibly LZF-compressed), decoded in one step:
//   HASH_ZIPMAP (9)        zipmap of field/value
//   LIST_ZIPLIST (10)      ziplist of elements         SET_INTSET (11)      intset
//   ZSET_ZIPLIST (12)      ziplist of member,score     HASH_ZIPLIST (13)    ziplist of field,value
//   HASH_LISTPACK (16)     listpack of field,value     ZSET_LISTPACK (17)   listpack of member,score
//   SET_LISTPACK (20)      listpack of members
//   HASH_LISTPACK_EX_PRE_GA (23, REDIS)  listpack of field,value,ttl (absolute ms, 0 = none)
//   HASH_LISTPACK_EX (25)  8-byte LE minExpire (unused), then listpack of field,value,ttl (same)
// Scores are stored as integers or as text (read like strtod); a NaN score is refused as by Redis.
import {
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_HASH_LISTPACK_EX,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_SET_LISTPACK,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_ZSET_ZIPLIST,
} from '../constants.js';
import { BlobFormatError } from '../errors.js';
import { intsetMember, intsetOpen } from '../intset.js';
import { ListpackReader } from '../listpack.js';
import { parseDoubleText } from '../strtod.js';
import { ZiplistReader } from '../ziplist.js';
import { ZipmapReader } from '../zipmap.js';
import type { DecodeContext, ValueDecoder } from './value-decoder.js';

const HASH_LISTPACK_EX_PRE_GA = 23;

/** The part of ListpackReader / ZiplistReader the decoders use. */
export interface EntryReader {
  next(): boolean;
  value(): Buffer;
  integer(): number | null;
  readonly offset: number;
}

export class BlobDecoder implements ValueDecoder {
  private type = 0;
  readonly lp = new ListpackReader();
  readonly zl = new ZiplistReader();
  private readonly zm = new ZipmapReader();

  constructor(private readonly ctx: DecodeContext) {}

  /** Reads what precedes the blob (within the key's step). */
  readHeader(type: number): void {
    this.type = type;
    if (type === RDB_TYPE_HASH_LISTPACK_EX) this.ctx.cur.i64le(); // minExpire: a hint, not needed
  }

  get withTtl(): boolean {
    return this.type === RDB_TYPE_HASH_LISTPACK_EX || this.type === HASH_LISTPACK_EX_PRE_GA;
  }

  step(): boolean {
    const cur = this.ctx.cur;
    const blob = cur.blob();
    cur.commit();
    try {
      this.decode(blob);
    } catch (e) {
      cur.failInBlob(e);
    }
    return true;
  }

  private decode(blob: Buffer): void {
    const keys = this.ctx.keys;
    const end = blob.length;
    switch (this.type) {
      case RDB_TYPE_HASH_ZIPMAP: {
        const zm = this.zm;
        zm.open(blob, 0, end);
        while (zm.next()) keys.pushHash(zm.field(), zm.value(), -1);
        break;
      }
      case RDB_TYPE_LIST_ZIPLIST:
        this.zl.open(blob, 0, end);
        elements(this.zl, this.ctx);
        break;
      case RDB_TYPE_SET_INTSET: {
        const { width, length } = intsetOpen(blob, 0, end);
        for (let i = 0; i < length; i++) keys.pushElement(intsetMember(blob, 0, width, i));
        break;
      }
      case RDB_TYPE_ZSET_ZIPLIST:
        this.zl.open(blob, 0, end);
        zsetPairs(this.zl, this.ctx, 'RDB_BAD_ZIPLIST');
        break;
      case RDB_TYPE_HASH_ZIPLIST:
        this.zl.open(blob, 0, end);
        hashTuples(this.zl, this.ctx, false, 'RDB_BAD_ZIPLIST');
        break;
      case RDB_TYPE_HASH_LISTPACK:
        this.lp.open(blob, 0, end);
        hashTuples(this.lp, this.ctx, false, 'RDB_BAD_LISTPACK');
        break;
      case RDB_TYPE_ZSET_LISTPACK:
        this.lp.open(blob, 0, end);
        zsetPairs(this.lp, this.ctx, 'RDB_BAD_LISTPACK');
        break;
      case RDB_TYPE_SET_LISTPACK:
        this.lp.open(blob, 0, end);
        elements(this.lp, this.ctx);
        break;
      case HASH_LISTPACK_EX_PRE_GA:
      case RDB_TYPE_HASH_LISTPACK_EX:
        this.lp.open(blob, 0, end);
        hashTuples(this.lp, this.ctx, true, 'RDB_BAD_LISTPACK');
        break;
      default:
        throw new Error(`BlobDecoder: unexpected type ${this.type}`);
    }
  }
}

/** Every entry of a ziplist/listpack as an element. */
export function elements(r: EntryReader, ctx: DecodeContext): void {
  const keys = ctx.keys;
  while (r.next()) keys.pushElement(r.value());
}

function zsetPairs(r: EntryReader, ctx: DecodeContext, code: 'RDB_BAD_ZIPLIST' | 'RDB_BAD_LISTPACK'): void {
  const keys = ctx.keys;
  while (r.next()) {
    const member = r.value();
    if (!r.next()) throw new BlobFormatError(code, 'zset encoding holds a member without a score', blobOffset(r));
    const score = scoreOf(r);
    keys.pushZset(member, score);
  }
}

function hashTuples(r: EntryReader, ctx: DecodeContext, withTtl: boolean, code: 'RDB_BAD_ZIPLIST' | 'RDB_BAD_LISTPACK'): void {
  const keys = ctx.keys;
  while (r.next()) {
    const field = r.value();
    if (!r.next()) throw new BlobFormatError(code, 'hash encoding holds an odd number of entries (a field without value)', blobOffset(r));
    const value = r.value();
    let expire = -1;
    if (withTtl) {
      if (!r.next()) throw new BlobFormatError(code, 'hash encoding with TTLs holds a field without its TTL entry', blobOffset(r));
      const ttl = r.integer();
      if (ttl === null || ttl < 0) throw new BlobFormatError(code, 'hash field TTL entry is not a non-negative integer', blobOffset(r));
      if (ttl !== 0) expire = ttl;
    }
    keys.pushHash(field, value, expire);
  }
}

/** zzlGetScore: an integer entry, or text read like strtod. */
function scoreOf(r: EntryReader): number {
  const n = r.integer();
  if (n !== null) return n;
  const text = r.value();
  const v = parseDoubleText(text, 0, text.length);
  if (v === null) throw new BlobFormatError('RDB_BAD_SCORE', `zset score "${text.toString('latin1')}" is not a number`, blobOffset(r));
  if (v !== v) throw new BlobFormatError('RDB_NAN_SCORE', 'zset member has a NaN score (Redis refuses it)', blobOffset(r));
  return v;
}

function blobOffset(r: EntryReader): number {
  return r.offset;
}
