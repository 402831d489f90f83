// A cluster deployment under test: a dedicated Redis master, a unique zookeeper.root and Kafka topic,
// and any number of replicator processes (cluster mode, sink=kafka) for that one source. Reads what
// the cluster keeps in ZooKeeper (leader, epoch, checkpoint with its znode version), and removes
// everything it created: processes, znodes, topic, master.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { parseCheckpoint, type Checkpoint } from '../../../src/checkpoint/store.js';
import { clusterPaths, type ClusterPaths } from '../../../src/cluster/settings.js';
import { readClusterStatus, type ClusterStatus } from '../../../src/cluster/status.js';
import { ZkSession } from '../../../src/cluster/zk-session.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { infoSection, masterOffset, startMaster, syncStats } from '../../helpers/redis-master.js';
import { testServers, type HasLog } from '../../helpers/servers.js';
import type { WriteLoad } from '../../helpers/write-load.js';
import type { RedisServer } from '../../servers/redis.js';
import { removeTrees } from '../cluster/zk-kit.js';
import { ReplicatorProcess } from './replicator-process.js';

export interface ClusterFixtureOptions {
  /** Short label for names (root, topic, master). */
  label: string;
  zookeeper: string;
  kafkaBootstrap: string;
  sessionTimeoutMs: number;
  partitions?: number;
}

/** The checkpoint znode as it is: parsed content and its version (a write by anyone bumps it). */
export interface CheckpointNode {
  checkpoint: Checkpoint;
  version: number;
  mzxid: bigint;
}

export class ClusterFixture {
  readonly root: string;
  readonly topic: string;
  readonly processes: ReplicatorProcess[] = [];
  master!: RedisServer;
  redis!: Redis;
  #zk: ZkSession | undefined;

  private constructor(readonly opts: ClusterFixtureOptions) {
    const id = randomUUID().slice(0, 8);
    // one level under / so that removing it leaves nothing behind on the shared ZooKeeper
    this.root = `/rmqr-test-ce2e-${opts.label}-${id}`;
    this.topic = `rmqr-ce2e-${opts.label}-${id}`;
  }

  static async create(opts: ClusterFixtureOptions): Promise<ClusterFixture> {
    const f = new ClusterFixture(opts);
    // a backlog that covers every takeover gap, no replica timeout during a SIGSTOP
    f.master = await startMaster(`ce2e-${opts.label}`);
    f.redis = new Redis({ host: f.master.host, port: f.master.port, maxRetriesPerRequest: 1 });
    return f;
  }

  /** A fixture on the shared test bed's ZooKeeper and Kafka. */
  static onTestBed(label: string, sessionTimeoutMs: number): Promise<ClusterFixture> {
    const servers = testServers();
    return ClusterFixture.create({ label, zookeeper: servers.zookeeper.connect, kafkaBootstrap: servers.kafka.bootstrap, sessionTimeoutMs });
  }

  /** The logs worth printing when a test on the shared test bed fails: the master's, Kafka's, ZooKeeper's. */
  testBedLogs(): HasLog[] {
    const servers = testServers();
    return [this.master, { name: 'kafka', logPath: servers.kafka.logPath }, { name: 'zookeeper', logPath: servers.zookeeper.logPath }];
  }

  get sourceId(): string {
    return `${this.master.host}:${this.master.port}`;
  }

  get paths(): ClusterPaths {
    return clusterPaths(this.root, this.sourceId);
  }

  /** The configuration every instance shares (cluster mode, Kafka sink, JSON logs). */
  get commonSettings(): string[] {
    return [
      `redis.uri=redis://${this.master.address}`,
      `zookeeper.address=${this.opts.zookeeper}`,
      `zookeeper.root=${this.root}`,
    ];
  }

  /** Starts instance `name` (cluster.instance.id); it joins the election at once. */
  start(name: string): ReplicatorProcess {
    const sets = [
      ...this.commonSettings,
      'sink=kafka',
      'deploy.model=cluster',
      `zookeeper.session.timeout.ms=${this.opts.sessionTimeoutMs}`,
      `cluster.instance.id=${name}`,
      `kafka.brokers=${this.opts.kafkaBootstrap}`,
      `kafka.topic=${this.topic}`,
      'kafka.topic.create=true',
      `kafka.topic.partitions=${this.opts.partitions ?? 3}`,
      'checkpoint.interval.ms=200',
      'log.format=json',
      // INFO replication on the master then tells the instances' links apart
      `replication.listening.port=${replicaPort(name)}`,
    ];
    const p = new ReplicatorProcess(name, ['replicate', ...sets.flatMap((s) => ['--set', s])]);
    this.processes.push(p);
    return p;
  }

  /** `redis-mq-replicator status [--json]` for this source. */
  statusCli(json: boolean): Promise<CliResult> {
    return runCli(['status', ...this.commonSettings.flatMap((s) => ['--set', s]), ...(json ? ['--json'] : [])], { timeoutMs: 30_000 });
  }

