// What the ziplist and listpack readers share: the current entry (an integer, or a string as a view of
// the blob), its value as bytes (integers are the canonical form of a string, rendered as decimal text),
// the int64 encoding both use, and bounds-checked errors that give the offset inside the blob.
import { intToDecimal } from '../util/decimal.js';
import { BlobFormatError } from './errors.js';

const TWO32 = 4294967296;

export abstract class BlobEntryReader {
  protected buf: Buffer = Buffer.alloc(0);
  protected start = 0;
  protected p = 0;
  /** Index of the 0xFF terminator. */
  protected last = 0;
  protected declared = 0;
  /** Entries read so far. */
  count = 0;
  /** Current entry: an integer (intVal, or bigVal when beyond 2^53) or a string buf[sStart, sEnd). */
  isInt = false;
  isBig = false;
  intVal = 0;
  bigVal = 0n;
  sStart = 0;
  sEnd = 0;

  constructor(
    private readonly code: 'RDB_BAD_LISTPACK' | 'RDB_BAD_ZIPLIST',
    /** "listpack" / "ziplist", for messages. */
    private readonly kind: string,
  ) {}

  /** Advances to the next entry; false at the terminator (after checking the element count). */
  abstract next(): boolean;

  /** Positions the reader on the blob buf[start, end), whose header was checked: entries from `first`. */
  protected openAt(buf: Buffer, start: number, end: number, first: number, declared: number): void {
    this.buf = buf;
    this.start = start;
    this.p = first;
    this.last = end - 1;
    this.declared = declared;
    this.count = 0;
  }

  /** The current entry as bytes: a view for strings, decimal text for integers. */
  value(): Buffer {
    if (!this.isInt) return this.buf.subarray(this.sStart, this.sEnd);
    return this.isBig ? Buffer.from(this.bigVal.toString(), 'latin1') : intToDecimal(this.intVal);
  }

  /** The current entry as an integer (strings must hold one); null when it is not an integer. */
  integer(): number | null {
    if (this.isInt) return this.isBig ? Number(this.bigVal) : this.intVal;
    return null;
  }

  /** Offset of the reader inside the blob, for messages. */
  get offset(): number {
    return this.p - this.start;
  }

  protected setInt(v: number): void {
    this.isInt = true;
    this.isBig = false;
    this.intVal = v;
  }

  /** The 8-byte little-endian signed integer at `at` (a number when it fits in 53 bits, else a bigint). */
  protected setInt64(at: number): void {
    const buf = this.buf;
    const lo = buf.readUInt32LE(at);
    const hi = buf.readInt32LE(at + 4);
    if (hi >= -0x200000 && hi < 0x200000) this.setInt(hi * TWO32 + lo);
    else {
      this.isInt = true;
      this.isBig = true;
      this.bigVal = (BigInt(hi) << 32n) | BigInt(lo);
    }
  }

  protected setStr(s: number, e: number): void {
    if (e > this.last) throw this.err(`${this.kind} entry claims ${e - s} bytes of string, only ${Math.max(0, this.last - s)} present`, s);
    this.isInt = false;
    this.sStart = s;
    this.sEnd = e;
  }

  /** Checks that n bytes from p lie before the terminator. */
  protected need(p: number, n: number): void {
    if (p + n > this.last) throw this.err(`${this.kind} entry header overruns the blob`, p);
  }

  protected err(message: string, at: number): BlobFormatError {
    return new BlobFormatError(this.code, message, at - this.start);
  }
}
