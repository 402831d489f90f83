// The command stream after a full or partial sync: RESP decoding with exact byte positions, then
// MULTI/EXEC assembly, SELECT tracking and GETACK detection. Events of one chunk are handed over in one
// batch together with the position reached, which is where the master can resume us.
import { StreamAssembler } from '../commands/stream-assembler.js';
import type { CommandEvent, ReplicationEvent, StreamMode, StreamPosition, TransactionEvent } from '../events/types.js';
import { RespCommandDecoder } from '../resp/command-decoder.js';

export interface CommandStreamHandler {
  data(events: ReplicationEvent[], position: StreamPosition): void;
  /** REPLCONF GETACK: answer with REPLCONF ACK; `offset` is the stream position before the GETACK
   *  (what a real replica reports, having applied everything before it). */
  getack(offset: number): void;
}

export class CommandStream {
  private readonly decoder: RespCommandDecoder;
  private readonly assembler: StreamAssembler;
  private batch: ReplicationEvent[] = [];
  private getackAt: number | null = null;
  private reported: number;

  constructor(
    start: StreamPosition,
    mode: StreamMode,
    private readonly handler: CommandStreamHandler,
  ) {
    this.assembler = new StreamAssembler(
      {
        onEvent: (e: CommandEvent | TransactionEvent) => this.batch.push(e),
        onGetAck: (offset) => (this.getackAt = offset),
      },
      { replid: start.replid, offset: start.offset, db: start.db },
    );
    this.decoder = new RespCommandDecoder(this.assembler, { position: start.offset });
    this.reported = start.offset;
    handler.data([{ type: 'stream-begin', replid: start.replid, offset: start.offset, db: start.db, mode }], start);
  }

  /** Position after the last complete command (never inside MULTI). */
  get position(): StreamPosition {
    return { replid: this.assembler.replid, offset: this.assembler.offset, db: this.assembler.db };
  }

  push(chunk: Buffer): void {
    this.decoder.feed(chunk);
    const events = this.batch;
    const offset = this.assembler.offset;
    // Nothing to report in the middle of a big command: no empty batches.
    if (events.length > 0 || offset !== this.reported) {
      this.batch = [];
      this.reported = offset;
      this.handler.data(events, this.position);
    }
    if (this.getackAt !== null) {
      const at = this.getackAt;
      this.getackAt = null;
      this.handler.getack(at);
    }
  }
}