  /** Leader, epoch, checkpoint and candidates as ZooKeeper has them now. */
  async status(): Promise<ClusterStatus> {
    return readClusterStatus(await this.#session(), this.root, this.sourceId);
  }

  /** The checkpoint znode; null when no checkpoint was written yet. */
  async checkpointNode(): Promise<CheckpointNode | null> {
    const node = await (await this.#session()).getData(this.paths.checkpoint);
    if (node === null || node.data.length === 0) return null;
    const parsed = parseCheckpoint(JSON.parse(node.data.toString('utf8')));
    if ('error' in parsed) throw new Error(`checkpoint znode: ${parsed.error}`);
    return { checkpoint: parsed.checkpoint, version: node.stat.version, mzxid: node.stat.mzxid };
  }

  /** Waits until the checkpoint satisfies `ok`; returns it. */
  async waitForCheckpoint(what: string, ok: (cp: Checkpoint) => boolean, timeoutMs: number): Promise<CheckpointNode> {
    const deadline = Date.now() + timeoutMs;
    let last: CheckpointNode | null = null;
    for (;;) {
      last = await this.checkpointNode().catch(() => last);
      if (last !== null && ok(last.checkpoint)) return last;
      if (Date.now() > deadline) throw new Error(`checkpoint: ${what} not within ${timeoutMs} ms (last: ${JSON.stringify(last?.checkpoint)})`);
      await delay(100);
    }
  }

  /** Stops the load, then waits until the checkpoint covers the master's offset; returns the writes. */
  async drainLoad(load: WriteLoad, timeoutMs: number): Promise<number> {
    const written = await load.stop();
    const target = await this.masterOffset();
    await this.waitForCheckpoint(`offset ${target}`, (cp) => cp.offset >= target, timeoutMs);
    return written;
  }

  masterOffset(): Promise<number> {
    return masterOffset(this.redis);
  }

  /** The replica links the master has now (INFO replication slaveN lines). */
  async replicaLinks(): Promise<ReplicaLink[]> {
    const info = await infoSection(this.redis, 'replication');
    const out: ReplicaLink[] = [];
    for (const [k, v] of info) {
      if (!/^slave\d+$/.test(k)) continue;
      const f = new Map(v.split(',').map((kv) => kv.split('=') as [string, string]));
      out.push({ port: Number(f.get('port')), state: f.get('state') ?? '', offset: Number(f.get('offset')) });
    }
    return out;
  }

  /** The master's full and accepted partial syncs. */
  syncStats(): Promise<{ full: number; partialOk: number; partialErr: number }> {
    return syncStats(this.redis);
  }

  /**
   * Gracefully stops every running instance, standbys first: stopping the leader first would hand
   * leadership to a standby, which would start a new term while the test ends.
   */
  async stopAll(): Promise<void> {
    const running = this.processes.filter((p) => p.alive);
    const leaders = running.filter((p) => isLeading(p));
    for (const p of running.filter((q) => !leaders.includes(q))) await p.stop();
    for (const p of leaders) {
      const exit = await p.stop();
      if (exit.code !== 0) throw new Error(`leader ${p.name} stopped with ${JSON.stringify(exit)}\n${p.logTail()}`);
    }
  }

  /** Writes every process's whole log to a fresh directory (kept for a failed run); returns its path. */
  dumpLogs(): string {
    const dir = mkdtempSync(join(tmpdir(), `rmqr-ce2e-${this.opts.label}-`));
    for (const p of this.processes) writeFileSync(join(dir, `${p.name}-${p.pid}.log`), p.records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return dir;
  }

  async dispose(): Promise<void> {
    for (const p of this.processes) {
      if (!p.alive) continue;
      p.signal('SIGCONT'); // a stopped process still dies from SIGKILL; CONT first keeps it simple
      await p.kill9();
    }
    await this.#zk?.close().catch(() => undefined);
    this.#zk = undefined;
    await removeTrees(this.opts.zookeeper, [this.root]).catch((err: Error) => process.stderr.write(`removing ${this.root}: ${err.message}\n`));
    await deleteTopic(this.opts.kafkaBootstrap, this.topic).catch((err: Error) => process.stderr.write(`deleting topic ${this.topic}: ${err.message}\n`));
    this.redis.disconnect();
    await this.master.dispose();
  }

  async #session(): Promise<ZkSession> {
    if (this.#zk === undefined || !this.#zk.alive) {
      await this.#zk?.close().catch(() => undefined);
      this.#zk = await ZkSession.connect({ address: this.opts.zookeeper, sessionTimeoutMs: 10_000, connectTimeoutMs: 20_000 });
    }
    return this.#zk;
  }
}

export interface ReplicaLink {
  /** The port the instance announced: replicaPort(its name). */
  port: number;
  state: string;
  /** Last offset it acknowledged. */
  offset: number;
}

/** A fixed, distinct listening port per instance name, announced to the master (INFO replication tells them apart). */
export function replicaPort(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 10_000;
  return 20_000 + h;
}

/** The process leads when its last "leadership acquired" comes after its last "leadership lost"/"resigned". */
export function isLeading(p: ReplicatorProcess): boolean {
  if (!p.alive) return false;
  let leading = false;
  for (const r of p.records) {
    if (r.msg === 'leadership acquired: replicating') leading = true;
    else if (r.msg === 'leadership lost: stopped publishing and ACKing') leading = false;
  }
  return leading;
}

async function deleteTopic(bootstrap: string, topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'rmqr-test-ce2e', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(topic)) await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
  } finally {
    await admin.disconnect();
  }
}
