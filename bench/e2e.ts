// `npm run bench:e2e [-- --keys N] [--rocketmq-keys N] [--rate W] [--rocketmq-rate W] [--seconds S] [--only kafka|rocketmq]
//                     [--partitions P] [--linger MS] [--batch N] [--codec json|binary] [--profile DIR]
//                     [--headers compact|cloudevents] [--pack N] [--transactional] [--compression none|gzip]
//                     [--sdk-after-sync] [--skip-baselines]`
//
// End to end: a dedicated Redis 7.0 master -> the Replicator (a child process, bench/e2e-replicator.ts)
// -> Kafka / RocketMQ -> the consumer SDK (this process). Brokers: the shared test bed when RMQR_SERVERS
// is set (`RMQR_SERVERS="$(cat servers.json)" npm run bench:e2e`), else dedicated ones started here.
//  (a) full sync of N keys (DEBUG POPULATE N key 100) to Kafka: events/s from the snapshot-begin batch
//      to (1) the sink's acknowledgement of the snapshot-end batch, (2) the SDK having every event;
//  (b) the same to RocketMQ (default 200 k keys: the Node client sends one message per call);
//  (c) a live load of W writes/s for S s: latency from the Redis write (send time in the value) to the
//      SDK listener, p50/p99, for Kafka and for RocketMQ (at --rocketmq-rate, default 500/s: the Node
//      RocketMQ client does not sustain 10 k/s here, so that latency would only measure a growing backlog).
// RMQR_BENCH_CHILD_ARGS="--trace-gc ..." passes node options to the replicator child only.
// Kafka sink settings: --headers (default compact), --pack (kafka.pack.max.events, default 256),
// --transactional (a transactional id: every request a transaction, the cluster-mode setting).
// Baselines measured in the same run: kafkajs producing pre-encoded 100-byte messages with the same
// request sizes (without and with the 10 envelope headers), a kafkajs produce->consume round trip at
// the same rate; the RocketMQ client sending 100-byte FIFO messages 64 at a time.
// Targets: >= 150 k events/s to Kafka during a full sync; p99 <= 10 ms at 10 k writes/s.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Kafka, Partitioners, logLevel, type Message } from 'kafkajs';
import { Producer as RocketProducer } from 'rocketmq-client-nodejs';
import { RedisEventConsumer } from '../src/consumer/consumer.js';
import type { ReplicationEvent } from '../src/events/types.js';
import { silentLogger } from '../src/util/logger.js';
import { printfLogger } from '../src/util/printf-logger.js';
import type { ServersDescription } from '../test/servers/description.js';
import { startKafka, type KafkaServer } from '../test/servers/kafka.js';
import { startRedis, type RedisServer } from '../test/servers/redis.js';
import { createRocketmqFifoGroups, createRocketmqTopics } from '../test/servers/rocketmq-admin.js';
import { startRocketmq, type RocketmqServer } from '../test/servers/rocketmq.js';
import type { ReplicatorChildConfig, ReplicatorChildMessage } from './e2e-replicator.js';

const HERE = dirname(fileURLToPath(import.meta.url));

const { values: argv } = parseArgs({
  options: {
    keys: { type: 'string', default: '2000000' },
    'rocketmq-keys': { type: 'string', default: '200000' },
    rate: { type: 'string', default: '10000' },
    'rocketmq-rate': { type: 'string', default: '500' },
    seconds: { type: 'string', default: '20' },
    only: { type: 'string' },
    partitions: { type: 'string', default: '8' },
    linger: { type: 'string', default: '1' },
    batch: { type: 'string', default: '1000' },
    profile: { type: 'string' },
    codec: { type: 'string', default: 'json' },
    headers: { type: 'string', default: 'compact' },
    pack: { type: 'string', default: '256' },
    transactional: { type: 'boolean', default: false },
    'skip-baselines': { type: 'boolean', default: false },
    'sdk-after-sync': { type: 'boolean', default: false },
    compression: { type: 'string', default: 'none' },
  },
});
const KEYS = Number(argv.keys);
const ROCKETMQ_KEYS = Number(argv['rocketmq-keys']);
const KAFKA_RATE = Number(argv.rate);
const ROCKETMQ_RATE = Number(argv['rocketmq-rate']);
const SECONDS = Number(argv.seconds);
const PARTITIONS = Number(argv.partitions);
const WARMUP_MS = 2000;

