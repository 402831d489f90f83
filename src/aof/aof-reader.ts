// Reads an AOF the way Redis loads it (aof.c loadAppendOnlyFiles / loadSingleAppendOnlyFile) and turns
// it into events: a plain AOF, a single file with an RDB preamble ("REDIS..." then RESP commands), or a
// 7.x multi-part directory (manifest, base RDB or AOF, incr files with optional #TS annotations).
//
// Events, in order: the snapshot events of an RDB preamble / base RDB (reason 'file'), 'stream-begin'
// (mode 'file') where the first RESP commands start, command/transaction events, 'stream-end'
// (reason 'eof', or 'truncated' when a last file ends inside a command and that is tolerated).
//
// Offsets: one byte position over the concatenation of the files in load order (base, then incr files
// in manifest order). A command event's `offset` is the position just after the command (EXEC for a
// transaction); snapshot events carry the position where their RDB starts (0 for a base or preamble),
// with rdbOffset inside it. replid is ''. db follows SELECT and starts at 0 in every file, as Redis
// loads each file with a fresh client. "#TS:<unix seconds>" sets timestampMs (ms) on the events that
// follow it in the same file.
//
// A file that ends inside a command or an open MULTI: Redis (aof-load-truncated yes, the default)
// loads up to the last complete command before it when it is the last file, and refuses otherwise.
// Here: option `truncated: 'warn'` (default) does the same and reports a warning with the offset;
// 'error' throws AOF_TRUNCATED. A non-last file always throws.
import { open } from 'node:fs/promises';
import { StreamAssembler } from '../commands/stream-assembler.js';
import type { ReplicationEvent, SnapshotEvent } from '../events/types.js';
import { RdbParseError } from '../rdb/errors.js';
import { RdbParser } from '../rdb/parser.js';
import { RespCommandDecoder } from '../resp/command-decoder.js';
import { RespProtocolError } from '../resp/errors.js';
import { AofError } from './errors.js';
import { resolveAofLayout, type AofLayout, type AofPart } from './layout.js';

export interface AofWarning {
  code: 'AOF_TRUNCATED';
  message: string;
  /** Where the valid part of the AOF ends (cumulative offset). */
  offset: number;
  file: string;
}

export interface AofReadOptions {
  /** Read size. Default 64 KiB; at least 16. */
  chunkSize?: number;
  /** Last file ending inside a command or MULTI: 'warn' (default, like aof-load-truncated yes) or 'error'. */
  truncated?: 'warn' | 'error';
  onWarning?: (warning: AofWarning) => void;
  /** Largest bulk accepted (proto-max-bulk-len). Default 512 MiB. */
  maxBulkLength?: number;
}

export interface AofSummary {
  layout: AofLayout;
  /** Bytes read over all files. */
  bytes: number;
  /** RESP commands read (SELECT, MULTI ... included). */
  commands: number;
  /** #... annotation lines read. */
  annotations: number;
  /** Events passed to onEvents (snapshot events and stream markers included). */
  events: number;
  /** Where the valid data ended when the last file was truncated, else null. */
  truncatedAt: number | null;
}

/** Receives events in order, in batches (one per chunk read); awaited, so it can apply back-pressure. */
export type AofEventsHandler = (events: ReplicationEvent[]) => void | Promise<void>;

const DEFAULT_CHUNK = 64 * 1024;

function hasRdbSignature(chunk: Buffer): boolean {
  return (chunk.length >= 5 && chunk.toString('latin1', 0, 5) === 'REDIS') || (chunk.length >= 6 && chunk.toString('latin1', 0, 6) === 'VALKEY');
}

