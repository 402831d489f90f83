// The global setup: every server the integration tests share (all Redis/Valkey versions, Kafka,
// RocketMQ with its topics and groups, ZooKeeper), started once in one per-run directory.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessRecord, RunState, ServersDescription } from './description.js';
import { startKafka, type KafkaServer } from './kafka.js';
import { formatLogTail } from './log-tail.js';
import { MAVEN_CLASSPATH_NAMES, ensureJars } from './maven-jars.js';
import { RUN_DIR_PREFIX, cacheDir, makeRunDir } from './paths.js';
import { obtainRedisBinaries, type ObtainedRedis } from './redis-binaries.js';
import { reportedVersion, startRedis, type RedisServer } from './redis.js';
import { createRocketmqFifoGroups, createRocketmqTopics } from './rocketmq-admin.js';
import { ROCKETMQ_FIFO_GROUPS, ROCKETMQ_TOPICS } from './rocketmq-resources.js';
import { startRocketmq, type RocketmqServer } from './rocketmq.js';
import { isSameProcessAlive, onServerSpawn, processStartTicks, stopForeignProcess, type ServerProcess } from './server-process.js';
import { startZookeeper, type ZookeeperServer } from './zookeeper.js';

export type Log = (line: string) => void;

const STATE_FILE = 'state.json';

export interface TestBedOptions {
  /** Own process groups, so Ctrl-C reaches only the owner, which stops them in order. */
  detached: boolean;
  log: Log;
}

export interface TestBed {
  description: ServersDescription;
  /** Every server log, for printing tails when something failed. */
  logFiles(): { name: string; path: string }[];
  /** Stops every server and removes the run dir. */
  stop(): Promise<void>;
  /** Leaves every server running after this process exits (servers:start). */
  release(): void;
}

/** Fetches everything into the cache (jars of every product, Redis wheels); reports what is missing. */
export async function fetchAll(log: Log): Promise<ObtainedRedis> {
  for (const name of MAVEN_CLASSPATH_NAMES) {
    const cp = await ensureJars(name);
    log(`jars ${name}-${cp.version}: ${cp.fetchMs === 0 ? 'cached' : `fetched in ${cp.fetchMs} ms`} (${cp.jarsDir})`);
  }
  const started = Date.now();
  const redis = await obtainRedisBinaries({ download: true });
  log(`redis binaries in ${Date.now() - started} ms: ${redis.binaries.map((b) => `${b.flavor}-${b.version}`).join(', ')}`);
  reportMissing(redis, log);
  return redis;
}

/** Prints every version that could not be obtained, loudly (never dropped silently). */
export function reportMissing(redis: ObtainedRedis, log: Log): void {
  for (const m of redis.missing) log(`!!! MISSING ${m.name}: ${m.reason}`);
}

