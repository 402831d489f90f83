// Child process of `npm run bench:e2e`: runs the Replicator with the Kafka or RocketMQ sink, apart from
// the consumer SDK (as in a deployment, where they are separate processes), and reports to the parent
// over IPC: when the batch holding snapshot-begin is handed to the sink, when the batch holding
// snapshot-end is acknowledged, and the sink's counters when it stops (SIGTERM).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { binaryCodec } from '../src/events/binary-codec.js';
import { jsonCodec } from '../src/events/envelope.js';
import type { ReplicationEvent } from '../src/events/types.js';
import { Replicator } from '../src/pipeline/replicator.js';
import { KafkaSink } from '../src/sinks/kafka/kafka-sink.js';
import { RocketMqSink } from '../src/sinks/rocketmq/rocketmq-sink.js';
import type { Sink } from '../src/sinks/sink.js';
import { createLogger } from '../src/util/logger.js';

const loop = monitorEventLoopDelay({ resolution: 1 });

export interface ReplicatorChildConfig {
  redis: string;
  sink: 'kafka' | 'rocketmq';
  kafka?: {
    brokers: string[];
    topic: string;
    headers?: 'compact' | 'cloudevents';
    packMaxEvents?: number;
    transactionalId?: string;
    compression?: 'none' | 'gzip';
  };
  rocketmq?: { endpoints: string; topic: string };
  batchEvents: number;
  lingerMs: number;
  codec: 'json' | 'binary';
}

export type ReplicatorChildMessage =
  | { type: 'ready' }
  | { type: 'snapshot-begin'; t: number }
  | { type: 'snapshot-acked'; t: number; events: number }
  | { type: 'stopped'; stats: Record<string, number>; acked: number; handedMs: number[]; ackedMs: number[]; loopDelayMs: { p50: number; p99: number; max: number } };

const send = (m: ReplicatorChildMessage, then?: () => void): void => {
  process.send?.(m, undefined, {}, () => then?.());
};

const LAT_PREFIX = Buffer.from('lat:');
const now = (): number => performance.timeOrigin + performance.now();

/** Send time of a latency probe write (SET lat:<n> <id>:<ms>), or undefined. */
function probeTime(e: ReplicationEvent): number | undefined {
  if (e.type !== 'command' || e.command !== 'SET' || e.args.length < 3) return undefined;
  if (!e.args[1]!.subarray(0, LAT_PREFIX.length).equals(LAT_PREFIX)) return undefined;
  const v = e.args[2]!.toString();
  return Number(v.slice(v.indexOf(':') + 1));
}

/**
 * Wraps a sink to time the snapshot's first hand-over and its last acknowledgement, and, for latency
 * probe writes, the time from the Redis write to the hand-over to the sink and to its acknowledgement.
 */
class TimedSink implements Sink {
  readonly name: string;
  readonly maxInFlight: number;
  acked = 0;
  readonly handedMs: number[] = [];
  onSnapshotAcked: () => void = () => undefined;
  readonly ackedMs: number[] = [];

  constructor(readonly inner: Sink) {
    this.name = inner.name;
    this.maxInFlight = inner.maxInFlight;
  }

  open(): Promise<void> {
    return this.inner.open();
  }

  async publish(batch: readonly ReplicationEvent[]): Promise<void> {
    if (batch.some((e) => e.type === 'snapshot-begin')) send({ type: 'snapshot-begin', t: Date.now() });
    const probes: number[] = [];
    const handed = now();
    for (const e of batch) {
      const t = probeTime(e);
      if (t !== undefined) probes.push(t);
    }
    for (const t of probes) this.handedMs.push(handed - t);
    await this.inner.publish(batch);
    const acked = now();
    for (const t of probes) this.ackedMs.push(acked - t);
    this.acked += batch.length;
    if (batch.some((e) => e.type === 'snapshot-end')) {
      send({ type: 'snapshot-acked', t: Date.now(), events: this.acked });
      this.onSnapshotAcked();
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2]!) as ReplicatorChildConfig;
  const logger = createLogger({ level: 'warn' });
  const codec = cfg.codec === 'binary' ? binaryCodec : jsonCodec;
  const inner: Sink =
    cfg.sink === 'kafka'
      ? new KafkaSink({
          brokers: cfg.kafka!.brokers,
          topic: cfg.kafka!.topic,
          sourceId: cfg.redis,
          codec,
          logger,
          ...(cfg.kafka!.headers ? { headers: cfg.kafka!.headers } : {}),
          ...(cfg.kafka!.packMaxEvents ? { packMaxEvents: cfg.kafka!.packMaxEvents } : {}),
          ...(cfg.kafka!.transactionalId ? { transactionalId: cfg.kafka!.transactionalId } : {}),
          ...(cfg.kafka!.compression ? { compression: cfg.kafka!.compression } : {}),
        })
      : new RocketMqSink({ endpoints: cfg.rocketmq!.endpoints, topic: cfg.rocketmq!.topic, sourceId: cfg.redis, codec, logger });
  const sink = new TimedSink(inner);
  const replicator = new Replicator({ redis: cfg.redis, sink, batchEvents: cfg.batchEvents, lingerMs: cfg.lingerMs, logger });
  process.on('SIGTERM', () => {
    void replicator.close().finally(() => {
      const stats = (inner as { stats?: () => object }).stats?.() ?? {};
      // disconnect once the message is written: a large one would be cut off otherwise
      loop.disable();
      const loopDelayMs = { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
      send({ type: 'stopped', stats: stats as Record<string, number>, acked: sink.acked, handedMs: sink.handedMs, ackedMs: sink.ackedMs, loopDelayMs }, () =>
        process.disconnect?.(),
      );
    });
  });
  await replicator.open();
  send({ type: 'ready' });
  // event-loop delay of this process from the snapshot's acknowledgement on (the live-load phase)
  sink.onSnapshotAcked = () => {
    loop.reset();
    loop.enable();
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench replicator: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
