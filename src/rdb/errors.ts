// Errors of the RDB stage. Every failure names the byte offset inside the RDB payload where it was
// detected and what was expected there; the parser adds the db and key being read.
import { ReplicatorError } from '../errors.js';

export type RdbErrorCode =
  | 'RDB_BAD_MAGIC'
  | 'RDB_BAD_VERSION'
  | 'RDB_UNSUPPORTED_VERSION'
  | 'RDB_UNEXPECTED_EOF'
  | 'RDB_BAD_LENGTH'
  | 'RDB_UNKNOWN_TYPE'
  | 'RDB_UNSUPPORTED_TYPE'
  | 'RDB_UNKNOWN_OPCODE'
  | 'RDB_UNSUPPORTED_OPCODE'
  | 'RDB_BAD_STRING_ENCODING'
  | 'RDB_BAD_LZF'
  | 'RDB_BAD_ZIPLIST'
  | 'RDB_BAD_LISTPACK'
  | 'RDB_BAD_INTSET'
  | 'RDB_BAD_ZIPMAP'
  | 'RDB_BAD_QUICKLIST'
  | 'RDB_BAD_CHECKSUM'
  | 'RDB_NAN_SCORE'
  | 'RDB_BAD_SCORE'
  | 'RDB_BAD_STREAM'
  | 'RDB_BAD_MODULE'
  | 'RDB_VALUE_TOO_LARGE'
  | 'RDB_PARSER_STATE';

export interface RdbErrorContext {
  /** Byte offset inside the RDB payload where the problem was detected. */
  rdbOffset: number;
  db?: number;
  /** The key being read, when known. */
  key?: Buffer;
}

export class RdbParseError extends ReplicatorError {
  override readonly code: RdbErrorCode;
  readonly rdbOffset: number;
  readonly db: number | undefined;
  readonly key: Buffer | undefined;

  constructor(code: RdbErrorCode, message: string, context: RdbErrorContext, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.code = code;
    this.rdbOffset = context.rdbOffset;
    this.db = context.db;
    this.key = context.key;
  }
}

/** Thrown by the pure encoding decoders (LZF, listpack, ziplist ...), which know only their own blob:
 *  `at` is relative to the blob start. The parser rethrows it as an RdbParseError with the absolute
 *  offset, the db and the key. */
export class BlobFormatError extends Error {
  constructor(
    readonly code: RdbErrorCode,
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = 'BlobFormatError';
  }
}

/** A key for a message: printable ASCII as a quoted prefix, anything else as a hex prefix. */
export function describeKey(key: Buffer): string {
  const max = 64;
  const view = key.length > max ? key.subarray(0, max) : key;
  let printable = true;
  for (let i = 0; i < view.length; i++) {
    const c = view[i] as number;
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
      printable = false;
      break;
    }
  }
  const more = key.length > max ? `... (${key.length} bytes)` : '';
  return printable ? `"${view.toString('latin1')}${more}"` : `0x${view.toString('hex')}${more}`;
}
