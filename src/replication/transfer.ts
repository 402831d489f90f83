// The RDB payload of a full sync (replication.c readSyncBulkPayload), in either framing:
//   disk-based:  "$<len>\r\n" + exactly <len> RDB bytes, and the command stream right after (no CRLF);
//   diskless:    "$EOF:<40 chars>\r\n" + RDB + the same 40 chars; the stream starts after our first ACK.
// "\n" keepalives may precede the "$" line. The RDB bytes go straight into the streaming parser.
import type { RdbParser } from '../rdb/parser.js';
import { ReplicationError } from './errors.js';
import type { LineReader } from './line-reader.js';

export type Framing = { kind: 'length'; length: number } | { kind: 'eof'; mark: Buffer };

const EOF_MARK_LEN = 40;

export async function readFraming(lines: LineReader, timeoutMs: number): Promise<Framing> {
  for (;;) {
    const line = await lines.readLine(timeoutMs, 'transfer', 'the RDB transfer header');
    if (line === '') continue;
    if (line.startsWith('-')) {
      throw new ReplicationError('REPL_TRANSFER_ABORTED', `master aborted the full sync: ${line.slice(1)}`, 'transfer', { retriable: true });
    }
    if (line.startsWith('$EOF:')) {
      const mark = Buffer.from(line.slice(5), 'latin1');
      if (mark.length !== EOF_MARK_LEN) {
        throw new ReplicationError('REPL_PROTOCOL', `EOF mark of ${mark.length} bytes, expected ${EOF_MARK_LEN}`, 'transfer', { retriable: true });
      }
      return { kind: 'eof', mark };
    }
    const m = /^\$(\d+)$/.exec(line);
    if (!m) throw new ReplicationError('REPL_PROTOCOL', `expected the RDB transfer header ($<len> or $EOF:<mark>), got ${JSON.stringify(line.slice(0, 80))}`, 'transfer', { retriable: true });
    return { kind: 'length', length: Number(m[1]) };
  }
}

/** Feeds the payload to the parser; returns the bytes after the payload once it is complete. */
export class RdbTransfer {
  private received = 0;
  private markBuf: Buffer | null = null;

  constructor(
    private readonly framing: Framing,
    private readonly parser: RdbParser,
  ) {}

  /** Bytes of the payload received so far (RDB + EOF mark). */
  get bytes(): number {
    return this.received;
  }

  /** Returns null while the payload is incomplete, else what follows it (possibly empty). */
  push(chunk: Buffer): Buffer | null {
    return this.framing.kind === 'length' ? this.pushLength(chunk, this.framing.length) : this.pushEof(chunk, this.framing.mark);
  }

  private pushLength(chunk: Buffer, length: number): Buffer | null {
    const want = length - this.received;
    const take = Math.min(want, chunk.length);
    if (take > 0) this.parser.feed(chunk.subarray(0, take));
    this.received += take;
    if (this.received < length) return null;
    this.parser.end();
    if (this.parser.remainder().length > 0) {
      throw new ReplicationError('REPL_PROTOCOL', `the RDB ended ${this.parser.remainder().length} bytes before the announced length ${length}`, 'transfer', { retriable: true });
    }
    return chunk.subarray(take);
  }

  private pushEof(chunk: Buffer, mark: Buffer): Buffer | null {
    this.received += chunk.length;
    let tail: Buffer;
    if (this.markBuf === null) {
      this.parser.feed(chunk);
      if (!this.parser.done) return null;
      tail = this.parser.remainder();
    } else {
      tail = Buffer.concat([this.markBuf, chunk]);
    }
    this.markBuf = tail;
    if (tail.length < EOF_MARK_LEN) return null;
    if (!tail.subarray(0, EOF_MARK_LEN).equals(mark)) {
      throw new ReplicationError('REPL_PROTOCOL', 'the EOF mark after the RDB does not match the one announced: the transfer is corrupt', 'transfer', { retriable: true });
    }
    const rest = tail.subarray(EOF_MARK_LEN);
    this.received -= rest.length;
    return rest;
  }
}
