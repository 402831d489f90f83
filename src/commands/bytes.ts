// Byte-level helpers for argv matching, so the hot path never turns arguments into strings.

/** ASCII case-insensitive equality of `buf` with `lower` (a lower-case ASCII string), like strcasecmp. */
export function equalsIgnoreCase(buf: Buffer, lower: string): boolean {
  const n = buf.length;
  if (n !== lower.length) return false;
  for (let i = 0; i < n; i++) {
    let c = buf[i];
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Decimal integer with Redis string2ll rules (optional '-', no '+', no spaces, no leading zeros);
 *  NaN when invalid or beyond 2^53. */
export function parseDecimal(buf: Buffer): number {
  const n = buf.length;
  if (n === 0 || n > 17) return NaN;
  let i = 0;
  let neg = false;
  if (buf[0] === 0x2d) {
    if (n === 1) return NaN;
    neg = true;
    i = 1;
  }
  if (buf[i] === 0x30) return n === i + 1 && !neg ? 0 : NaN;
  let v = 0;
  for (; i < n; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) return NaN;
    v = v * 10 + (c - 0x30);
  }
  if (v > Number.MAX_SAFE_INTEGER) return NaN;
  return neg ? -v : v;
}
