// A single-node Kafka in KRaft mode (combined broker+controller) on 127.0.0.1, from Maven Central jars.
// stop()/start() keep port, controller port and data dir, so a test can take the broker away and
// bring the same one back.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { execTool, lastLines } from './exec.js';
import { TOOL_JVM_FLAGS, classpathOf, javaCommand } from './java.js';
import { ensureJars, type MavenClasspathName } from './maven-jars.js';
import { SingleProcessServer, serverDir, startServer } from './managed-server.js';
import { LOOPBACK, freePort } from './ports.js';
import { ServerProcess } from './server-process.js';
import { waitUntil } from './wait-until.js';

/** 3.9 is the line the tests use (kafkajs is known to work with it); 4 is the optional newer line. */
export type KafkaLine = '3.9' | '4';

const CLASSPATH_OF: Record<KafkaLine, MavenClasspathName> = { '3.9': 'kafka-3.9', '4': 'kafka-4' };

export interface KafkaOptions {
  line?: KafkaLine;
  port?: number;
  controllerPort?: number;
  /** Config, data (kraft/) and log. Default: a fresh temp dir that dispose() removes. */
  dir?: string;
  /** Extra or overriding server.properties entries. */
  properties?: Record<string, string | number | boolean>;
  /** Own process group (the test bed); default false. */
  detached?: boolean;
  name?: string;
  readyTimeoutMs?: number;
}

/** stop(): SIGTERM (controlled shutdown), SIGKILL after 15 s. */
export class KafkaServer extends SingleProcessServer {
  readonly host = LOOPBACK;
  readonly line: KafkaLine;
  readonly version: string;
  readonly jarsDir: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly configPath: string;
  readonly logPath: string;
  readonly name: string;
  readonly clusterId: string;
  readonly process: ServerProcess;
  readonly #readyTimeoutMs: number;
  readonly #logFlag: string;

  constructor(
    init: { line: KafkaLine; version: string; jarsDir: string; port: number; controllerPort: number; dir: string; ownsDir: boolean },
    options: KafkaOptions,
  ) {
    super(init.dir, init.ownsDir);
    this.line = init.line;
    this.version = init.version;
    this.jarsDir = init.jarsDir;
    this.port = init.port;
    this.controllerPort = init.controllerPort;
    this.dataDir = join(init.dir, 'kraft');
    this.configPath = join(init.dir, 'server.properties');
    this.name = options.name ?? `kafka-${init.version}`;
    this.logPath = join(init.dir, `${this.name}.log`);
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.clusterId = kafkaClusterId();
    this.#logFlag = this.#writeConfig(options.properties ?? {});
    this.process = new ServerProcess({
      name: this.name,
      command: javaCommand(),
      args: [
        '-Xms128m',
        '-Xmx512m',
        '-XX:MaxDirectMemorySize=256m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${join(init.dir, 'logs')}`,
        this.#logFlag,
        '-cp',
        classpathOf(init.jarsDir),
        'kafka.Kafka',
        this.configPath,
      ],
      logPath: this.logPath,
      cwd: init.dir,
      detached: options.detached ?? false,
      stopTimeoutMs: 15_000,
    });
  }

  /** "127.0.0.1:port", for kafkajs `brokers`. */
  get bootstrap(): string {
    return `${this.host}:${this.port}`;
  }

