// A standalone ZooKeeper on 127.0.0.1 from the Debian `zookeeper` package (3.8.0), admin server off
// (its Jetty would take port 8080). stop()/start() keep port and data dir, so sessions survive a restart.
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { javaCommand } from './java.js';
import { SingleProcessServer, serverDir, startServer } from './managed-server.js';
import { LOOPBACK, freePort } from './ports.js';
import { ServerProcess } from './server-process.js';
import { waitUntil } from './wait-until.js';

/** Debian's jar; its manifest Class-Path pulls the rest from /usr/share/java. slf4j-simple gives it a log. */
export const ZOOKEEPER_JARS = ['/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-simple.jar'];

export interface ZookeeperOptions {
  port?: number;
  /** Config, data and log. Default: a fresh temp dir that dispose() removes. */
  dir?: string;
  /** Extra or overriding zoo.cfg entries. */
  config?: Record<string, string | number | boolean>;
  detached?: boolean;
  name?: string;
  readyTimeoutMs?: number;
}

/** stop(): SIGTERM, SIGKILL after 10 s. */
export class ZookeeperServer extends SingleProcessServer {
  readonly host = LOOPBACK;
  readonly port: number;
  readonly dataDir: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly name: string;
  readonly process: ServerProcess;
  readonly #readyTimeoutMs: number;
  #version = 'unknown';

  constructor(port: number, dir: string, ownsDir: boolean, options: ZookeeperOptions) {
    super(dir, ownsDir);
    this.port = port;
    this.dataDir = join(dir, 'data');
    this.configPath = join(dir, 'zoo.cfg');
    this.name = options.name ?? 'zookeeper';
    this.logPath = join(dir, `${this.name}.log`);
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    const config: Record<string, string | number | boolean> = {
      // 500 ms ticks: sessions can be as short as 1 s (2 ticks) for expiry tests
      tickTime: 500,
      dataDir: this.dataDir,
      clientPort: port,
      clientPortAddress: LOOPBACK,
      'admin.enableServer': false,
      '4lw.commands.whitelist': 'ruok,srvr,stat,mntr,cons,dump,wchs',
      minSessionTimeout: 1000,
      maxSessionTimeout: 60000,
      maxClientCnxns: 0,
      ...(options.config ?? {}),
    };
    writeFileSync(this.configPath, Object.entries(config).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n');
    this.process = new ServerProcess({
      name: this.name,
      command: javaCommand(),
      args: [
        '-Xms32m',
        '-Xmx128m',
        '-XX:+UseSerialGC',
        '-Djava.awt.headless=true',
        '-Dzookeeper.admin.enableServer=false',
        '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
        '-Dorg.slf4j.simpleLogger.log.org.apache.zookeeper.server.ZooKeeperServer=info',
        '-Dorg.slf4j.simpleLogger.showDateTime=true',
        '-cp',
        ZOOKEEPER_JARS.join(':'),
        'org.apache.zookeeper.server.ZooKeeperServerMain',
        this.configPath,
      ],
      logPath: this.logPath,
      cwd: dir,
      detached: options.detached ?? false,
      stopTimeoutMs: 10_000,
    });
  }

  /** "127.0.0.1:port", for node-zookeeper-client createClient(). */
  get connect(): string {
    return `${this.host}:${this.port}`;
  }

  /** Server version from `srvr`, e.g. "3.8.0". */
  get version(): string {
    return this.#version;
  }

  async start(): Promise<void> {
    for (const jar of ZOOKEEPER_JARS) {
      if (!existsSync(jar)) throw new Error(`${jar} is missing: apt-get install -y zookeeper (bash .ci/run does it)`);
    }
    this.process.start();
    // `ruok` answers before the server serves; `srvr` says "Mode: standalone" only once it does
    const srvr = await waitUntil(`${this.name} on ${this.connect}`, async () => {
      const text = await fourLetterWord(this.port, 'srvr');
      if (!text.includes('Mode: standalone')) throw new Error(`srvr: ${text.trim()}`);
      return text;
    }, { timeoutMs: this.#readyTimeoutMs, intervalMs: 200, process: this.process });
    const match = /Zookeeper version: ([\d.]+)/.exec(srvr);
    if (match?.[1] !== undefined) this.#version = match[1];
  }
}

/** Sends a ZooKeeper four-letter word and returns the whole answer. */
export function fourLetterWord(port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => socket.write(word));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolvePromise(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

export async function startZookeeper(options: ZookeeperOptions = {}): Promise<ZookeeperServer> {
  const { dir, ownsDir } = serverDir(options.dir, 'zookeeper');
  return startServer(new ZookeeperServer(options.port ?? (await freePort()), dir, ownsDir, options));
}