export async function startTestBed(options: TestBedOptions): Promise<TestBed> {
  const { log, detached } = options;
  const runDir = makeRunDir();
  const state: RunState = { ownerPid: process.pid, ownerStartTicks: processStartTicks(process.pid), processes: [] };
  const saveState = (): void => writeFileSync(join(runDir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
  const spawned: ServerProcess[] = [];
  const removeListener = onServerSpawn((p) => {
    if (!p.logPath.startsWith(runDir)) return;
    spawned.push(p);
    state.processes.push({ name: p.name, pid: p.pid ?? -1, startTicks: p.startTicks, group: p.detached });
    saveState();
  });
  saveState();
  log(`run dir ${runDir}, cache ${cacheDir()}`);
  // This process exiting without stop() (a signal during startup, a crash): its servers get SIGKILL
  // from server-process's exit hook; the run dir goes too, unless the bed was handed over (release).
  let released = false;
  const onExit = (): void => {
    if (!released) rmSync(runDir, { recursive: true, force: true });
  };
  process.on('exit', onExit);

  const startMs: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await fn();
    startMs[name] = Date.now() - t0;
    log(`${name} ready in ${startMs[name]} ms`);
    return result;
  };

  const redisServers: RedisServer[] = [];
  let obtained: ObtainedRedis = { binaries: [], missing: [] };
  const stoppers: { name: string; stop: () => Promise<void> }[] = [];

  const redisTask = async (): Promise<void> => {
    obtained = await obtainRedisBinaries({ download: true });
    reportMissing(obtained, log);
    for (const binary of obtained.binaries) {
      const name = `${binary.flavor}-${binary.version}`;
      const server = await timed(name, () => startRedis({ binary, dir: join(runDir, name), detached }));
      redisServers.push(server);
      stoppers.push({ name, stop: () => server.stop() });
      const info = await server.infoServer();
      const version = reportedVersion(info);
      if (version !== binary.version) {
        throw new Error(`${name}: INFO server reports version ${String(version)}, the binary said ${binary.version}`);
      }
    }
  };
  let zookeeper: ZookeeperServer | undefined;
  const zookeeperTask = async (): Promise<void> => {
    zookeeper = await timed('zookeeper', () => startZookeeper({ dir: join(runDir, 'zookeeper'), detached }));
    const zk = zookeeper;
    stoppers.push({ name: 'zookeeper', stop: () => zk.stop() });
  };
  let kafka: KafkaServer | undefined;
  const kafkaTask = async (): Promise<void> => {
    const cp = await ensureJars('kafka-3.9');
    if (cp.fetchMs > 0) log(`kafka jars fetched in ${cp.fetchMs} ms`);
    kafka = await timed(`kafka-${cp.version}`, () => startKafka({ line: '3.9', dir: join(runDir, 'kafka'), detached }));
    const k = kafka;
    stoppers.push({ name: 'kafka', stop: () => k.stop() });
  };
  let rocketmq: RocketmqServer | undefined;
  const rocketmqTask = async (): Promise<void> => {
    const cp = await ensureJars('rocketmq');
    if (cp.fetchMs > 0) log(`rocketmq jars fetched in ${cp.fetchMs} ms`);
    rocketmq = await timed(`rocketmq-${cp.version}`, () => startRocketmq({ dir: join(runDir, 'rocketmq'), detached }));
    const r = rocketmq;
    // The run dir is discarded: stop both JVMs at once, and do not wait the ~9 s of the proxy's
    // clean shutdown (it joins Netty threads that poll every 3 s); nothing of its state is kept.
    stoppers.push({ name: 'rocketmq-proxy', stop: () => r.stopProxy(3000) });
    stoppers.push({ name: 'rocketmq-namesrv', stop: () => r.stopNamesrv(3000) });
    // before any client asks for a route (the proxy caches "no such topic")
    await timed('rocketmq topics+groups', () =>
      Promise.all([createRocketmqTopics(r, ROCKETMQ_TOPICS), createRocketmqFifoGroups(r, ROCKETMQ_FIFO_GROUPS)]),
    );
  };

  let stopping: Promise<void> | undefined;
  // idempotent: a signal handler and a finally block may both ask
  const stopAll = (): Promise<void> => (stopping ??= stopEverything());
  const stopEverything = async (): Promise<void> => {
    const t0 = Date.now();
    const took: string[] = [];
    await Promise.allSettled(
      stoppers.map(async ({ name, stop }) => {
        await stop();
        took.push(`${name} ${Date.now() - t0}`);
      }),
    );
    log(`servers stopped in ${Date.now() - t0} ms (ms per server: ${took.join(', ')})`);
    // anything spawned but not yet handed to a stopper (a startup that failed half-way)
    await Promise.allSettled(spawned.map((p) => p.stop()));
    process.off('exit', onExit);
    if (process.env['RMQR_KEEP_RUN_DIR'] === '1') log(`kept ${runDir} (RMQR_KEEP_RUN_DIR=1)`);
    else rmSync(runDir, { recursive: true, force: true });
  };

  const results = await Promise.allSettled([redisTask(), zookeeperTask(), kafkaTask(), rocketmqTask()]);
  removeListener();
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason instanceof Error ? r.reason.message : String(r.reason)] : []));
  if (failures.length > 0 || kafka === undefined || rocketmq === undefined || zookeeper === undefined) {
    await stopAll();
    throw new Error(`test servers failed to start:\n${failures.join('\n\n')}`);
  }

  const description: ServersDescription = {
    redis: redisServers.map((s) => ({
      version: s.binary.version,
      flavor: s.binary.flavor,
      host: s.host,
      port: s.port,
      binary: s.binary.path,
      source: s.binary.source,
      logPath: s.logPath,
    })),
    missing: obtained.missing,
    kafka: {
      bootstrap: kafka.bootstrap,
      version: kafka.version,
      host: kafka.host,
      port: kafka.port,
      controllerPort: kafka.controllerPort,
      jarsDir: kafka.jarsDir,
      dir: kafka.dir,
      logPath: kafka.logPath,
    },
    rocketmq: {
      namesrv: rocketmq.namesrv,
      proxy: rocketmq.proxy,
      version: rocketmq.version,
      broker: rocketmq.broker,
      clusterName: rocketmq.clusterName,
      brokerName: rocketmq.brokerName,
      topics: [...ROCKETMQ_TOPICS],
      fifoGroups: [...ROCKETMQ_FIFO_GROUPS],
      jarsDir: rocketmq.jarsDir,
      dir: rocketmq.dir,
      logPaths: rocketmq.logPaths,
    },
    zookeeper: {
      connect: zookeeper.connect,
      version: zookeeper.version,
      host: zookeeper.host,
      port: zookeeper.port,
      logPath: zookeeper.logPath,
    },
    runDir,
    cacheDir: cacheDir(),
    startMs,
  };
  state.description = description;
  saveState();

  return {
    description,
    logFiles: () => spawned.map((p) => ({ name: p.name, path: p.logPath })),
    stop: stopAll,
    release: () => {
      released = true;
      process.off('exit', onExit);
      for (const p of spawned) p.release();
    },
  };
}

/** Prints the tail of every log of the test bed. */
export function printLogTails(bed: TestBed, log: Log, lines = 40): void {
  for (const { name, path } of bed.logFiles()) log(formatLogTail(name, path, lines));
}

/**
 * servers:stop: stops every test bed whose owner process is gone (started by servers:start, or left
 * behind by a killed run) and removes its run dir. Beds of a live `npm test` are left alone.
 */
export async function stopOrphanTestBeds(log: Log): Promise<number> {
  let stopped = 0;
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(RUN_DIR_PREFIX)) continue;
    const runDir = join(tmpdir(), entry);
    const statePath = join(runDir, STATE_FILE);
    if (!existsSync(statePath)) continue;
    let state: RunState;
    try {
      state = JSON.parse(readFileSync(statePath, 'utf8')) as RunState;
    } catch {
      continue;
    }
    if (isSameProcessAlive(state.ownerPid, state.ownerStartTicks)) {
      log(`${runDir}: owned by live process ${state.ownerPid}, left alone`);
      continue;
    }
    const results = await Promise.all(
      // 3 s grace, as in stop(): the run dir is discarded, a clean shutdown buys nothing
      state.processes.map(
        async (p: ProcessRecord) => `${p.name} ${await stopForeignProcess(p.pid, p.startTicks, { group: p.group, timeoutMs: 3000 })}`,
      ),
    );
    rmSync(runDir, { recursive: true, force: true });
    log(`${runDir}: ${results.join(', ') || 'no processes'}; removed`);
    stopped++;
  }
  return stopped;
}
