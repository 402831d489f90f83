// The replica handshake (replication.c syncWithMaster): PING, AUTH, REPLCONF listening-port,
// REPLCONF capa eof capa psync2, [REPLCONF version], then PSYNC once every earlier reply has been read
// (a PSYNC pipelined behind them is refused with "SYNC and PSYNC are invalid with pending output").
import type { Socket } from 'node:net';
import { ReplicationError } from './errors.js';
import type { LineReader } from './line-reader.js';
import type { RedisEndpoint } from './endpoint.js';

export interface HandshakeOptions {
  endpoint: RedisEndpoint;
  listeningPort: number;
  /** Sent as REPLCONF version (Valkey 9 picks its RDB version from it); '' = not sent. */
  announceVersion: string;
  replyTimeoutMs: number;
  /** Longest silence allowed while the master prepares the snapshot (it sends "\n" every second). */
  syncTimeoutMs: number;
  /** Things worth a log line: level 'debug' for a REPLCONF option the master does not know, 'warn' for the SYNC fallback. */
  onNotice?: (level: 'debug' | 'warn', msg: string) => void;
}

/** Where to resume from; null = ask for a full sync (PSYNC ? -1). */
export interface ResumePoint {
  replid: string;
  /** Last offset we have; PSYNC asks for offset + 1. */
  offset: number;
}

export type PsyncOutcome =
  | { kind: 'full'; replid: string; offset: number }
  | { kind: 'continue'; replid: string }
  /** Pre-2.8 master: SYNC, an RDB with no replication id, and a stream that can never be resumed. */
  | { kind: 'sync' };

export function encodeInline(args: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

export async function handshake(
  socket: Socket,
  lines: LineReader,
  opts: HandshakeOptions,
  from: ResumePoint | null,
): Promise<PsyncOutcome> {
  const ask = async (args: string[], what: string): Promise<string> => {
    socket.write(encodeInline(args));
    return lines.readLine(opts.replyTimeoutMs, 'handshake', what);
  };
  const { endpoint } = opts;
  const hasAuth = endpoint.password !== undefined;

  const pong = await ask(['PING'], 'PING');
  if (pong.startsWith('-')) {
    const needsAuth = /^-(NOAUTH|NOPERM|ERR operation not permitted)/i.test(pong);
    if (!needsAuth) {
      throw new ReplicationError('REPL_PING_FAILED', `master answered PING with ${JSON.stringify(pong)}`, 'handshake', { retriable: true });
    }
    if (!hasAuth) {
      throw new ReplicationError('REPL_AUTH_REQUIRED', 'the master requires authentication: set redis.password (and redis.user for an ACL user) or put them in redis.uri', 'handshake');
    }
  }

  if (hasAuth) {
    const args = endpoint.username ? ['AUTH', endpoint.username, endpoint.password!] : ['AUTH', endpoint.password!];
    const reply = await ask(args, 'AUTH');
    if (reply.startsWith('-')) {
      const who = endpoint.username ? `user "${endpoint.username}"` : 'the default user';
      // The reply never contains the password; it is quoted so the operator sees the server's words.
      throw new ReplicationError('REPL_AUTH_FAILED', `authentication as ${who} failed: ${reply.slice(1)}; check redis.password / redis.user`, 'handshake');
    }
  }

  // REPLCONF errors are not fatal (replication.c): an old master may not know an option. Each option
  // goes in its own command because the master stops at the first option it does not understand.
  const notices: string[] = [];
  const replconf = async (args: string[]): Promise<void> => {
    const reply = await ask(['REPLCONF', ...args], `REPLCONF ${args[0]}`);
    if (/^-NOPERM/i.test(reply)) {
      throw new ReplicationError('REPL_NO_PERMISSION', `the master refused REPLCONF (${reply.slice(1)}): the ACL user needs at least +psync +replconf +ping`, 'handshake');
    }
    if (reply.startsWith('-')) notices.push(`REPLCONF ${args[0]} refused: ${reply.slice(1)}`);
  };
  await replconf(['listening-port', String(opts.listeningPort)]);
  await replconf(['capa', 'eof', 'capa', 'psync2']);
  if (opts.announceVersion) await replconf(['version', opts.announceVersion]);
  for (const n of notices) opts.onNotice?.('debug', n);

  const psyncArgs = from ? ['PSYNC', from.replid, String(from.offset + 1)] : ['PSYNC', '?', '-1'];
  socket.write(encodeInline(psyncArgs));
  for (;;) {
    const line = await lines.readLine(opts.syncTimeoutMs, 'handshake', 'PSYNC');
    if (line === '') continue; // keepalive while the master forks its BGSAVE
    if (line.startsWith('+FULLRESYNC')) {
      const m = /^\+FULLRESYNC ([0-9a-zA-Z]{40}) (\d+)$/.exec(line);
      if (!m) throw new ReplicationError('REPL_PROTOCOL', `malformed reply to PSYNC: ${JSON.stringify(line)}`, 'handshake', { retriable: true });
      return { kind: 'full', replid: m[1]!, offset: Number(m[2]) };
    }
    if (line.startsWith('+CONTINUE')) {
      const id = line.slice('+CONTINUE'.length).trim();
      if (id !== '' && !/^[0-9a-zA-Z]{40}$/.test(id)) {
        throw new ReplicationError('REPL_PROTOCOL', `malformed reply to PSYNC: ${JSON.stringify(line)}`, 'handshake', { retriable: true });
      }
      return { kind: 'continue', replid: id === '' ? from!.replid : id };
    }
    if (/^-(NOMASTERLINK|LOADING|ERR Can't SYNC while not connected with my master)/i.test(line)) {
      throw new ReplicationError('REPL_MASTER_NOT_READY', `master is not ready to serve a replica yet (${line.slice(1)}); retrying`, 'handshake', { retriable: true });
    }
    if (/^-(NOAUTH|NOPERM)/i.test(line)) {
      throw new ReplicationError('REPL_NO_PERMISSION', `the master refused PSYNC (${line.slice(1)}): check redis.password and that the ACL user has +psync +replconf +ping`, 'handshake');
    }
    if (/^-ERR unknown command/i.test(line)) {
      // A pre-2.8 master: the old SYNC protocol, which sends the RDB with no +FULLRESYNC line.
      opts.onNotice?.('warn', 'master does not know PSYNC (Redis < 2.8): falling back to SYNC; every reconnection will need a full sync');
      socket.write(encodeInline(['SYNC']));
      return { kind: 'sync' };
    }
    throw new ReplicationError('REPL_PSYNC_FAILED', `master refused PSYNC: ${line}`, 'handshake', { retriable: true });
  }
}
