// listpack reader (listpack.c, lpGetWithSize / lpValidateIntegrity), a cursor over one blob:
//   <u32 LE total-bytes> <u16 LE num-elements (65535 = unknown)> entry* <0xFF>
//   entry = <encoding + data> <backlen: size of encoding+data, 1..5 bytes, 7 bits per byte>
//   0xxxxxxx          7-bit uint            10xxxxxx + n      string, 6-bit length
//   110xxxxx yyyyyyyy 13-bit signed int     1110xxxx y + n    string, 12-bit length
//   0xF0 + u32 LE + n string, 32-bit length 0xF1/F2/F3/F4     int16/int24/int32/int64 LE
// Integers are the canonical form of a string, so callers render them as decimal text.
import { BlobEntryReader } from './blob-entries.js';
import { BlobFormatError } from './errors.js';

export class ListpackReader extends BlobEntryReader {
  constructor() {
    super('RDB_BAD_LISTPACK', 'listpack');
  }

  /** Positions the reader on a blob after checking its header and terminator. */
  open(buf: Buffer, start: number, end: number): void {
    const size = end - start;
    if (size < 7) throw new BlobFormatError('RDB_BAD_LISTPACK', `listpack of ${size} bytes is shorter than its 7-byte header and terminator`, 0);
    const total = buf.readUInt32LE(start);
    if (total !== size) throw new BlobFormatError('RDB_BAD_LISTPACK', `listpack header total-bytes ${total} != blob length ${size}`, 0);
    if (buf[end - 1] !== 0xff) throw new BlobFormatError('RDB_BAD_LISTPACK', 'listpack is missing its 0xFF terminator', size - 1);
    this.openAt(buf, start, end, start + 6, buf.readUInt16LE(start + 4));
  }

  /** Number of elements the header announces, or -1 when it says "unknown" (65535). */
  get declaredCount(): number {
    return this.declared === 65535 ? -1 : this.declared;
  }

  next(): boolean {
    const buf = this.buf;
    const p = this.p;
    const b = buf[p] as number;
    if (p === this.last) {
      if (this.declared !== 65535 && this.declared !== this.count) {
        throw this.err(`listpack header announces ${this.declared} elements but holds ${this.count}`, p);
      }
      return false;
    }
    let size: number; // encoding + data
    if (b < 0x80) {
      this.setInt(b);
      size = 1;
    } else if (b < 0xc0) {
      size = 1 + (b & 0x3f);
      this.setStr(p + 1, p + size);
    } else if (b < 0xe0) {
      this.need(p, 2);
      const v = ((b & 0x1f) << 8) | (buf[p + 1] as number);
      this.setInt(v >= 4096 ? v - 8192 : v);
      size = 2;
    } else if (b < 0xf0) {
      this.need(p, 2);
      size = 2 + (((b & 0x0f) << 8) | (buf[p + 1] as number));
      this.setStr(p + 2, p + size);
    } else {
      switch (b) {
        case 0xf0:
          this.need(p, 5);
          size = 5 + buf.readUInt32LE(p + 1);
          this.setStr(p + 5, p + size);
          break;
        case 0xf1:
          this.need(p, 3);
          this.setInt(buf.readInt16LE(p + 1));
          size = 3;
          break;
        case 0xf2:
          this.need(p, 4);
          this.setInt(buf.readIntLE(p + 1, 3));
          size = 4;
          break;
        case 0xf3:
          this.need(p, 5);
          this.setInt(buf.readInt32LE(p + 1));
          size = 5;
          break;
        case 0xf4:
          this.need(p, 9);
          this.setInt64(p + 1);
          size = 9;
          break;
        case 0xff:
          throw this.err('listpack terminator found before the end of the blob', p);
        default:
          throw this.err(`invalid listpack entry encoding 0x${b.toString(16)}`, p);
      }
    }
    const bl = size <= 127 ? 1 : size < 16383 ? 2 : size < 2097151 ? 3 : size < 268435455 ? 4 : 5;
    const next = p + size + bl;
    if (next > this.last) {
      throw this.err(`listpack entry claims ${size + bl} bytes, only ${this.last - p} present`, p);
    }
    // backlen: big-endian groups of 7 bits, continuation bit on every byte but the first.
    let back = (buf[p + size] as number) & 0x7f;
    for (let k = 1; k < bl; k++) back = back * 128 + ((buf[p + size + k] as number) & 0x7f);
    if (back !== size) throw this.err(`listpack entry back-length ${back} != entry size ${size}`, p + size);
    this.p = next;
    this.count++;
    return true;
  }
}
