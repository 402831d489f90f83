// ziplist reader (ziplist.c, zipEntrySafe / ziplistValidateIntegrity), written by RDB 2..9 producers
// for small lists, hashes and zsets and for quicklist (v1) nodes:
//   <u32 LE zlbytes> <u32 LE zltail> <u16 LE zllen (65535 = unknown)> entry* <0xFF>
//   entry = <prevlen: 1 byte < 254, or 0xFE + u32 LE> <encoding> <data>
//   00pppppp: string, 6-bit length        01pppppp qqqqqqqq: string, 14-bit big-endian length
//   10xxxxxx + u32 BE: string, 32-bit length
//   0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8 (all LE); 0xF1..0xFD: immediate 0..12
import { BlobEntryReader } from './blob-entries.js';
import { BlobFormatError } from './errors.js';

export class ZiplistReader extends BlobEntryReader {
  private prevSize = 0;

  constructor() {
    super('RDB_BAD_ZIPLIST', 'ziplist');
  }

  open(buf: Buffer, start: number, end: number): void {
    const size = end - start;
    if (size < 11) throw new BlobFormatError('RDB_BAD_ZIPLIST', `ziplist of ${size} bytes is shorter than its 11-byte header and terminator`, 0);
    const zlbytes = buf.readUInt32LE(start);
    if (zlbytes !== size) throw new BlobFormatError('RDB_BAD_ZIPLIST', `ziplist zlbytes=${zlbytes} but the blob is ${size} bytes`, 0);
    const zltail = buf.readUInt32LE(start + 4);
    if (zltail > size - 1) throw new BlobFormatError('RDB_BAD_ZIPLIST', `ziplist zltail=${zltail} points past the end of a ${size}-byte blob`, 4);
    if (buf[end - 1] !== 0xff) throw new BlobFormatError('RDB_BAD_ZIPLIST', 'ziplist is missing its 0xFF terminator', size - 1);
    this.openAt(buf, start, end, start + 10, buf.readUInt16LE(start + 8));
    this.prevSize = 0;
  }

  next(): boolean {
    const buf = this.buf;
    const p = this.p;
    if (buf[p] === 0xff) {
      if (p !== this.last) throw this.err('ziplist terminator found before the end of the blob', p);
      if (this.declared !== 65535 && this.declared !== this.count) {
        throw this.err(`ziplist header announces ${this.declared} entries but holds ${this.count}`, p);
      }
      return false;
    }
    let q = p;
    let prevlen = buf[q++] as number;
    if (prevlen === 0xfe) {
      this.need(q, 4);
      prevlen = buf.readUInt32LE(q);
      q += 4;
    }
    if (prevlen !== this.prevSize) {
      throw this.err(`ziplist entry prevlen ${prevlen} != previous entry size ${this.prevSize}`, p);
    }
    this.need(q, 1);
    const e = buf[q++] as number;
    switch (e >> 6) {
      case 0:
        this.setStr(q, q + (e & 0x3f));
        break;
      case 1:
        this.need(q, 1);
        this.setStr(q + 1, q + 1 + (((e & 0x3f) << 8) | (buf[q] as number)));
        break;
      case 2:
        this.need(q, 4);
        this.setStr(q + 4, q + 4 + buf.readUInt32BE(q));
        break;
      default:
        switch (e) {
          case 0xc0:
            this.need(q, 2);
            this.setIntEntry(buf.readInt16LE(q), q + 2);
            break;
          case 0xd0:
            this.need(q, 4);
            this.setIntEntry(buf.readInt32LE(q), q + 4);
            break;
          case 0xe0:
            this.need(q, 8);
            this.setInt64(q);
            this.sEnd = q + 8;
            break;
          case 0xf0:
            this.need(q, 3);
            this.setIntEntry(buf.readIntLE(q, 3), q + 3);
            break;
          case 0xfe:
            this.need(q, 1);
            this.setIntEntry(buf.readInt8(q), q + 1);
            break;
          default:
            if (e >= 0xf1 && e <= 0xfd) this.setIntEntry((e & 0x0f) - 1, q);
            else throw this.err(`invalid ziplist entry encoding 0x${e.toString(16)}`, q - 1);
        }
    }
    // sEnd is the end of the entry in every case.
    this.prevSize = this.sEnd - p;
    this.p = this.sEnd;
    this.count++;
    return true;
  }

  /** An integer entry that ends at entryEnd (sEnd is the end of the entry in every case). */
  private setIntEntry(v: number, entryEnd: number): void {
    this.setInt(v);
    this.sEnd = entryEnd;
  }
}
