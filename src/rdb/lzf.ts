// LZF decompression of a whole compressed blob (lzf_d.c lzf_decompress), used for keys, elements,
// compact-encoding blobs and strings up to maxChunkBytes. Big strings use lzf-stream.ts instead.
//
// Stream of instructions, each starting with a control byte `c`:
//   c < 32        literal run: copy the next c+1 input bytes
//   c >= 32       back-reference: len = c >> 5 (7 means "add the next byte"), then
//                 ref = out - ((c & 0x1f) << 8) - next byte - 1; copy len+2 bytes from ref
//                 (overlapping copies repeat the pattern, so they go byte by byte).
import { BlobFormatError } from './errors.js';

// TypedArray's own fill: Buffer.prototype.fill adds argument checks we do not need here.
const typedFill = Uint8Array.prototype.fill;

/** Largest output one input byte can produce: a 3-byte back-reference yields 264 bytes. */
export const LZF_MAX_EXPANSION = 88;

/** Above this size the announced length is verified by a walk of the instructions before the output
 *  is allocated: no big allocation is ever sized by a length that the data does not back. */
const CHECK_BEFORE_ALLOC = 65536;

/** Decompresses src[start, end) into a new buffer of exactly rawLen bytes. */
export function lzfDecompress(src: Uint8Array, start: number, end: number, rawLen: number): Buffer {
  if (rawLen > CHECK_BEFORE_ALLOC) {
    const size = lzfOutputSize(src, start, end);
    if (size !== rawLen) throw new BlobFormatError('RDB_BAD_LZF', `LZF output is ${size} bytes but the header says ${rawLen}`, end - start);
  }
  const out = Buffer.allocUnsafe(rawLen);
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = src[ip++] as number;
    if (ctrl < 32) {
      let n = ctrl + 1;
      if (ip + n > end) throw new BlobFormatError('RDB_BAD_LZF', `LZF literal run of ${n} bytes overruns the compressed data`, ip - 1 - start);
      if (op + n > rawLen) throw lengthError(rawLen, ip - 1 - start);
      while (n-- > 0) out[op++] = src[ip++] as number;
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= end) throw new BlobFormatError('RDB_BAD_LZF', 'LZF back-reference is cut short', ip - 1 - start);
        len += src[ip++] as number;
      }
      if (ip >= end) throw new BlobFormatError('RDB_BAD_LZF', 'LZF back-reference is cut short', ip - 1 - start);
      const off = ((ctrl & 0x1f) << 8) + (src[ip++] as number) + 1;
      const ref = op - off;
      len += 2;
      if (ref < 0) throw new BlobFormatError('RDB_BAD_LZF', `LZF back-reference points ${-ref} bytes before the start of the output`, ip - 2 - start);
      if (op + len > rawLen) throw lengthError(rawLen, ip - 2 - start);
      if (len <= 16) {
        // Short copies (most of them): a plain loop, correct for overlaps too.
        for (let r = ref; len-- > 0; ) out[op++] = out[r++] as number;
      } else {
        copyLongBackReference(out, op, ref, len);
        op += len;
      }
    }
  }
  if (op !== rawLen) {
    throw new BlobFormatError('RDB_BAD_LZF', `LZF output is ${op} bytes but the header says ${rawLen}`, end - start);
  }
  return out;
}

/** The number of bytes src[start, end) decompresses to, found by walking the instructions. */
export function lzfOutputSize(src: Uint8Array, start: number, end: number): number {
  let ip = start;
  let op = 0;
  while (ip < end) {
    const ctrl = src[ip] as number;
    if (ctrl < 32) {
      if (ip + 1 + ctrl + 1 > end) throw new BlobFormatError('RDB_BAD_LZF', `LZF literal run of ${ctrl + 1} bytes overruns the compressed data`, ip - start);
      op += ctrl + 1;
      ip += ctrl + 2;
    } else {
      let len = ctrl >>> 5;
      let q = ip + 1;
      if (len === 7) len += src[q++] as number;
      if (q >= end) throw new BlobFormatError('RDB_BAD_LZF', 'LZF back-reference is cut short', ip - start);
      const back = ((ctrl & 0x1f) << 8) + (src[q] as number) + 1;
      if (back > op) throw new BlobFormatError('RDB_BAD_LZF', `LZF back-reference points ${back - op} bytes before the start of the output`, ip - start);
      op += len + 2;
      ip = q + 1;
    }
  }
  return op;
}

/**
 * Copies out[ref, ref + len) to out[op, op + len) (ref < op) as a byte-by-byte copy would: when the
 * ranges overlap, the copy repeats the last op - ref bytes. For long copies (short ones are a plain loop
 * in the callers, faster inline); shared with lzf-stream.ts.
 */
export function copyLongBackReference(out: Uint8Array, op: number, ref: number, len: number): void {
  if (op - ref === 1) {
    typedFill.call(out, out[ref] as number, op, op + len); // a run of one byte
    return;
  }
  // copy in growing blocks
  const stop = op + len;
  while (op < stop) {
    const n = Math.min(op - ref, stop - op);
    out.copyWithin(op, ref, ref + n);
    op += n;
  }
}

function lengthError(rawLen: number, at: number): BlobFormatError {
  return new BlobFormatError('RDB_BAD_LZF', `LZF output exceeds the ${rawLen} bytes the header announces`, at);
}