  #writeConfig(extra: Record<string, string | number | boolean>): string {
    const props: Record<string, string | number | boolean> = {
      'process.roles': 'broker,controller',
      'node.id': 1,
      // static voters: same recipe for 3.9 and 4.x, no --standalone needed when formatting
      'controller.quorum.voters': `1@${LOOPBACK}:${this.controllerPort}`,
      listeners: `PLAINTEXT://${LOOPBACK}:${this.port},CONTROLLER://${LOOPBACK}:${this.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://${LOOPBACK}:${this.port}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'log.dirs': this.dataDir,
      'num.partitions': 1,
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
      'auto.create.topics.enable': true,
      // internal topics must fit on one broker (else "group coordinator not available", no transactions)
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.num.partitions': 1,
      'share.coordinator.state.topic.replication.factor': 1,
      'share.coordinator.state.topic.min.isr': 1,
      // tests: a new group joins at once instead of after 3 s
      'group.initial.rebalance.delay.ms': 0,
      // 2 cores, 512 MB heap
      'num.network.threads': 2,
      'num.io.threads': 2,
      'background.threads': 2,
      'num.recovery.threads.per.data.dir': 1,
      'log.cleaner.dedupe.buffer.size': 1048577,
      'log.segment.bytes': 16777216,
      ...extra,
    };
    writeFileSync(this.configPath, Object.entries(props).map(([k, v]) => `${k}=${String(v)}`).join('\n') + '\n');
    if (this.line === '3.9') {
      const path = join(this.dir, 'log4j.properties');
      writeFileSync(
        path,
        [
          'log4j.rootLogger=WARN, stdout',
          'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
          'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
          'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
          'log4j.logger.kafka.server.KafkaRaftServer=INFO',
          '',
        ].join('\n'),
      );
      return `-Dlog4j.configuration=file:${path}`;
    }
    const path = join(this.dir, 'log4j2.properties');
    writeFileSync(
      path,
      [
        'status = warn',
        'appender.console.type = Console',
        'appender.console.name = STDOUT',
        'appender.console.layout.type = PatternLayout',
        'appender.console.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = WARN',
        'rootLogger.appenderRef.stdout.ref = STDOUT',
        'logger.raft.name = kafka.server.KafkaRaftServer',
        'logger.raft.level = INFO',
        '',
      ].join('\n'),
    );
    return `-Dlog4j2.configurationFile=${path}`;
  }

  /** Formats the storage on first start, then starts the broker and waits until a client sees it. */
  async start(): Promise<void> {
    if (!existsSync(join(this.dataDir, 'meta.properties'))) await this.#format();
    this.process.start();
    await waitUntil(`${this.name} on ${this.bootstrap}`, () => this.#probe(), {
      timeoutMs: this.#readyTimeoutMs,
      intervalMs: 500,
      process: this.process,
    });
  }

  async #format(): Promise<void> {
    const result = await execTool(
      javaCommand(),
      [
        ...TOOL_JVM_FLAGS,
        this.#logFlag,
        '-cp',
        classpathOf(this.jarsDir),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        this.clusterId,
        '-c',
        this.configPath,
        '--ignore-formatted',
      ],
      { cwd: this.dir, timeoutMs: 120_000 },
    );
    writeFileSync(join(this.dir, 'storage-format.log'), result.output);
    if (result.code !== 0) throw new Error(`kafka StorageTool format failed (exit ${String(result.code)}):\n${lastLines(result.output)}`);
  }

  async #probe(): Promise<void> {
    const admin = new Kafka({
      clientId: 'rmqr-testbed-probe',
      brokers: [this.bootstrap],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length === 0) throw new Error('no broker in metadata yet');
      // FindCoordinator creates __consumer_offsets: the first consumer group of a test then joins at
      // once instead of logging "group coordinator not available" while it is created
      await admin.describeGroups(['rmqr-testbed-probe']);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** 22-char base64url of 16 random bytes, not starting with '-' (Kafka's CLI parsing would choke). */
export function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export async function startKafka(options: KafkaOptions = {}): Promise<KafkaServer> {
  const line = options.line ?? '3.9';
  const cp = await ensureJars(CLASSPATH_OF[line]);
  const { dir, ownsDir } = serverDir(options.dir, 'kafka');
  const server = new KafkaServer(
    {
      line,
      version: cp.version,
      jarsDir: cp.jarsDir,
      port: options.port ?? (await freePort()),
      controllerPort: options.controllerPort ?? (await freePort()),
      dir,
      ownsDir,
    },
    options,
  );
  return startServer(server);
}
