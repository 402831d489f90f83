// JSON form of byte strings, shared by the event codec, the dataset export and the tests:
// a JSON string when the bytes are valid UTF-8 (the string is exactly their UTF-8 decoding),
// else {"b64": "<standard base64>"}. This is the corpus convention (shared/corpus/MANIFEST.md).
import { isUtf8 } from 'node:buffer';

export type JsonBytes = string | { b64: string };

export function bytesToJson(b: Buffer): JsonBytes {
  // isUtf8 rejects overlongs and surrogates, so toString('utf8') is lossless for what it accepts.
  return isUtf8(b) ? b.toString('utf8') : { b64: b.toString('base64') };
}

/** Inverse of bytesToJson; returns null when `v` is neither form. */
export function bytesFromJson(v: unknown): Buffer | null {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v !== null && typeof v === 'object' && typeof (v as { b64?: unknown }).b64 === 'string') {
    return Buffer.from((v as { b64: string }).b64, 'base64');
  }
  return null;
}

/** Decimal text of a double that Number() parses back to the same value, -0 included. */
export function doubleToText(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return String(x); // "Infinity", "-Infinity", "1e+300", "5e-324" all round-trip through Number()
}

/** Inverse of doubleToText (also accepts a JSON number); NaN when unparseable. */
export function doubleFromText(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.trim() === '') return NaN;
  return Number(v);
}
