// Streams: STREAM_LISTPACKS (15), _2 (19), _3 (21), _4 (26, Redis 8.6) - rdbLoadObject, t_stream.c.
//   len nodes, nodes x (string master id: 16 bytes = ms u64 BE + seq u64 BE, string listpack)
//   len length, len last.ms, len last.seq
//   [v2+] len first.ms, len first.seq, len max_deleted.ms, len max_deleted.seq, len entries_added
//   len groups, groups x (string name, len last_delivered.ms, len last_delivered.seq,
//       [v2+] len entries_read (u64 max = unknown), len pel, pel x (16-byte id, 8-byte LE delivery ms,
//       len delivery count), len consumers, consumers x (string name, 8-byte LE seen ms,
//       [v3+] 8-byte LE active ms, len pel, pel x 16-byte id))
//   [v4] len idmp duration, len idmp max entries, len producers, producers x (string pid, len n,
//       n x (string iid, len ms, len seq)), len iids added, len iids duplicates   (skipped)
// Node listpack (streamAppendItem): master entry "count, deleted, n, field_1..field_n, 0", then per
// entry "flags, ms-diff, seq-diff, [n, f1, v1 .. fn, vn | v1 .. vn with SAMEFIELDS], lp-count".
// Flag 1 = deleted (skipped), flag 2 = SAMEFIELDS (field names are the master's). Ids are u64 pairs:
// decimal text, computed exactly. One committed step per node, group header, PEL entry, consumer...
import type { HashEntry, StreamId } from '../../events/types.js';
import { uint64ToText } from '../../util/decimal.js';
import {
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_STREAM_LISTPACKS_3,
  RDB_TYPE_STREAM_LISTPACKS_4,
} from '../constants.js';
import type { RdbCursor } from '../cursor.js';
import { BlobFormatError } from '../errors.js';
import { ListpackReader } from '../listpack.js';
import type { DecodeContext, ValueDecoder } from './value-decoder.js';

const P_NODES = 0;
const P_META = 1;
const P_GROUP = 2;
const P_PEL = 3;
const P_CONSUMER = 5;
const P_CONSUMER_PEL = 6;
const P_IDMP = 7;
const P_PRODUCER = 8;
const P_IID = 9;
const P_IDMP_END = 10;
const P_DONE = 11;

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;
const TWO32 = 4294967296;
const U64_MAX = 0xffffffffffffffffn;

export class StreamDecoder implements ValueDecoder {
  private version = 1;
  private phase = P_NODES;
  private nodes = 0;
  private nodesTotal = 0;
  private left = 0; // groups / producers left
  private pelLeft = 0;
  private consumersLeft = 0;
  private inner = 0; // consumer PEL ids / producer iids left
  private readonly lp = new ListpackReader();

  constructor(private readonly ctx: DecodeContext) {}

  readHeader(type: number): void {
    this.version = type === RDB_TYPE_STREAM_LISTPACKS_4 ? 4 : type === RDB_TYPE_STREAM_LISTPACKS_3 ? 3 : type === RDB_TYPE_STREAM_LISTPACKS_2 ? 2 : 1;
    this.nodes = this.ctx.cur.count('stream listpack node count');
    this.nodesTotal = this.nodes;
    this.phase = P_NODES;
  }

