// The parser as a Node stream: RDB bytes in, batches of snapshot events out (object mode, one array
// per onEvents call). The stream machinery gives back-pressure: when the consumer stops reading,
// the readable side fills up, transform callbacks are held back and the writer is paused.
// Bytes after the end of the RDB are available from `remainder()` once the stream has finished.
import { Transform, type TransformCallback } from 'node:stream';
import type { SnapshotEvent } from '../events/types.js';
import { RdbParser, type RdbParserOptions } from './parser.js';

export class RdbEventStream extends Transform {
  private readonly parser: RdbParser;

  constructor(options: RdbParserOptions = {}) {
    super({ readableObjectMode: true, writableObjectMode: false, readableHighWaterMark: 4 });
    this.parser = new RdbParser((events: SnapshotEvent[]) => {
      this.push(events);
    }, options);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.parser.feed(chunk);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.parser.end();
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  /** The parser's remainder: bytes written after the end of the RDB. */
  remainder(): Buffer {
    return this.parser.remainder();
  }

  get done(): boolean {
    return this.parser.done;
  }
}
