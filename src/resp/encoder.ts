// RESP2 writer: a command as an array of bulk strings, the only form a replica sends to its master
// (REPLCONF ACK ...) and the form of the replication stream and AOF files.
//   "*" <argc> CRLF  argc × ( "$" <len> CRLF <bytes> CRLF )
// Strings are written as UTF-8.

const CRLF_LEN = 2;

function decimalLength(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Encodes one command; one allocation of the exact size. */
export function encodeCommand(args: readonly (Buffer | string)[]): Buffer {
  const lengths = new Array<number>(args.length);
  let size = 1 + decimalLength(args.length) + CRLF_LEN;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const len = typeof a === 'string' ? Buffer.byteLength(a, 'utf8') : a.length;
    lengths[i] = len;
    size += 1 + decimalLength(len) + CRLF_LEN + len + CRLF_LEN;
  }
  const out = Buffer.allocUnsafe(size);
  let o = out.write(`*${args.length}\r\n`, 0, 'latin1');
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    o += out.write(`$${lengths[i]}\r\n`, o, 'latin1');
    o += typeof a === 'string' ? out.write(a, o, 'utf8') : a.copy(out, o);
    out[o++] = 0x0d;
    out[o++] = 0x0a;
  }
  return out;
}

/** Encodes several commands back to back (tests, AOF writers, pipelined handshakes). */
export function encodeCommands(commands: readonly (readonly (Buffer | string)[])[]): Buffer {
  return Buffer.concat(commands.map(encodeCommand));
}
