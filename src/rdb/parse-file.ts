// Reading an RDB file (or the RDB preamble of an AOF) from disk through the streaming parser.
// The file is read in fixed-size pieces into fresh buffers (the parser keeps views into them);
// when onEvents returns a promise, the next piece is read only once it has settled: back-pressure.
import { open } from 'node:fs/promises';
import type { ChecksumStatus, SnapshotEvent } from '../events/types.js';
import { RdbParser, type RdbParserOptions } from './parser.js';

export interface RdbFileOptions extends RdbParserOptions {
  /** Bytes per read (default 256 KiB). */
  readSize?: number;
}

export interface RdbFileResult {
  keys: number;
  /** Size of the RDB payload. */
  bytes: number;
  checksum: ChecksumStatus;
  /** Bytes after the end of the RDB (Redis loads such files and ignores them). */
  trailingBytes: number;
}

export type EventsHandler = (events: SnapshotEvent[]) => void | Promise<void>;

export async function parseRdbFile(path: string, onEvents: EventsHandler, options: RdbFileOptions = {}): Promise<RdbFileResult> {
  const fh = await open(path, 'r');
  let next: Promise<Buffer> | null = null;
  try {
    const size = (await fh.stat()).size;
    let waits: Promise<void>[] = [];
    let checksum: ChecksumStatus = 'absent';
    const parser = new RdbParser(
      (events) => {
        for (const e of events) if (e.type === 'snapshot-end') checksum = e.checksum;
        const r = onEvents(events);
        if (r) waits.push(r);
      },
      { payloadLength: size, ...options },
    );
    const readSize = options.readSize ?? 256 * 1024;
    let position = 0;
    const readAt = async (): Promise<Buffer> => {
      const buf = Buffer.allocUnsafe(readSize);
      const { bytesRead } = await fh.read(buf, 0, readSize, position);
      position += bytesRead;
      return bytesRead === readSize ? buf : buf.subarray(0, bytesRead);
    };
    next = readAt();
    for (;;) {
      const buf: Buffer = await next;
      if (buf.length === 0) break;
      // The next read runs on the thread pool while this chunk is parsed.
      next = readAt();
      parser.feed(buf);
      if (waits.length > 0) {
        const pending = waits;
        waits = [];
        await Promise.all(pending);
      }
      // Once the RDB is complete the rest of the file is not needed (only counted).
      if (parser.done) {
        const trailing = size - parser.position;
        return { keys: parser.keys, bytes: parser.position, checksum, trailingBytes: trailing };
      }
    }
    parser.end();
    return { keys: parser.keys, bytes: parser.position, checksum, trailingBytes: parser.remainder().length };
  } finally {
    // A read may still be in flight (read-ahead): let it settle before closing the file.
    if (next) await next.catch(() => undefined);
    await fh.close();
  }
}
