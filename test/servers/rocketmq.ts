// RocketMQ 5 on 127.0.0.1 from Maven Central jars: a NameServer and a proxy in local mode (the broker
// runs inside the proxy JVM). Topics and groups are created with the admin tool (rocketmq-admin.ts).
// Note: the proxy's gRPC and remoting ports and the broker's HA port bind the wildcard address (no
// option for it in 5.3); everything is advertised and reached on 127.0.0.1 only.
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { classpathOf, javaCommand } from './java.js';
import { ensureJars } from './maven-jars.js';
import { ManagedServer, serverDir, startServer } from './managed-server.js';
import { LOOPBACK, freePort, freePortWithNeighbours } from './ports.js';
import { ServerProcess } from './server-process.js';
import { waitUntil } from './wait-until.js';

export const ROCKETMQ_CLUSTER = 'DefaultCluster';
export const ROCKETMQ_BROKER_NAME = 'broker-a';

export interface RocketmqOptions {
  namesrvPort?: number;
  /** Broker remoting port; the broker also opens port-2 (fast channel) and port+1 (HA). */
  brokerPort?: number;
  grpcPort?: number;
  remotingPort?: number;
  /** Config, store, logs. Default: a fresh temp dir that dispose() removes. */
  dir?: string;
  /** Extra or overriding broker.conf entries. */
  brokerConfig?: Record<string, string | number | boolean>;
  /** Extra or overriding rmq-proxy.json entries. */
  proxyConfig?: Record<string, string | number | boolean>;
  detached?: boolean;
  readyTimeoutMs?: number;
}

/** Java 17 refuses some of RocketMQ's reflective accesses without these. */
export function rocketmqJvmFlags(dir: string): string[] {
  return [
    '--add-opens=java.base/java.lang=ALL-UNNAMED',
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.util=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-exports=java.base/sun.nio.ch=ALL-UNNAMED',
    '--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Djava.awt.headless=true',
    // store, kv config and any default log path go under the run dir instead of ~
    `-Duser.home=${join(dir, 'home')}`,
    `-Drocketmq.home.dir=${dir}`,
    `-Drmq.logback.configurationFile=${join(dir, 'rmq.logback.xml')}`,
  ];
}

export function rocketmqEnv(dir: string): NodeJS.ProcessEnv {
  // NamesrvStartup/BrokerStartup exit(-2) without ROCKETMQ_HOME; any directory will do
  return { ...process.env, ROCKETMQ_HOME: dir };
}

export class RocketmqServer extends ManagedServer {
  readonly host = LOOPBACK;
  readonly version: string;
  readonly jarsDir: string;
  readonly namesrvPort: number;
  readonly brokerPort: number;
  readonly grpcPort: number;
  readonly remotingPort: number;
  readonly clusterName = ROCKETMQ_CLUSTER;
  readonly brokerName = ROCKETMQ_BROKER_NAME;
  readonly namesrvProcess: ServerProcess;
  readonly proxyProcess: ServerProcess;
  readonly #readyTimeoutMs: number;

  constructor(
    init: { version: string; jarsDir: string; namesrvPort: number; brokerPort: number; grpcPort: number; remotingPort: number; dir: string; ownsDir: boolean },
    options: RocketmqOptions,
  ) {
    super(init.dir, init.ownsDir);
    this.version = init.version;
    this.jarsDir = init.jarsDir;
    this.namesrvPort = init.namesrvPort;
    this.brokerPort = init.brokerPort;
    this.grpcPort = init.grpcPort;
    this.remotingPort = init.remotingPort;
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    mkdirSync(join(init.dir, 'home'), { recursive: true });
    this.#writeConfig(options);
    const detached = options.detached ?? false;
    const common = rocketmqJvmFlags(init.dir);
    this.namesrvProcess = new ServerProcess({
      name: 'rocketmq-namesrv',
      command: javaCommand(),
      args: [
        '-Xms64m',
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        ...common,
        '-cp',
        classpathOf(init.jarsDir),
        'org.apache.rocketmq.namesrv.NamesrvStartup',
        '-c',
        join(init.dir, 'namesrv.conf'),
      ],
      logPath: join(init.dir, 'rocketmq-namesrv.log'),
      env: rocketmqEnv(init.dir),
      cwd: init.dir,
      detached,
    });
    this.proxyProcess = new ServerProcess({
      name: 'rocketmq-proxy',
      command: javaCommand(),
      args: [
        '-Xms256m',
        '-Xmx512m',
        '-XX:MaxDirectMemorySize=256m',
        '-XX:+UseG1GC',
        '-XX:+ExitOnOutOfMemoryError',
        ...common,
        '-cp',
        classpathOf(init.jarsDir),
        'org.apache.rocketmq.proxy.ProxyStartup',
        '-pm',
        'local',
        '-bc',
        join(init.dir, 'broker.conf'),
        '-pc',
        join(init.dir, 'rmq-proxy.json'),
        '-n',
        this.namesrv,
      ],
      logPath: join(init.dir, 'rocketmq-proxy.log'),
      env: rocketmqEnv(init.dir),
      cwd: init.dir,
      detached,
      stopTimeoutMs: 15_000,
    });
  }

  /** NameServer "127.0.0.1:port" (remoting clients, mqadmin). */
  get namesrv(): string {
    return `${this.host}:${this.namesrvPort}`;
  }

  /** Proxy gRPC endpoint "127.0.0.1:port": `endpoints` of rocketmq-client-nodejs. */
  get proxy(): string {
    return `${this.host}:${this.grpcPort}`;
  }