interface Brokers {
  kafka: string;
  rocketmq: { endpoints: string; admin: Parameters<typeof createRocketmqTopics>[0] } | null;
  dispose(): Promise<void>;
}

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const now = (): number => performance.timeOrigin + performance.now();
const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function latencyLine(name: string, lat: number[], sent: number): string {
  const s = [...lat].sort((a, b) => a - b);
  const f = (x: number): string => x.toFixed(2);
  return `${name}: ${s.length} of ${sent} measured writes; p50 ${f(percentile(s, 50))} ms, p90 ${f(percentile(s, 90))} ms, p99 ${f(percentile(s, 99))} ms, max ${f(s.at(-1) ?? NaN)} ms`;
}

async function brokers(needRocketmq: boolean): Promise<Brokers> {
  const raw = process.env['RMQR_SERVERS'];
  if (raw) {
    const d = JSON.parse(raw) as ServersDescription;
    return {
      kafka: d.kafka.bootstrap,
      rocketmq: d.rocketmq ? { endpoints: d.rocketmq.proxy, admin: d.rocketmq } : null,
      dispose: async () => undefined,
    };
  }
  log('RMQR_SERVERS not set: starting dedicated brokers');
  const kafka: KafkaServer = await startKafka({ name: 'bench-kafka' });
  const rocketmq: RocketmqServer | null = needRocketmq ? await startRocketmq() : null;
  return {
    kafka: kafka.bootstrap,
    rocketmq: rocketmq ? { endpoints: rocketmq.proxy, admin: rocketmq } : null,
    dispose: async () => {
      await kafka.dispose();
      await rocketmq?.dispose();
    },
  };
}

/** The Replicator in a child process; resolves messages by type. */
class ReplicatorChild {
  readonly child: ChildProcess;
  private readonly waiters = new Map<string, (m: ReplicatorChildMessage) => void>();
  private readonly got = new Map<string, ReplicatorChildMessage>();

  constructor(cfg: ReplicatorChildConfig) {
    const execArgv = [...(argv.profile ? ['--cpu-prof', `--cpu-prof-dir=${argv.profile}`] : []), ...(process.env['RMQR_BENCH_CHILD_ARGS'] ?? '').split(' ').filter((a) => a !== '')];
    this.child = fork(join(HERE, 'e2e-replicator.js'), [JSON.stringify(cfg)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: ReplicatorChildMessage) => {
      this.got.set(m.type, m);
      this.waiters.get(m.type)?.(m);
    });
  }

