// zipmap reader (zipmap.c; hashes in RDB 2..3 files, still loadable by every Redis):
//   <zmlen: 1 byte, >= 254 means "count unknown"> (<len>field<len><free>value<free bytes>)* <0xFF>
//   <len> = 1 byte when < 254, else 0xFE + u32 little-endian; 0xFF ends the map.
//   <free> = 1 byte: unused bytes after the value, to be skipped (zipmapNext).
import { BlobFormatError } from './errors.js';

export class ZipmapReader {
  private buf: Buffer = Buffer.alloc(0);
  private start = 0;
  private p = 0;
  private last = 0;
  private declared = 0;
  count = 0;
  fStart = 0;
  fEnd = 0;
  vStart = 0;
  vEnd = 0;

  open(buf: Buffer, start: number, end: number): void {
    const size = end - start;
    if (size < 2) throw new BlobFormatError('RDB_BAD_ZIPMAP', `zipmap of ${size} bytes is shorter than its header and terminator`, 0);
    if (buf[end - 1] !== 0xff) throw new BlobFormatError('RDB_BAD_ZIPMAP', 'zipmap is missing its 0xFF terminator', size - 1);
    this.buf = buf;
    this.start = start;
    this.declared = buf[start] as number;
    this.p = start + 1;
    this.last = end - 1;
    this.count = 0;
  }

  /** Advances to the next field/value pair; false at the terminator. */
  next(): boolean {
    const buf = this.buf;
    if (buf[this.p] === 0xff) {
      if (this.p !== this.last) throw this.err('zipmap terminator found before the end of the blob', this.p);
      if (this.declared < 254 && this.declared !== this.count) {
        throw this.err(`zipmap header announces ${this.declared} pairs but holds ${this.count}`, this.p);
      }
      return false;
    }
    let p = this.p;
    let len = this.len(p);
    p += buf[p] === 0xfe ? 5 : 1;
    this.fStart = p;
    this.fEnd = p + len;
    p = this.fEnd;
    this.check(p);
    len = this.len(p);
    p += buf[p] === 0xfe ? 5 : 1;
    this.check(p);
    const free = buf[p++] as number;
    this.vStart = p;
    this.vEnd = p + len;
    p = this.vEnd + free;
    this.check(p);
    this.p = p;
    this.count++;
    return true;
  }

  field(): Buffer {
    return this.buf.subarray(this.fStart, this.fEnd);
  }

  value(): Buffer {
    return this.buf.subarray(this.vStart, this.vEnd);
  }

  private len(p: number): number {
    const b = this.buf[p] as number;
    if (b < 0xfe) return b;
    if (b === 0xff) throw this.err('zipmap entry cut by the terminator', p);
    if (p + 5 > this.last) throw this.err('zipmap length overruns the blob', p);
    return this.buf.readUInt32LE(p + 1);
  }

  private check(p: number): void {
    if (p > this.last) throw this.err('zipmap entry overruns the blob', p);
  }

  private err(message: string, at: number): BlobFormatError {
    return new BlobFormatError('RDB_BAD_ZIPMAP', message, at - this.start);
  }
}
