// A Redis/Valkey server process on 127.0.0.1: cheap (starts in milliseconds), so tests start dedicated
// ones freely (a master with its own config, version, ACL or diskless setting) and restart them on
// the same port.
import { join } from 'node:path';
import { SingleProcessServer, serverDir, startServer } from './managed-server.js';
import { DEFAULT_REDIS_PATH, describeRedisBinary, type RedisBinary } from './redis-binaries.js';
import { LOOPBACK, freePort } from './ports.js';
import { RespErrorReply, parseInfo, redisCall } from './resp-call.js';
import { ServerProcess } from './server-process.js';
import { waitUntil } from './wait-until.js';

export interface RedisOptions {
  /** A binary from obtainRedisBinaries()/RMQR_SERVERS, or a path; default the Debian redis-server. */
  binary?: RedisBinary | string;
  /** Default: a free port, kept across restarts. */
  port?: number;
  /** Working dir (RDB/AOF files, log). Default: a fresh temp dir that dispose() removes. */
  dir?: string;
  /** Extra redis-server arguments, after the defaults so they win: ['--requirepass', 'pw'], ['--repl-diskless-sync', 'yes']. */
  args?: string[];
  /** Own process group (the test bed); default false. */
  detached?: boolean;
  name?: string;
  readyTimeoutMs?: number;
}

/** stop(): SIGTERM (Redis shuts down cleanly), SIGKILL after 10 s. */
export class RedisServer extends SingleProcessServer {
  readonly host = LOOPBACK;
  readonly port: number;
  readonly logPath: string;
  readonly binary: RedisBinary;
  readonly name: string;
  readonly process: ServerProcess;
  readonly #readyTimeoutMs: number;

  constructor(binary: RedisBinary, port: number, dir: string, ownsDir: boolean, options: RedisOptions) {
    super(dir, ownsDir);
    this.binary = binary;
    this.port = port;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    this.name = options.name ?? `${binary.flavor}-${binary.version}`;
    this.logPath = join(dir, `${this.name}.log`);
    this.process = new ServerProcess({
      name: this.name,
      command: binary.path,
      args: [
        '--port', String(port),
        '--bind', LOOPBACK,
        '--dir', dir,
        '--daemonize', 'no',
        '--logfile', '', // log to stdout, which goes to logPath
        '--save', '', // no background saves unless a test asks for them
        '--appendonly', 'no',
        ...(options.args ?? []),
      ],
      logPath: this.logPath,
      cwd: dir,
      detached: options.detached ?? false,
      stopTimeoutMs: 10_000,
    });
  }

  /** "127.0.0.1:port" */
  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Starts (or starts again, same port and dir) and waits until it answers PING. */
  async start(): Promise<void> {
    this.process.start();
    await waitUntil(`${this.name} on ${this.address}`, () => this.#ping(), {
      timeoutMs: this.#readyTimeoutMs,
      intervalMs: 50,
      process: this.process,
    });
  }

  async #ping(): Promise<void> {
    const [reply] = await redisCall(this.port, [['PING']], { timeoutMs: 1000 });
    if (reply === 'PONG') return;
    // with requirepass/ACLs the server answers but refuses: it is up
    if (reply instanceof RespErrorReply && /NOAUTH|NOPERM|WRONGPASS/.test(reply.message)) return;
    throw new Error(`PING answered ${reply instanceof RespErrorReply ? reply.message : JSON.stringify(reply)}`);
  }

  /** `INFO server` as a map (redis_version, valkey_version, server_name...). */
  async infoServer(password?: string): Promise<Map<string, string>> {
    const commands = password === undefined ? [['INFO', 'server']] : [['AUTH', password], ['INFO', 'server']];
    const replies = await redisCall(this.port, commands, { timeoutMs: 5000 });
    const info = replies[replies.length - 1];
    if (typeof info !== 'string') throw new Error(`${this.name}: INFO server answered ${JSON.stringify(info)}`);
    return parseInfo(info);
  }
}

/** The version INFO reports for this binary: valkey_version for Valkey (its redis_version is 7.2.4). */
export function reportedVersion(info: Map<string, string>): string | undefined {
  return info.get('valkey_version') ?? info.get('redis_version');
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const binary =
    typeof options.binary === 'object'
      ? options.binary
      : await describeRedisBinary(options.binary ?? DEFAULT_REDIS_PATH);
  const { dir, ownsDir } = serverDir(options.dir, 'redis');
  return startServer(new RedisServer(binary, options.port ?? (await freePort()), dir, ownsDir, options));
}