  wait<T extends ReplicatorChildMessage['type']>(type: T, timeoutMs = 1_800_000): Promise<Extract<ReplicatorChildMessage, { type: T }>> {
    const have = this.got.get(type);
    if (have) return Promise.resolve(have as Extract<ReplicatorChildMessage, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replicator child: no ${type} within ${timeoutMs} ms`)), timeoutMs);
      this.child.once('exit', (code) => reject(new Error(`replicator child exited (${String(code)}) before ${type}`)));
      this.waiters.set(type, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<ReplicatorChildMessage, { type: T }>);
      });
    });
  }

  async stop(): Promise<Extract<ReplicatorChildMessage, { type: 'stopped' }>> {
    const stopped = this.wait('stopped', 60_000);
    this.child.kill('SIGTERM');
    const m = await stopped;
    await new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    return m;
  }
}

/** Counts SDK events; resolves `complete` when the snapshot is in and `expected` key-values arrived. */
function countingConsumer(
  opts: ConstructorParameters<typeof RedisEventConsumer>[0],
  expectedKeys: number,
  onCommand: (e: Extract<ReplicationEvent, { type: 'command' }>) => void,
): { consumer: RedisEventConsumer; complete: Promise<number>; count: () => number } {
  const consumer = new RedisEventConsumer(opts);
  let events = 0;
  let keys = 0;
  let snapshotEnd = false;
  let finish!: (t: number) => void;
  const complete = new Promise<number>((r) => (finish = r));
  const check = (): void => {
    if (snapshotEnd && keys >= expectedKeys) finish(Date.now());
  };
  consumer.on('event', (e) => {
    events++;
    if (e.type === 'key-value') keys++;
    else if (e.type === 'snapshot-end') snapshotEnd = true;
    else if (e.type === 'command') onCommand(e);
    check();
  });
  consumer.on('error', (err) => log(`  SDK error: ${err.message}`));
  return { consumer, complete, count: () => events };
}

/**
 * Writes i = 0, 1, ... at `writesPerSecond` for SECONDS s: every millisecond tick sends the writes due
 * by then as one batch, [from, to) stamped with the tick's time t. Returns the send time of each write
 * made after the first WARMUP_MS.
 */
async function paced(writesPerSecond: number, sendBatch: (from: number, to: number, t: number) => Promise<void>): Promise<Map<number, number>> {
  const sentAt = new Map<number, number>();
  const start = now();
  let i = 0;
  while (now() - start < SECONDS * 1000) {
    const due = Math.floor(((now() - start) / 1000) * writesPerSecond);
    if (due > i) {
      const t = now();
      if (t - start >= WARMUP_MS) for (let k = i; k < due; k++) sentAt.set(k, t);
      await sendBatch(i, due, t);
      i = due;
    }
    await delay(1);
  }
  return sentAt;
}

/** Time from sending to receiving each measured write that was received. */
function latencies(sentAt: ReadonlyMap<number, number>, received: ReadonlyMap<number, number>): number[] {
  const lat: number[] = [];
  for (const [id, t] of sentAt) {
    const r = received.get(id);
    if (r !== undefined) lat.push(r - t);
  }
  return lat;
}

/** W writes/s of SET lat:<i> <send time> for S s (the first WARMUP_MS not measured). */
async function latencyLoad(redis: Redis, received: Map<number, number>, writesPerSecond: number): Promise<{ lat: number[]; sent: number }> {
  const sentAt = await paced(writesPerSecond, async (from, to, t) => {
    const p = redis.pipeline();
    for (let i = from; i < to; i++) p.set(`lat:${i % 100_000}`, `${i}:${t}`);
    await p.exec();
  });
  await delay(3000); // stragglers
  return { lat: latencies(sentAt, received), sent: sentAt.size };
}

function latencyRecorder(): { received: Map<number, number>; onCommand: (e: Extract<ReplicationEvent, { type: 'command' }>) => void } {
  const received = new Map<number, number>();
  return {
    received,
    onCommand: (e) => {
      if (e.command !== 'SET' || e.args.length < 3 || !e.args[1]!.subarray(0, 4).equals(Buffer.from('lat:'))) return;
      const v = e.args[2]!.toString();
      const colon = v.indexOf(':');
      const id = Number(v.slice(0, colon));
      if (!received.has(id)) received.set(id, now());
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Baselines

const ENVELOPE_HEADERS = ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'content-type', 'ce_dataschema', 'ce_replid', 'ce_offset', 'ce_db', 'ce_rdboffset'];

async function kafkaProduceBaseline(bootstrap: string, n: number, withHeaders: boolean): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const topic = `bench-baseline-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 5 } });
  await producer.connect();
  const value = Buffer.alloc(100, 0x76);
  const perRequest = 5000; // the sink's default request size
  const batches: Message[][] = [];
  for (let i = 0; i < n; i += perRequest) {
    const messages: Message[] = [];
    for (let j = i; j < Math.min(n, i + perRequest); j++) {
      const m: Message = { key: Buffer.from(`0:key:${j}`), value, partition: j % PARTITIONS };
      if (withHeaders) {
        const h: Record<string, string> = {};
        for (const name of ENVELOPE_HEADERS) h[name] = `${name}-value-${j}`;
        m.headers = h;
      }
      messages.push(m);
    }
    batches.push(messages);
  }
  const t0 = Date.now();
  for (const messages of batches) await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
  const ms = Date.now() - t0;
  await producer.disconnect();
  return ms;
}