  step(): boolean {
    const cur = this.ctx.cur;
    const out = this.ctx.streams;
    for (;;) {
      switch (this.phase) {
        case P_NODES: {
          if (this.nodes === 0) {
            this.phase = P_META;
            break;
          }
          const at = cur.pos;
          const nodeKey = cur.string();
          if (nodeKey.length !== 16) cur.fail('RDB_BAD_STREAM', `stream node key is ${nodeKey.length} bytes, not a 16-byte stream id`, cur.base + at);
          const lp = cur.blob();
          cur.commit();
          this.nodes--;
          try {
            this.decodeNode(nodeKey, lp);
          } catch (e) {
            cur.failInBlob(e);
          }
          break;
        }
        case P_META: {
          const length = cur.len();
          const lastId = idFromLens(cur);
          let firstId: StreamId | null = null;
          let maxDeletedId: StreamId | null = null;
          let entriesAdded: number | null = null;
          if (this.version >= 2) {
            firstId = idFromLens(cur);
            maxDeletedId = idFromLens(cur);
            entriesAdded = cur.len();
          }
          const groups = cur.count('stream consumer group count');
          cur.commit();
          out.setMeta({ length, lastId, firstId, maxDeletedId, entriesAdded, listpackNodes: this.nodesTotal });
          this.left = groups;
          this.phase = P_GROUP;
          break;
        }
        case P_GROUP: {
          if (this.left === 0) {
            this.phase = this.version >= 4 ? P_IDMP : P_DONE;
            break;
          }
          const name = cur.string();
          const lastDelivered = idFromLens(cur);
          let entriesRead: number | null = null;
          if (this.version >= 2) {
            const n = cur.lenBig();
            entriesRead = n === U64_MAX ? null : Number(n); // SCG_INVALID_ENTRIES_READ (-1) is saved as u64 max
          }
          const pel = cur.count('stream group PEL size');
          cur.commit();
          out.startGroup(name, lastDelivered, entriesRead);
          this.left--;
          this.pelLeft = pel;
          this.phase = P_PEL;
          break;
        }
        case P_PEL: {
          if (this.pelLeft === 0) {
            this.consumersLeft = cur.count('stream consumer count');
            cur.commit();
            this.phase = P_CONSUMER;
            break;
          }
          const id = rawId(cur);
          const time = cur.i64le();
          const count = cur.len();
          cur.commit();
          this.pelLeft--;
          out.pushPel(id, time, count);
          break;
        }
        case P_CONSUMER: {
          if (this.consumersLeft === 0) {
            this.phase = P_GROUP;
            break;
          }
          const name = cur.string();
          const seen = cur.i64le();
          const active = this.version >= 3 ? cur.i64le() : null;
          const pel = cur.count('stream consumer PEL size');
          cur.commit();
          out.startConsumer(name, seen, active);
          this.consumersLeft--;
          this.inner = pel;
          this.phase = P_CONSUMER_PEL;
          break;
        }
        case P_CONSUMER_PEL: {
          if (this.inner === 0) {
            this.phase = P_CONSUMER;
            break;
          }
          const id = rawId(cur);
          cur.commit();
          this.inner--;
          out.pushConsumerPel(id);
          break;
        }
        case P_IDMP: {
          cur.len(); // idmp duration (seconds)
          cur.len(); // idmp max entries
          this.left = cur.count('stream IDMP producer count');
          cur.commit();
          this.phase = P_PRODUCER;
          break;
        }
        case P_PRODUCER: {
          if (this.left === 0) {
            this.phase = P_IDMP_END;
            break;
          }
          cur.skipString(); // producer id
          this.inner = cur.count('stream IDMP entry count');
          cur.commit();
          this.left--;
          this.phase = P_IID;
          break;
        }
        case P_IID: {
          if (this.inner === 0) {
            this.phase = P_PRODUCER;
            break;
          }
          cur.skipString(); // iid
          cur.len(); // id.ms
          cur.len(); // id.seq
          cur.commit();
          this.inner--;
          break;
        }
        case P_IDMP_END:
          cur.len(); // iids added
          cur.len(); // iids duplicates
          cur.commit();
          this.phase = P_DONE;
          break;
        default:
          return true;
      }
    }
  }

