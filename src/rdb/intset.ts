// intset (intset.h / intsetValidateIntegrity): <u32 LE encoding: 2|4|8> <u32 LE length>
// then `length` signed little-endian integers of that width, in ascending order.
import { int64ToDecimal, intToDecimal } from '../util/decimal.js';
import { BlobFormatError } from './errors.js';

/** Checks the header and returns the number of members. */
export function intsetOpen(buf: Buffer, start: number, end: number): { width: number; length: number } {
  const size = end - start;
  if (size < 8) throw new BlobFormatError('RDB_BAD_INTSET', `intset of ${size} bytes is shorter than its 8-byte header`, 0);
  const width = buf.readUInt32LE(start);
  if (width !== 2 && width !== 4 && width !== 8) {
    throw new BlobFormatError('RDB_BAD_INTSET', `intset encoding ${width} invalid (must be 2/4/8)`, 0);
  }
  const length = buf.readUInt32LE(start + 4);
  if (8 + width * length !== size) {
    throw new BlobFormatError('RDB_BAD_INTSET', `intset length ${length} x ${width} bytes does not match the ${size - 8}-byte body`, 4);
  }
  return { width, length };
}

/** Member i as decimal text. */
export function intsetMember(buf: Buffer, start: number, width: number, i: number): Buffer {
  const at = start + 8 + i * width;
  if (width === 2) return intToDecimal(buf.readInt16LE(at));
  if (width === 4) return intToDecimal(buf.readInt32LE(at));
  return int64ToDecimal(buf.readInt32LE(at + 4), buf.readUInt32LE(at));
}
