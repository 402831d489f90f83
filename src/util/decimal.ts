// Integers as decimal text, the way Redis returns integer-encoded values: exact for the whole
// int64/uint64 range without BigInt on the common (|n| < 2^53) path.

const TWO32 = 4294967296;
const POW10: number[] = [];
for (let i = 0, x = 1; i <= 17; i++, x *= 10) POW10.push(x);

// Small decimal renderings are carved out of a shared slab: one allocation per 8 KiB of output
// instead of one per integer. A slab is never written again once handed out, so views stay valid.
const SLAB_SIZE = 8192;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabPos = 0;

/** Decimal text of a safe integer (|n| <= 2^53) as a Buffer. */
export function intToDecimal(n: number): Buffer {
  if (slabPos + 21 > SLAB_SIZE) {
    slab = Buffer.allocUnsafe(SLAB_SIZE);
    slabPos = 0;
  }
  const start = slabPos;
  let p = start;
  let v = n;
  if (v < 0) {
    slab[p++] = 0x2d;
    v = -v;
  }
  if (v < 10) {
    slab[p++] = 0x30 + v;
  } else {
    // Count digits (exact comparisons against powers of ten), then write them right to left.
    let digits = 2;
    while (digits < 17 && v >= POW10[digits]) digits++;
    let q = p + digits - 1;
    while (v >= 10) {
      const d = v % 10;
      slab[q--] = 0x30 + d;
      v = (v - d) / 10;
    }
    slab[q] = 0x30 + v;
    p += digits;
  }
  slabPos = p;
  return slab.subarray(start, p);
}

/** Decimal text of a signed 64-bit integer given as two's complement halves (hi signed or not). */
export function int64ToDecimal(hi: number, lo: number): Buffer {
  const h = hi | 0;
  const l = lo >>> 0;
  if (h >= -0x200000 && h < 0x200000) return intToDecimal(h * TWO32 + l); // within 2^53
  return Buffer.from(((BigInt(h) << 32n) | BigInt(l)).toString(), 'latin1');
}

/** Decimal text of an unsigned 64-bit integer given as two 32-bit halves. */
export function uint64ToText(hi: number, lo: number): string {
  const h = hi >>> 0;
  const l = lo >>> 0;
  if (h < 0x200000) return String(h * TWO32 + l);
  return ((BigInt(h) << 32n) | BigInt(l)).toString();
}