  /** Emits the live entries of one node listpack. */
  private decodeNode(nodeKey: Buffer, blob: Buffer): void {
    const out = this.ctx.streams;
    const lp = this.lp;
    lp.open(blob, 0, blob.length);
    const msHi = nodeKey.readUInt32BE(0);
    const msLo = nodeKey.readUInt32BE(4);
    const seqHi = nodeKey.readUInt32BE(8);
    const seqLo = nodeKey.readUInt32BE(12);
    if (!lp.next()) throw new BlobFormatError('RDB_BAD_STREAM', 'empty listpack inside a stream', 0);
    const live = intOf(lp, 'master entry count');
    const deleted = intEntry(lp, 'master deleted count');
    const nMaster = intEntry(lp, 'master field count');
    const masterFields: Buffer[] = [];
    for (let i = 0; i < nMaster; i++) {
      if (!lp.next()) throw cut(lp);
      masterFields.push(lp.value());
    }
    if (intEntry(lp, 'master entry terminator') !== 0) throw new BlobFormatError('RDB_BAD_STREAM', 'stream master entry is not terminated by 0', lp.offset);
    let seenLive = 0;
    let seenDeleted = 0;
    while (lp.next()) {
      const flags = intOf(lp, 'entry flags');
      if (!lp.next()) throw cut(lp);
      const ms = addU64(msHi, msLo, lp);
      if (!lp.next()) throw cut(lp);
      const seq = addU64(seqHi, seqLo, lp);
      let n = nMaster;
      let extra = 3;
      let fieldNames: Buffer[] | null = masterFields;
      if ((flags & FLAG_SAMEFIELDS) === 0) {
        n = intEntry(lp, 'entry field count');
        fieldNames = null;
        extra += n + 1;
      }
      const fields: HashEntry[] = [];
      let size = 0;
      for (let i = 0; i < n; i++) {
        let f: Buffer;
        if (fieldNames === null) {
          if (!lp.next()) throw cut(lp);
          f = lp.value();
        } else {
          f = fieldNames[i] as Buffer;
        }
        if (!lp.next()) throw cut(lp);
        const v = lp.value();
        fields.push([f, v]);
        size += f.length + v.length;
      }
      const lpCount = intEntry(lp, 'entry lp-count');
      if (lpCount !== n + extra) throw new BlobFormatError('RDB_BAD_STREAM', `stream entry lp-count ${lpCount} != ${n + extra}`, lp.offset);
      if ((flags & FLAG_DELETED) !== 0) {
        seenDeleted++;
        continue;
      }
      seenLive++;
      out.pushEntry(`${ms}-${seq}`, fields, size + 16);
    }
    if (seenLive !== live || seenDeleted !== deleted) {
      throw new BlobFormatError('RDB_BAD_STREAM', `stream node announces ${live} live and ${deleted} deleted entries but holds ${seenLive} and ${seenDeleted}`, lp.offset);
    }
  }
}

/** A stream id saved as two lengths (ms, seq). */
function idFromLens(cur: RdbCursor): StreamId {
  const ms = cur.lenBig();
  const seq = cur.lenBig();
  return `${ms}-${seq}`;
}

/** A stream id saved raw: 16 bytes, ms and seq as big-endian u64. */
function rawId(cur: RdbCursor): StreamId {
  const b = cur.bytes(16);
  return `${uint64ToText(b.readUInt32BE(0), b.readUInt32BE(4))}-${uint64ToText(b.readUInt32BE(8), b.readUInt32BE(12))}`;
}

/** base (u64 as halves) + the current listpack integer, with C unsigned wrap-around. */
function addU64(hi: number, lo: number, lp: ListpackReader): string {
  if (!lp.isInt) throw new BlobFormatError('RDB_BAD_STREAM', 'stream entry id delta is not an integer', lp.offset);
  if (hi < 0x200000 && !lp.isBig) {
    const v = hi * TWO32 + lo + lp.intVal;
    if (v >= 0 && v <= Number.MAX_SAFE_INTEGER) return String(v);
  }
  const base = (BigInt(hi) << 32n) | BigInt(lo);
  const d = lp.isBig ? lp.bigVal : BigInt(lp.intVal);
  return BigInt.asUintN(64, base + d).toString();
}

function intEntry(lp: ListpackReader, what: string): number {
  if (!lp.next()) throw cut(lp);
  return intOf(lp, what);
}

function intOf(lp: ListpackReader, what: string): number {
  const v = lp.integer();
  if (v === null) throw new BlobFormatError('RDB_BAD_STREAM', `stream ${what} is not an integer`, lp.offset);
  return v;
}

function cut(lp: ListpackReader): BlobFormatError {
  return new BlobFormatError('RDB_BAD_STREAM', 'stream listpack ends inside an entry', lp.offset);
}