async function kafkaLatencyBaseline(bootstrap: string): Promise<{ lat: number[]; sent: number }> {
  const writesPerSecond = KAFKA_RATE;
  const kafka = new Kafka({ clientId: 'bench-baseline', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const topic = `bench-baseline-lat-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  await admin.disconnect();
  const received = new Map<number, number>();
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachMessage: async ({ message }) => {
      received.set(Number(message.value!.toString().split(':')[0]), now());
    },
  });
  await delay(2000);
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const sentAt = await paced(writesPerSecond, async (from, to, t) => {
    const messages: Message[] = [];
    for (let i = from; i < to; i++) messages.push({ key: `0:lat:${i % 100_000}`, value: `${i}:${t}` });
    // like the pipeline: linger, then one request
    await producer.sendBatch({ topicMessages: [{ topic, messages }], acks: -1 });
  });
  await delay(3000);
  await producer.disconnect();
  await consumer.disconnect();
  return { lat: latencies(sentAt, received), sent: sentAt.size };
}

async function rocketmqSendBaseline(endpoints: string, topic: string, n: number): Promise<number> {
  const producer = new RocketProducer({ endpoints, namespace: '', maxAttempts: 3, logger: printfLogger(silentLogger) });
  await producer.startup();
  const body = Buffer.alloc(100, 0x76);
  const t0 = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await producer.send({ topic, body, messageGroup: `0:key:${i}`, tag: 'key-value', keys: [`key:${i}`] });
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  const ms = Date.now() - t0;
  await producer.shutdown();
  return ms;
}

// ---------------------------------------------------------------------------------------------

async function fullSyncAndLatency(
  name: 'kafka' | 'rocketmq',
  master: RedisServer,
  redis: Redis,
  keys: number,
  childCfg: ReplicatorChildConfig,
  consumerOpts: ConstructorParameters<typeof RedisEventConsumer>[0],
  writesPerSecond: number,
): Promise<void> {
  await redis.flushall();
  await redis.call('DEBUG', 'POPULATE', String(keys), 'key', '100');
  log(`\n[${name}] full sync of ${keys.toLocaleString('en-US')} keys (DEBUG POPULATE ${keys} key 100)`);
  const rec = latencyRecorder();
  const sdk = countingConsumer(consumerOpts, keys, rec.onCommand);
  // --sdk-after-sync: the SDK starts once the snapshot is acknowledged, so the replicator -> broker rate
  // is measured without the consumer competing for the CPU, and the SDK's own rate on the backlog apart
  const sdkAfter = argv['sdk-after-sync'] === true;
  if (!sdkAfter) await sdk.consumer.start();
  const child = new ReplicatorChild(childCfg);
  const begin = await child.wait('snapshot-begin');
  const acked = await child.wait('snapshot-acked');
  const sinkMs = acked.t - begin.t;
  log(
    `  replicator -> ${name} acknowledged the snapshot: ${acked.events.toLocaleString('en-US')} events in ${sinkMs} ms = ${rate(acked.events, sinkMs)}` +
      (sdkAfter ? ' (no consumer running)' : ' (the SDK consuming at the same time)'),
  );
  log(`  load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const sdkStart = Date.now();
  if (sdkAfter) await sdk.consumer.start();
  const sdkDone = await Promise.race([sdk.complete, delay(1_800_000).then(() => NaN)]);
  if (sdkAfter) {
    const ms = sdkDone - sdkStart;
    log(`  SDK read the ${acked.events.toLocaleString('en-US')} snapshot events from the topic in ${ms} ms = ${rate(acked.events, ms)} (started after the acknowledgement)`);
  } else {
    const sdkMs = sdkDone - begin.t;
    log(`  SDK received every snapshot event ${sdkMs} ms after snapshot-begin = ${rate(acked.events, sdkMs)} end to end`);
  }

  log(`[${name}] live load: ${writesPerSecond.toLocaleString('en-US')} writes/s for ${SECONDS} s (first ${WARMUP_MS} ms not measured)`);
  await delay(1000);
  const { lat, sent } = await latencyLoad(redis, rec.received, writesPerSecond);
  log(`  ${latencyLine('Redis write -> SDK listener', lat, sent)}`);
  const stopped = await child.stop();
  // where the time goes, for the same writes (warm-up included): inside the replicator process
  log(`  ${latencyLine('  of which Redis write -> batch handed to the sink', stopped.handedMs, stopped.handedMs.length)}`);
  log(`  ${latencyLine('  of which Redis write -> sink acknowledged', stopped.ackedMs, stopped.ackedMs.length)}`);
  const d = stopped.loopDelayMs;
  log(`  replicator event-loop delay during the live load: p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms`);
  log(`  sink counters: ${JSON.stringify(stopped.stats)}`);
  log(`  load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await sdk.consumer.stop();
  void master;
}

async function main(): Promise<void> {
  const only = argv.only;
  const doKafka = only === undefined || only === 'kafka';
  const doRocket = only === undefined || only === 'rocketmq';
  const b = await brokers(doRocket);
  const master = await startRedis({
    binary: '/usr/bin/redis-server',
    name: 'bench-e2e-master',
    args: ['--enable-debug-command', 'yes', '--repl-diskless-sync', 'no', '--repl-backlog-size', '256mb', '--client-output-buffer-limit', 'replica 0 0 0'],
  });
  const redis = new Redis({ host: master.host, port: master.port, maxRetriesPerRequest: 1 });
  log(
    `redis-mq-replicator bench:e2e  keys=${KEYS} rocketmq-keys=${ROCKETMQ_KEYS} rate=${KAFKA_RATE}/s rocketmq-rate=${ROCKETMQ_RATE}/s seconds=${SECONDS} partitions=${PARTITIONS} batch=${argv.batch} linger=${argv.linger} ms codec=${argv.codec}` +
      ` kafka: headers=${argv.headers} pack=${argv.pack} transactional=${String(argv.transactional)} compression=${argv.compression}` +
      ` sdk=${argv['sdk-after-sync'] ? 'after the sync' : 'during the sync'}`,
  );
  log(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  try {
    if (doKafka) {
      if (!argv['skip-baselines']) {
        log('\n[kafka] baselines (kafkajs, idempotent, acks=all, 5000 records per request, no replicator)');
        const n = Math.min(KEYS, 1_000_000);
        const plain = await kafkaProduceBaseline(b.kafka, n, false);
        log(`  ${n.toLocaleString('en-US')} pre-encoded 100-byte messages: ${plain} ms = ${rate(n, plain)}`);
        const headered = await kafkaProduceBaseline(b.kafka, n, true);
        log(`  same with the 10 envelope headers: ${headered} ms = ${rate(n, headered)}`);
        const base = await kafkaLatencyBaseline(b.kafka);
        log(`  ${latencyLine('kafkajs produce -> consume at the same rate', base.lat, base.sent)}`);
        log(`  load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      }

      const topic = `bench-e2e-${randomUUID().slice(0, 8)}`;
      const kafka = new Kafka({ clientId: 'bench', brokers: [b.kafka], logLevel: logLevel.ERROR });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
      await admin.disconnect();
      await fullSyncAndLatency(
        'kafka',
        master,
        redis,
        KEYS,
        {
          redis: `redis://${master.address}`,
          sink: 'kafka',
          kafka: {
            brokers: [b.kafka],
            topic,
            headers: argv.headers === 'cloudevents' ? 'cloudevents' : 'compact',
            packMaxEvents: Number(argv.pack),
            compression: argv.compression === 'gzip' ? 'gzip' : 'none',
            ...(argv.transactional ? { transactionalId: `bench-${randomUUID().slice(0, 8)}` } : {}),
          },
          batchEvents: Number(argv.batch),
          lingerMs: Number(argv.linger),
          codec: argv.codec === 'binary' ? 'binary' : 'json',
        },
        { kafka: { brokers: [b.kafka] }, topic, group: `bench-${randomUUID()}`, fromBeginning: true },
        KAFKA_RATE,
      );
    }
    if (doRocket) {
      if (!b.rocketmq) throw new Error('no RocketMQ in RMQR_SERVERS');
      const topic = `bench-e2e-${randomUUID().slice(0, 8)}`;
      const baseTopic = `bench-baseline-${randomUUID().slice(0, 8)}`;
      const group = `bench-${randomUUID().slice(0, 8)}`;
      await createRocketmqTopics(b.rocketmq.admin, [
        { name: topic, type: 'FIFO', queues: 8 },
        { name: baseTopic, type: 'FIFO', queues: 8 },
      ]);
      await createRocketmqFifoGroups(b.rocketmq.admin, [group]);
      log('\n[rocketmq] baseline (rocketmq-client-nodejs, 64 sends in flight, no replicator)');
      const n = Math.min(ROCKETMQ_KEYS, 100_000);
      const ms = await rocketmqSendBaseline(b.rocketmq.endpoints, baseTopic, n);
      log(`  ${n.toLocaleString('en-US')} 100-byte FIFO messages: ${ms} ms = ${rate(n, ms)}`);
      await fullSyncAndLatency(
        'rocketmq',
        master,
        redis,
        ROCKETMQ_KEYS,
        { redis: `redis://${master.address}`, sink: 'rocketmq', rocketmq: { endpoints: b.rocketmq.endpoints, topic }, batchEvents: Number(argv.batch), lingerMs: Number(argv.linger), codec: argv.codec === 'binary' ? 'binary' : 'json' },
        { rocketmq: { endpoints: b.rocketmq.endpoints }, topic, group },
        ROCKETMQ_RATE,
      );
    }
  } finally {
    redis.disconnect();
    await master.dispose();
    await b.dispose();
  }
}

// rocketmq-client-nodejs rejects promises from its timers that nobody awaits (test-servers.md §3):
// log them instead of dying in the middle of a measurement.
process.on('unhandledRejection', (err) => log(`  (unhandled rejection: ${(err as Error)?.message ?? String(err)})`));

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:e2e failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
