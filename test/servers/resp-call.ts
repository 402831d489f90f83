// A tiny RESP2 client for readiness probes and version checks (PING, AUTH, INFO): the harness must
// not depend on the project's own resp/ code, which is what the tests are checking.
import { connect } from 'node:net';
import { LOOPBACK } from './ports.js';

export type RespReply = string | number | null | RespErrorReply | RespReply[];

export class RespErrorReply {
  constructor(readonly message: string) {}
}

/** Sends the commands pipelined on one connection and returns one reply per command. */
export function redisCall(
  port: number,
  commands: string[][],
  options: { host?: string; timeoutMs?: number } = {},
): Promise<RespReply[]> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: options.host ?? LOOPBACK, port });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply from ${options.host ?? LOOPBACK}:${port} within ${options.timeoutMs ?? 2000} ms`));
    }, options.timeoutMs ?? 2000);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      const replies: RespReply[] = [];
      let offset = 0;
      try {
        while (replies.length < commands.length) {
          const parsed = parseReply(buffered, offset);
          if (parsed === undefined) return; // need more bytes
          replies.push(parsed.value);
          offset = parsed.next;
        }
      } catch (err) {
        clearTimeout(timer);
        socket.destroy();
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      clearTimeout(timer);
      socket.destroy();
      resolvePromise(replies);
    });
    socket.once('connect', () => {
      socket.write(commands.map(encodeCommand).join(''));
    });
  });
}

function encodeCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

function parseReply(buf: Buffer, offset: number): { value: RespReply; next: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, next: afterLine };
    case '-':
      return { value: new RespErrorReply(line), next: afterLine };
    case ':':
      return { value: Number(line), next: afterLine };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: afterLine };
      if (buf.length < afterLine + len + 2) return undefined;
      return { value: buf.toString('utf8', afterLine, afterLine + len), next: afterLine + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/** Parses INFO output ("key:value" lines) into a map. */
export function parseInfo(info: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of info.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) map.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return map;
}