export async function readAof(path: string, onEvents: AofEventsHandler, options: AofReadOptions = {}): Promise<AofSummary> {
  const layout = await resolveAofLayout(path);
  // At least 16 bytes, so the first read holds the whole "REDIS"/"VALKEY" signature.
  const chunkSize = Math.max(16, options.chunkSize ?? DEFAULT_CHUNK);
  let batch: ReplicationEvent[] = [];
  let eventCount = 0;
  let annotations = 0;
  const assembler = new StreamAssembler({ onEvent: (e) => void batch.push(e) }, { replid: '', offset: 0, db: 0 });
  const decoderSink = {
    onCommand: (args: Buffer[], start: number, end: number) => assembler.onCommand(args, start, end),
    onAnnotation: (text: Buffer) => {
      annotations++;
      // "#TS:<unix seconds>" (aof.c genAofTimestampAnnotationIfNeeded); other annotations carry nothing we use.
      if (text.length > 3 && text.toString('latin1', 0, 3) === 'TS:') {
        const seconds = Number(text.toString('latin1', 3));
        if (Number.isSafeInteger(seconds)) assembler.timestampMs = seconds * 1000;
      }
    },
  };
  let streamBegun = false;
  let base = 0; // cumulative position of the current file's first byte
  let truncatedAt: number | null = null;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const out = batch;
    batch = [];
    eventCount += out.length;
    await onEvents(out);
  };

  const startCommands = (position: number): RespCommandDecoder => {
    if (!streamBegun) {
      streamBegun = true;
      batch.push({ type: 'stream-begin', replid: '', offset: position, db: 0, mode: 'file' });
    }
    assembler.reset(position, 0);
    assembler.timestampMs = undefined;
    return new RespCommandDecoder(decoderSink, { position, annotations: true, maxBulkLength: options.maxBulkLength });
  };

  const describe = (part: AofPart) => (layout.kind === 'multipart' ? `${part.path} (${part.type} seq ${part.seq})` : part.path);

  for (let index = 0; index < layout.parts.length; index++) {
    const part = layout.parts[index];
    const isLast = index === layout.parts.length - 1;
    const handle = await open(part.path, 'r').catch((err: unknown) => {
      throw new AofError('AOF_NOT_FOUND', `cannot open ${part.path}: ${(err as Error).message}`, null, { cause: err });
    });
    let fileBytes = 0;
    let rdb: RdbParser | null = null;
    let decoder: RespCommandDecoder | null = null;
    const feed = (chunk: Buffer) => {
      try {
        (decoder as RespCommandDecoder).feed(chunk);
      } catch (err) {
        if (err instanceof RespProtocolError) {
          throw new AofError(
            'AOF_BAD_FORMAT',
            `${describe(part)} is not a valid AOF at byte ${err.offset - base} of the file (AOF offset ${err.offset}): ${err.message}`,
            err.offset,
            { cause: err },
          );
        }
        throw err;
      }
    };
    const rdbFailure = (err: unknown): never => {
      if (err instanceof RdbParseError) {
        throw new AofError(
          'AOF_BAD_PREAMBLE',
          `${describe(part)}: the RDB ${layout.kind === 'multipart' ? 'base' : 'preamble'} does not parse at byte ${err.rdbOffset}: ${err.message}`,
          base + err.rdbOffset,
          { cause: err },
        );
      }
      throw err;
    };
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(chunkSize); // fresh per read: events keep views of it
        const { bytesRead } = await handle.read(buf, 0, chunkSize, null);
        if (bytesRead === 0) break;
        const chunk = buf.subarray(0, bytesRead);
        if (fileBytes === 0) {
          if (hasRdbSignature(chunk)) {
            rdb = new RdbParser(
              (events: SnapshotEvent[]) => {
                for (const e of events) batch.push(e);
              },
              { replid: '', offset: base, reason: 'file' },
            );
          } else {
            decoder = startCommands(base);
          }
        }
        fileBytes += bytesRead;
        if (rdb !== null) {
          try {
            rdb.feed(chunk);
          } catch (err) {
            rdbFailure(err);
          }
          if (rdb.done) {
            const rest = rdb.remainder();
            rdb = null;
            decoder = startCommands(base + fileBytes - rest.length);
            if (rest.length > 0) feed(rest);
          }
        } else {
          feed(chunk);
        }
        await flush();
      }
    } finally {
      await handle.close();
    }

    if (rdb !== null) {
      // The file ended inside its RDB part: RdbParser.end() names what is missing.
      try {
        rdb.end();
      } catch (err) {
        rdbFailure(err);
      }
      throw new AofError('AOF_BAD_PREAMBLE', `${describe(part)} ends inside its RDB part`, base + fileBytes);
    }
    if (decoder === null) decoder = startCommands(base); // empty file
    const cut = !decoder.idle || assembler.inTransaction;
    if (cut) {
      const inMulti = assembler.inTransaction;
      const valid = inMulti ? assembler.abort() : decoder.boundary;
      const what = inMulti ? `inside a MULTI/EXEC transaction that starts at AOF offset ${assembler.transactionStart}` : `inside a command that starts at AOF offset ${decoder.boundary}`;
      const message =
        `${describe(part)} ends ${what} (file size ${fileBytes}); the complete commands end at AOF offset ${valid} ` +
        `(byte ${valid - base} of the file)`;
      if (!isLast || options.truncated === 'error') {
        throw new AofError('AOF_TRUNCATED', `${message}${isLast ? '' : ': only the last file may be truncated'}`, valid);
      }
      truncatedAt = valid;
      options.onWarning?.({ code: 'AOF_TRUNCATED', message: `${message}; the rest is ignored, as Redis does with aof-load-truncated yes`, offset: valid, file: part.path });
    }
    base += fileBytes;
  }

  batch.push({
    type: 'stream-end',
    replid: '',
    offset: truncatedAt ?? base,
    db: assembler.db,
    reason: truncatedAt === null ? 'eof' : 'truncated',
  });
  await flush();
  return { layout, bytes: base, commands: assembler.commands, annotations, events: eventCount, truncatedAt };
}
