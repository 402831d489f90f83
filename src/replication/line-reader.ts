// Reads the line-oriented part of the replication link: handshake replies (+PONG, +OK, -ERR ...,
// +FULLRESYNC ..., +CONTINUE ...), bare "\n" keepalives and the "$<len>" / "$EOF:<mark>" header of the
// RDB transfer. Bytes after the last line read are handed back with takeRest() for the binary phases.
import { ReplicationError, type ReplicationPhase } from './errors.js';

const MAX_LINE = 64 * 1024;

export class LineReader {
  private buf: Buffer = Buffer.alloc(0);
  private waiter: { resolve: (line: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout } | null = null;
  private failure: Error | null = null;

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.deliver();
  }

  /** The connection ended or broke: pending and future reads fail with this error. */
  fail(err: Error): void {
    this.failure = err;
    if (this.waiter) {
      clearTimeout(this.waiter.timer);
      const w = this.waiter;
      this.waiter = null;
      w.reject(err);
    }
  }

  /** Next line without its terminator ("" for a bare "\n" keepalive). */
  readLine(timeoutMs: number, phase: ReplicationPhase, what: string): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new ReplicationError('REPL_TIMEOUT', `no reply to ${what} within ${timeoutMs} ms`, phase, { retriable: true }));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.deliver();
    });
  }

  /** Bytes received after the last line handed out. */
  takeRest(): Buffer {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }

  private deliver(): void {
    if (!this.waiter) return;
    const nl = this.buf.indexOf(10);
    if (nl < 0) {
      if (this.buf.length > MAX_LINE) {
        this.fail(new ReplicationError('REPL_PROTOCOL', `master sent a line longer than ${MAX_LINE} bytes during the handshake`, 'handshake'));
      }
      return;
    }
    const end = nl > 0 && this.buf[nl - 1] === 13 ? nl - 1 : nl;
    const line = this.buf.toString('latin1', 0, end);
    this.buf = this.buf.subarray(nl + 1);
    const w = this.waiter;
    this.waiter = null;
    clearTimeout(w.timer);
    w.resolve(line);
  }
}
