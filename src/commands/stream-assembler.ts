// Turns the command stream (argv + stream positions, in order) into command and transaction events,
// the way a replica applies it (replication-protocol.md §2):
//  - SELECT changes the current db (inside or outside MULTI) and is not an event;
//  - PING, REPLCONF (GETACK ...), empty commands, and MULTI/EXEC/DISCARD themselves are not events;
//  - MULTI ... EXEC becomes one transaction event, offset = end of EXEC, each command with its own db;
//  - every other command becomes a command event, offset = stream position just after it.
// Offsets are the stream positions the decoder reports: start the decoder at the +FULLRESYNC offset (or
// the resume offset) and they are master replication offsets.
//
// Safe offsets: `offset` is the position after the last command that is fully applied (never inside an
// open MULTI). Commands that produce no event report it through onProgress so a caller can checkpoint or
// ACK offsets that end in a PING or SELECT. A stream that stops inside MULTI (link lost, truncated AOF)
// must not publish the partial transaction: abort() drops it and gives the offset to resume from.
//
// The assembler implements RespCommandSink's onCommand, so a RespCommandDecoder can feed it directly.
import type { CommandEvent, TransactionCommand, TransactionEvent } from '../events/types.js';
import { equalsIgnoreCase, parseDecimal } from './bytes.js';
import { getCommand, resolveCommand } from './command-lookup.js';
import type { CommandInfo } from './command-spec.js';
import { commandBody } from './parse.js';

export interface StreamAssemblerHandlers {
  /** A command or transaction event, in stream order. */
  onEvent(event: CommandEvent | TransactionEvent): void;
  /** The stream advanced to `offset` through commands that are not events (PING, SELECT, REPLCONF,
   *  DISCARD, empty); `db` is the database selected there. Never called inside MULTI. */
  onProgress?(offset: number, db: number): void;
  /** REPLCONF GETACK: the master wants REPLCONF ACK <offset>, the offset BEFORE the GETACK (the real
   *  replica answers before counting the GETACK's own bytes). onProgress follows with its end. */
  onGetAck?(offset: number): void;
}

export interface StreamAssemblerOptions {
  /** Replication id stamped on events ('' for files). */
  replid: string;
  /** Stream position before the first command (the +FULLRESYNC or resume offset). Default 0. */
  offset?: number;
  /** Database selected at `offset`: AUX repl-stream-db after a full sync, the checkpoint's db after
   *  +CONTINUE (the master does not resend SELECT). Default 0. */
  db?: number;
}

function required(name: string): CommandInfo {
  const info = getCommand(name);
  if (!info) throw new Error(`command table lacks ${name}`);
  return info;
}

const SELECT = required('select');
const PING = required('ping');
const MULTI = required('multi');
const EXEC = required('exec');
const DISCARD = required('discard');
const REPLCONF = required('replconf');

export class StreamAssembler {
  /** Stamped on the next events; change it when the master's replid changes (+CONTINUE <newid>). */
  replid: string;
  /** Current database: follows SELECT; set it from outside for repl-stream-db or a checkpoint. */
  db: number;
  /** Unix ms stamped on the next events as `timestampMs` (AOF #TS annotations); undefined = none. */
  timestampMs: number | undefined = undefined;

  private readonly handlers: StreamAssemblerHandlers;
  private safeOffset: number;
  private tx: TransactionCommand[] | null = null;
  private txDb = 0;
  private txStart = 0;
  private eventCount = 0;
  private commandCount = 0;

  constructor(handlers: StreamAssemblerHandlers, options: StreamAssemblerOptions) {
    this.handlers = handlers;
    this.replid = options.replid;
    this.safeOffset = options.offset ?? 0;
    this.db = options.db ?? 0;
  }

  /** Position after the last fully applied command (never inside an open MULTI). */
  get offset(): number {
    return this.safeOffset;
  }

  /** True between MULTI and EXEC. */
  get inTransaction(): boolean {
    return this.tx !== null;
  }

  /** Events emitted so far. */
  get events(): number {
    return this.eventCount;
  }

  /** Commands received so far (every argv, including SELECT, PING, MULTI ...). */
  get commands(): number {
    return this.commandCount;
  }

  /** Drops an open transaction (the stream stopped inside it); restores the db selected at MULTI.
   *  Returns the offset to resume from. */
  abort(): number {
    if (this.tx !== null) {
      this.tx = null;
      this.db = this.txDb;
    }
    return this.safeOffset;
  }

  /** Restart at another stream position (reconnect, next AOF file): drops an open transaction. */
  reset(offset: number, db: number): void {
    this.tx = null;
    this.safeOffset = offset;
    this.db = db;
  }

  /** Stream position where the open transaction's MULTI starts (valid while inTransaction). */
  get transactionStart(): number {
    return this.txStart;
  }

  /** One command of the stream: argv and its [start, end) stream positions. */
  onCommand(args: Buffer[], start: number, end: number): void {
    this.commandCount++;
    if (args.length === 0) {
      this.progress(end);
      return;
    }
    const info = resolveCommand(args);
    const tx = this.tx;
    if (info === SELECT) {
      const db = args.length === 2 ? parseDecimal(args[1]) : NaN;
      if (db >= 0) {
        this.db = db;
        this.progress(end);
        return;
      }
      // A SELECT we cannot read is kept as an ordinary event: nothing is dropped silently.
    } else if (info === PING) {
      this.progress(end);
      return;
    } else if (info === REPLCONF) {
      if (args.length >= 2 && equalsIgnoreCase(args[1], 'getack') && this.handlers.onGetAck) this.handlers.onGetAck(start);
      this.progress(end);
      return;
    } else if (info === MULTI) {
      // A nested MULTI is refused by Redis ("MULTI calls can not be nested") and changes nothing.
      if (tx === null) {
        this.tx = [];
        this.txDb = this.db;
        this.txStart = start;
      }
      return;
    } else if (info === EXEC) {
      if (tx === null) {
        this.progress(end); // EXEC without MULTI: Redis refuses it, nothing to apply
        return;
      }
      this.tx = null;
      this.safeOffset = end;
      if (tx.length === 0) {
        this.progress(end);
        return;
      }
      const event: TransactionEvent = { type: 'transaction', replid: this.replid, offset: end, db: this.txDb, commands: tx };
      if (this.timestampMs !== undefined) event.timestampMs = this.timestampMs;
      this.eventCount++;
      this.handlers.onEvent(event);
      return;
    } else if (info === DISCARD) {
      this.tx = null;
      this.progress(end);
      return;
    }

    const body = commandBody(info, args);
    if (tx !== null) {
      tx.push({ command: body.command, args, keys: body.keys, known: body.known, db: this.db });
      return;
    }
    this.safeOffset = end;
    const event: CommandEvent = {
      type: 'command',
      replid: this.replid,
      offset: end,
      db: this.db,
      command: body.command,
      args,
      keys: body.keys,
      known: body.known,
    };
    if (this.timestampMs !== undefined) event.timestampMs = this.timestampMs;
    this.eventCount++;
    this.handlers.onEvent(event);
  }

  private progress(end: number): void {
    if (this.tx !== null) return;
    this.safeOffset = end;
    if (this.handlers.onProgress) this.handlers.onProgress(end, this.db);
  }
}
