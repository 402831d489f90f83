// Collections stored element by element (rdbLoadObject), one committed step per element:
//   LIST (1), SET (2)                 len n, n x string
//   ZSET (3)                          len n, n x (string member, old double: 1-byte length, 253 NaN,
//                                      254 +inf, 255 -inf, else that many ASCII bytes, "%.17g")
//   ZSET_2 (5)                        len n, n x (string member, 8-byte LE IEEE double)
//   HASH (4)                          len n, n x (string field, string value)
//   HASH_METADATA_PRE_GA (22, REDIS)  len n, n x (len ttl: absolute ms, 0 = none, string, string)
//   HASH_2 (22, VALKEY)               len n, n x (string, string, 8-byte LE int64 ms, -1 = none)
//   HASH_METADATA (24)                8-byte LE minExpire, len n, n x (len ttl, string, string):
//                                      ttl 0 = none, else expiry = ttl + minExpire - 1
import {
  RDB_TYPE_HASH,
  RDB_TYPE_HASH_METADATA,
  RDB_TYPE_LIST,
  RDB_TYPE_SET,
  RDB_TYPE_ZSET,
  RDB_TYPE_ZSET_2,
} from '../constants.js';
import type { RdbCursor } from '../cursor.js';
import { parseDoubleText } from '../strtod.js';
import type { DecodeContext, ValueDecoder } from './value-decoder.js';

const HASH_PRE_GA = 122; // internal tags for type 22 by family
const HASH_2 = 222;

export class ElementDecoder implements ValueDecoder {
  private kind = 0;
  private remaining = 0;
  private minExpire = 0;

  constructor(private readonly ctx: DecodeContext) {}

  /** Reads the value header (within the key's step); returns the element count. */
  readHeader(type: number): number {
    const cur = this.ctx.cur;
    this.kind = type === 22 ? (this.ctx.family === 'VALKEY' ? HASH_2 : HASH_PRE_GA) : type;
    if (type === RDB_TYPE_HASH_METADATA) this.minExpire = cur.i64le();
    this.remaining = cur.count('element count');
    return this.remaining;
  }

  /** Whether the type reports field TTLs. */
  get withTtl(): boolean {
    return this.kind === HASH_PRE_GA || this.kind === HASH_2 || this.kind === RDB_TYPE_HASH_METADATA;
  }

  step(): boolean {
    const cur = this.ctx.cur;
    const keys = this.ctx.keys;
    switch (this.kind) {
      case RDB_TYPE_LIST:
      case RDB_TYPE_SET:
        while (this.remaining > 0) {
          const el = cur.string();
          cur.commit();
          this.remaining--;
          keys.pushElement(el);
        }
        break;
      case RDB_TYPE_ZSET:
      case RDB_TYPE_ZSET_2:
        while (this.remaining > 0) {
          const member = cur.string();
          const at = cur.pos;
          const score = this.kind === RDB_TYPE_ZSET_2 ? cur.f64le() : readOldDouble(cur);
          if (score !== score) cur.fail('RDB_NAN_SCORE', 'zset member has a NaN score (Redis refuses: "Zset with NAN score detected")', cur.base + at);
          cur.commit();
          this.remaining--;
          keys.pushZset(member, score);
        }
        break;
      case RDB_TYPE_HASH:
        while (this.remaining > 0) {
          const field = cur.string();
          const value = cur.string();
          cur.commit();
          this.remaining--;
          keys.pushHash(field, value, -1);
        }
        break;
      case HASH_PRE_GA:
      case RDB_TYPE_HASH_METADATA:
        while (this.remaining > 0) {
          const ttl = cur.len();
          const field = cur.string();
          const value = cur.string();
          cur.commit();
          this.remaining--;
          const expire = ttl === 0 ? -1 : this.kind === HASH_PRE_GA ? ttl : ttl + this.minExpire - 1;
          keys.pushHash(field, value, expire);
        }
        break;
      case HASH_2:
        while (this.remaining > 0) {
          const field = cur.string();
          const value = cur.string();
          const at = cur.pos;
          const expire = cur.i64le();
          if (expire < -1) cur.fail('RDB_BAD_LENGTH', `hash field expiry ${expire} is invalid (-1 means none)`, cur.base + at);
          cur.commit();
          this.remaining--;
          keys.pushHash(field, value, expire);
        }
        break;
      default:
        throw new Error(`ElementDecoder: unexpected type ${this.kind}`);
    }
    return true;
  }
}

/** rdbLoadDoubleValue: the textual double of type 3 zsets (and old module values). */
export function readOldDouble(cur: RdbCursor): number {
  const at = cur.pos;
  const n = cur.u8();
  if (n === 253) return NaN;
  if (n === 254) return Infinity;
  if (n === 255) return -Infinity;
  const text = cur.bytes(n);
  const v = parseDoubleText(text, 0, n);
  if (v === null) cur.fail('RDB_BAD_SCORE', `score "${text.toString('latin1')}" is not a number`, cur.base + at);
  return v;
}
