// A minimal RESP2 client for the benchmarks' data generation: pipelined commands, replies read in
// order (errors are thrown). Deliberately small: the product's own RESP code lives in src/resp/.
import { connect, type Socket } from 'node:net';

type Reply = string | number | null | Buffer | Reply[];

export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.drain();
    });
    socket.on('error', (e) => {
      for (const w of this.waiting.splice(0)) w.reject(e);
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends a command; resolves to its reply. Calls can be issued without awaiting (pipelining). */
  call(...args: (string | Buffer | number)[]): Promise<Reply> {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const a of args) {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
    }
    this.socket.write(Buffer.concat(parts));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  close(): void {
    this.socket.end();
  }

  private drain(): void {
    for (;;) {
      const r = parse(this.buf, 0);
      if (r === null) return;
      this.buf = this.buf.subarray(r.end);
      const w = this.waiting.shift();
      if (!w) continue;
      if (r.error) w.reject(new Error(r.error));
      else w.resolve(r.value);
    }
  }
}

function parse(b: Buffer, at: number): { value: Reply; end: number; error?: string } | null {
  const eol = b.indexOf('\r\n', at);
  if (eol < 0) return null;
  const line = b.toString('latin1', at + 1, eol);
  switch (b[at]) {
    case 0x2b: // +
      return { value: line, end: eol + 2 };
    case 0x2d: // -
      return { value: null, end: eol + 2, error: line };
    case 0x3a: // :
      return { value: Number(line), end: eol + 2 };
    case 0x24: {
      // $
      const n = Number(line);
      if (n < 0) return { value: null, end: eol + 2 };
      if (b.length < eol + 2 + n + 2) return null;
      return { value: b.subarray(eol + 2, eol + 2 + n), end: eol + 4 + n };
    }
    case 0x2a: {
      // *
      const n = Number(line);
      const out: Reply[] = [];
      let p = eol + 2;
      for (let i = 0; i < n; i++) {
        const r = parse(b, p);
        if (r === null) return null;
        out.push(r.value);
        p = r.end;
      }
      return { value: out, end: p };
    }
    default:
      throw new Error(`bad RESP byte ${b[at]}`);
  }
}
