// Errors of the AOF reader. The message names the file, the byte offset and the fix.
import { ReplicatorError, type ReplicatorErrorOptions } from '../errors.js';

export type AofErrorCode =
  | 'AOF_NOT_FOUND' // path, manifest or a file it lists does not exist
  | 'AOF_BAD_MANIFEST' // manifest line that Redis would refuse too
  | 'AOF_BAD_FORMAT' // bytes that are not RESP commands (wraps a RespProtocolError)
  | 'AOF_BAD_PREAMBLE' // the RDB preamble / base RDB does not parse (wraps an RdbParseError)
  | 'AOF_TRUNCATED'; // a file ends inside a command or a MULTI

export class AofError extends ReplicatorError {
  /** Byte offset in the AOF (cumulative over the files, see aof-reader.ts), when it applies. */
  readonly offset: number | null;

  constructor(code: AofErrorCode, message: string, offset: number | null = null, options: ReplicatorErrorOptions = {}) {
    super(code, message, options);
    this.offset = offset;
  }
}
