// A Redis/Valkey server process on 127.0.0.1: cheap (starts in milliseconds), so tests start dedicated
// ones freely (a master with its own config, version, ACL or diskless setting) and restart them on
// the same port.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_REDIS_PATH, describeRedisBinary, type RedisBinary } from './redis-binaries.js';
import { makeServerDir, removeServerDir } from './paths.js';
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

export class RedisServer {
  readonly host = LOOPBACK;
  readonly port: number;
  readonly dir: string;
  readonly logPath: string;
  readonly binary: RedisBinary;
  readonly name: string;
  readonly process: ServerProcess;
  readonly #ownsDir: boolean;
  readonly #readyTimeoutMs: number;

  constructor(binary: RedisBinary, port: number, dir: string, ownsDir: boolean, options: RedisOptions) {
    this.binary = binary;
    this.port = port;
    this.dir = dir;
    this.#ownsDir = ownsDir;
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

  get pid(): number | undefined {
    return this.process.pid;
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

  /** SIGTERM (Redis shuts down cleanly), SIGKILL after 10 s. */
  async stop(): Promise<void> {
    await this.process.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** A crash (SIGKILL) or any other signal, e.g. SIGSTOP to freeze it. Resolves on exit for fatal signals. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      this.process.signal(signal);
      return;
    }
    await this.process.kill(signal);
  }

  /** `INFO server` as a map (redis_version, valkey_version, server_name...). */
  async infoServer(password?: string): Promise<Map<string, string>> {
    const commands = password === undefined ? [['INFO', 'server']] : [['AUTH', password], ['INFO', 'server']];
    const replies = await redisCall(this.port, commands, { timeoutMs: 5000 });
    const info = replies[replies.length - 1];
    if (typeof info !== 'string') throw new Error(`${this.name}: INFO server answered ${JSON.stringify(info)}`);
    return parseInfo(info);
  }

  /** Stops it and removes its dir when this object created it. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.#ownsDir) removeServerDir(this.dir);
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
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? makeServerDir('redis');
  mkdirSync(dir, { recursive: true });
  const server = new RedisServer(binary, options.port ?? (await freePort()), dir, ownsDir, options);
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