  /** Broker remoting address as registered in the NameServer. */
  get broker(): string {
    return `${this.host}:${this.brokerPort}`;
  }

  get logPaths(): string[] {
    return [this.namesrvProcess.logPath, this.proxyProcess.logPath];
  }

  #writeConfig(options: RocketmqOptions): void {
    const props = (entries: Record<string, string | number | boolean>): string =>
      Object.entries(entries).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n';
    writeFileSync(join(this.dir, 'namesrv.conf'), props({ listenPort: this.namesrvPort, bindAddress: LOOPBACK }));
    writeFileSync(
      join(this.dir, 'broker.conf'),
      props({
        brokerClusterName: ROCKETMQ_CLUSTER,
        brokerName: ROCKETMQ_BROKER_NAME,
        brokerId: 0,
        brokerRole: 'ASYNC_MASTER',
        flushDiskType: 'ASYNC_FLUSH',
        namesrvAddr: this.namesrv,
        // registered in the NameServer; the default would be the first NIC address
        brokerIP1: LOOPBACK,
        brokerIP2: LOOPBACK,
        bindAddress: LOOPBACK,
        listenPort: this.brokerPort,
        storePathRootDir: join(this.dir, 'store'),
        // 100 MB commit log files instead of 1 GiB
        mappedFileSizeCommitLog: 104857600,
        maxIndexNum: 100000,
        maxHashSlotNum: 25000,
        autoCreateTopicEnable: true,
        autoCreateSubscriptionGroup: true,
        enablePropertyFilter: true,
        fileReservedTime: 1,
        // orphan-transaction checks after 3 s, every 5 s (defaults 6 s / 30 s)
        transactionTimeOut: 3000,
        transactionCheckInterval: 5000,
        ...(options.brokerConfig ?? {}),
      }),
    );
    writeFileSync(
      join(this.dir, 'rmq-proxy.json'),
      JSON.stringify(
        {
          rocketMQClusterName: ROCKETMQ_CLUSTER,
          namesrvAddr: this.namesrv,
          grpcServerPort: this.grpcPort,
          remotingListenPort: this.remotingPort,
          localServeAddr: LOOPBACK,
          remotingAccessAddr: LOOPBACK,
          enableTopicMessageTypeCheck: true,
          // tests: short empty polls, short invisibility, quick route refresh (defaults 5 s, 10 s, 20 s)
          grpcClientConsumerMinLongPollingTimeoutMillis: 1000,
          minInvisibleTimeMillsForRecv: 1000,
          topicRouteServiceCacheRefreshSeconds: 2,
          ...(options.proxyConfig ?? {}),
        },
        null,
        2,
      ) + '\n',
    );
    writeFileSync(
      join(this.dir, 'rmq.logback.xml'),
      [
        '<configuration>',
        '  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">',
        '    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>',
        '  </appender>',
        // the transaction checker warns "No new message" every check interval: noise
        '  <logger name="RocketmqTransaction" level="ERROR"/>',
        '  <root level="WARN"><appender-ref ref="OUT"/></root>',
        '</configuration>',
        '',
      ].join('\n'),
    );
  }

  /** NameServer, then the proxy (with the broker inside); waits for each one's boot line. */
  async start(): Promise<void> {
    await this.startNamesrv();
    await this.startProxy();
  }

  async startNamesrv(): Promise<void> {
    await startAndWaitForLine(this.namesrvProcess, 'The Name Server boot success', this.#readyTimeoutMs);
  }

  /** The proxy registers its broker in the NameServer before it prints its startup line. */
  async startProxy(): Promise<void> {
    await startAndWaitForLine(this.proxyProcess, 'rocketmq-proxy startup successfully', this.#readyTimeoutMs);
  }

  /** SIGTERM; SIGKILL after graceMs (default 15 s: its clean shutdown joins Netty threads for ~9 s). */
  async stopProxy(graceMs?: number): Promise<void> {
    await this.proxyProcess.stop(graceMs);
  }

  async stopNamesrv(graceMs?: number): Promise<void> {
    await this.namesrvProcess.stop(graceMs);
  }

  /** Proxy first (it deregisters its broker), then the NameServer. Store and ports stay for start(). */
  async stop(): Promise<void> {
    await this.stopProxy();
    await this.stopNamesrv();
  }
}

/** Starts the process and waits for `line` to appear in the part of its log written by this run. */
async function startAndWaitForLine(proc: ServerProcess, line: string, timeoutMs: number): Promise<void> {
  const from = fileSize(proc.logPath);
  proc.start();
  await waitUntil(
    proc.name,
    async () => {
      if (!readFrom(proc.logPath, from).includes(line)) throw new Error(`no "${line}" in its log yet`);
    },
    { timeoutMs, intervalMs: 200, process: proc },
  );
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export async function startRocketmq(options: RocketmqOptions = {}): Promise<RocketmqServer> {
  const cp = await ensureJars('rocketmq');
  const { dir, ownsDir } = serverDir(options.dir, 'rocketmq');
  const server = new RocketmqServer(
    {
      version: cp.version,
      jarsDir: cp.jarsDir,
      namesrvPort: options.namesrvPort ?? (await freePort()),
      brokerPort: options.brokerPort ?? (await freePortWithNeighbours([-2, 1])),
      grpcPort: options.grpcPort ?? (await freePort()),
      remotingPort: options.remotingPort ?? (await freePort()),
      dir,
      ownsDir,
    },
    options,
  );
  return startServer(server);
}
