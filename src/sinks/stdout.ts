// Embedded default sink: one JSON line per event on stdout. A batch is acknowledged once the OS has taken
// the bytes (the write callback), which is as durable as a pipe can be.
import type { Writable } from 'node:stream';
import type { ReplicationEvent } from '../events/types.js';
import type { LineEncoder, Sink } from './sink.js';

export class StdoutSink implements Sink {
  readonly name = 'stdout';
  readonly maxInFlight = 1;

  constructor(
    private readonly encode: LineEncoder,
    private readonly out: Writable = process.stdout,
  ) {}

  async open(): Promise<void> {}

  publish(batch: readonly ReplicationEvent[]): Promise<void> {
    let text = '';
    for (const e of batch) text += this.encode(e) + '\n';
    return new Promise((resolve, reject) => {
      this.out.write(text, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {}
}
