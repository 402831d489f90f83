// An in-process fake Redis master (a net server on 127.0.0.1) for protocol corners real servers do not
// produce on demand: each replica connection runs a test-written script that reads the replica's
// commands and writes whatever bytes the test wants (captures, keepalives, error replies, silence).
// It parses the replica's RESP arrays itself: it must not share code with the resp/ module under test.
import { createServer, type Server, type Socket } from 'node:net';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export type ConnectionScript = (conn: FakeConnection) => Promise<void>;

export class FakeConnection {
  /** Every command received, in order (args as latin1 text). */
  readonly received: string[][] = [];
  private buf: Buffer = Buffer.alloc(0);
  private waiter: { resolve: (c: string[]) => void; reject: (e: Error) => void } | null = null;
  private queue: string[][] = [];
  private endError: Error | null = null;
  private readonly acks: number[] = [];
  private ackWaiters: { min: number; resolve: (n: number) => void }[] = [];
  readonly closed: Promise<void>;

  constructor(
    readonly index: number,
    readonly socket: Socket,
  ) {
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.parse();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => this.fail(new Error(`fake master: replica connection ${index} closed`)));
  }

  /** REPLCONF ACK offsets received so far. */
  get ackOffsets(): readonly number[] {
    return this.acks;
  }

  /** Next command from the replica, other than REPLCONF ACK (recorded in ackOffsets). */
  nextCommand(timeoutMs = 10_000): Promise<string[]> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.endError) return Promise.reject(this.endError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`fake master: no command from the replica within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = {
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Resolves with the first REPLCONF ACK offset >= min (already received or to come). */
  waitForAck(min: number, timeoutMs = 10_000): Promise<number> {
    const got = this.acks.find((a) => a >= min);
    if (got !== undefined) return Promise.resolve(got);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake master: no REPLCONF ACK >= ${min} within ${timeoutMs} ms (got ${this.acks.join(', ') || 'none'})`)), timeoutMs);
      this.ackWaiters.push({
        min,
        resolve: (n) => {
          clearTimeout(timer);
          resolve(n);
        },
      });
    });
  }

  /** Answers the handshake (PING, AUTH, REPLCONF ...) with success until PSYNC or SYNC; returns that command. */
  async handshake(): Promise<string[]> {
    for (;;) {
      const cmd = await this.nextCommand();
      const name = cmd[0]!.toUpperCase();
      if (name === 'PSYNC' || name === 'SYNC') return cmd;
      await this.write(name === 'PING' ? '+PONG\r\n' : '+OK\r\n');
    }
  }

  write(data: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** Writes `data` in pieces whose sizes come from `size()`, yielding to the event loop between them so
   *  the replica sees odd chunk boundaries. */
  async writeChunked(data: Buffer, size: () => number): Promise<void> {
    for (let i = 0; i < data.length; ) {
      const n = Math.max(1, size());
      await this.write(data.subarray(i, i + n));
      i += n;
      await yieldToLoop();
    }
  }

  end(): void {
    this.socket.end();
  }

  private fail(err: Error): void {
    this.endError = err;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.reject(err);
    }
  }

  private parse(): void {
    for (;;) {
      const parsed = parseArray(this.buf);
      if (!parsed) return;
      this.buf = this.buf.subarray(parsed.end);
      const cmd = parsed.args;
      this.received.push(cmd);
      if (cmd.length === 3 && cmd[0]!.toUpperCase() === 'REPLCONF' && cmd[1]!.toUpperCase() === 'ACK') {
        const n = Number(cmd[2]);
        this.acks.push(n);
        this.ackWaiters = this.ackWaiters.filter((w) => (n >= w.min ? (w.resolve(n), false) : true));
        continue;
      }
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(cmd);
      } else {
        this.queue.push(cmd);
      }
    }
  }
}

/** One RESP array of bulk strings ("*N\r\n$len\r\narg\r\n..."), or null when incomplete. */
function parseArray(b: Buffer): { args: string[]; end: number } | null {
  const line = (at: number): { text: string; next: number } | null => {
    const eol = b.indexOf('\r\n', at);
    return eol < 0 ? null : { text: b.toString('latin1', at, eol), next: eol + 2 };
  };
  const head = line(0);
  if (!head) return null;
  if (!head.text.startsWith('*')) throw new Error(`fake master: the replica sent ${JSON.stringify(head.text)}, not a RESP array`);
  const n = Number(head.text.slice(1));
  const args: string[] = [];
  let at = head.next;
  for (let i = 0; i < n; i++) {
    const len = line(at);
    if (!len) return null;
    const size = Number(len.text.slice(1));
    if (b.length < len.next + size + 2) return null;
    args.push(b.toString('latin1', len.next, len.next + size));
    at = len.next + size + 2;
  }
  return { args, end: at };
}

export class FakeMaster {
  readonly connections: FakeConnection[] = [];
  /** Errors thrown by connection scripts (a test should assert this is empty). */
  readonly errors: Error[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `scripts[i]` runs for the i-th replica connection; connections beyond the list are closed at once. */
  static start(scripts: ConnectionScript[]): Promise<FakeMaster> {
    return new Promise((resolve, reject) => {
      let master: FakeMaster | null = null;
      const server = createServer((socket) => {
        const m = master!;
        const conn = new FakeConnection(m.connections.length, socket);
        m.connections.push(conn);
        const script = scripts[conn.index];
        if (!script) {
          socket.destroy();
          return;
        }
        script(conn).catch((err: Error) => {
          if (!socket.destroyed) m.errors.push(err);
          socket.destroy();
        });
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const addr = server.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('fake master: no port'));
        master = new FakeMaster(server, addr.port);
        resolve(master);
      });
    });
  }

  get uri(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
