// Errors of the RESP reader: malformed or oversize input. Never retriable on the same bytes.
import { ReplicatorError } from '../errors.js';

export type RespErrorCode =
  | 'RESP_UNEXPECTED_BYTE' // a type byte that is not allowed here ('*' expected, '$' expected ...)
  | 'RESP_BAD_LENGTH' // a length or integer line that is not a decimal number
  | 'RESP_BULK_TOO_LARGE' // bulk length above maxBulkLength (proto-max-bulk-len)
  | 'RESP_ARRAY_TOO_LARGE' // array length above maxArrayLength
  | 'RESP_MISSING_CRLF' // a bulk not followed by \r\n, or a line with \r not followed by \n
  | 'RESP_LINE_TOO_LONG' // a header, simple string or annotation line longer than the limit
  | 'RESP_NESTING_TOO_DEEP' // reply arrays nested deeper than the limit
  | 'RESP_TRUNCATED'; // the input ended inside an item

export class RespProtocolError extends ReplicatorError {
  /** Stream position of the offending byte (or of the start of the truncated item). */
  readonly offset: number;

  constructor(code: RespErrorCode, message: string, offset: number) {
    super(code, message);
    this.offset = offset;
  }
}

/** "2a 33 0d 0a 24 (*3..$)": a short excerpt of the bytes at `at`, for error messages. */
export function hexExcerpt(buf: Buffer, at: number, max = 16): string {
  const from = Math.max(0, Math.min(at, buf.length));
  const bytes = buf.subarray(from, Math.min(buf.length, from + max));
  if (bytes.length === 0) return '(no bytes)';
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex} (${text})`;
}
