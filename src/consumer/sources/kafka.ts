// MessageSource over a kafkajs consumer group. Each partition is a lane ("<topic>/<partition>"): its
// fetched batch is handed to deliver() in offset order. Only after deliver() resolved:
//  - the batch is resolved (kafkajs fetches the partition on from there), and
//  - the group's offset is committed up to the receipt's safePrefix: parts of a split event that the
//    SDK still holds are not committed, so a restart fetches them again (parts of one event are
//    contiguous in a partition, and the call that completes the event covers them).
// When deliver() rejects, the same messages are delivered again after a backoff, during which the
// member keeps heartbeating so it stays in the group; nothing of them is resolved or committed.
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type IHeaders, type KafkaConfig, type logCreator, type SASLOptions } from 'kafkajs';
import { Backoff, type BackoffOptions } from '../../util/backoff.js';
import { silentLogger, type LogFields, type Logger } from '../../util/logger.js';
import type { DeliveryReceipt, MessageSource, SourceMessage } from '../source.js';

export interface KafkaSourceOptions {
  /** "host:port" bootstrap brokers. */
  brokers: string[];
  clientId?: string;
  groupId: string;
  topics: string[];
  /** A group without committed offsets starts at the beginning of the topics (default false: the end). */
  fromBeginning?: boolean;
  /** Same shape as the Kafka sink's. */
  ssl?: boolean | { ca?: string | Buffer; rejectUnauthorized?: boolean };
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  /** Partitions whose batches are delivered at the same time (default 4). */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Longest wait of a fetch when there is nothing new (default 1000 ms). */
  maxWaitTimeMs?: number;
  /** Wait before a batch whose delivery failed is fetched and delivered again. */
  retry?: BackoffOptions;
  logger?: Logger;
}

export class KafkaMessageSource implements MessageSource {
  readonly name = 'kafka';
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private consumer: Consumer | null = null;
  private running = false;
  private readonly wakeups = new Set<() => void>();
  private readonly lags: Record<string, number> = {};

  constructor(private readonly o: KafkaSourceOptions) {
    if (o.brokers.length === 0) throw new Error('Kafka source: brokers is empty');
    if (o.topics.length === 0) throw new Error('Kafka source: topics is empty');
    this.log = o.logger ?? silentLogger;
    const config: KafkaConfig = {
      clientId: o.clientId ?? 'redis-mq-replicator-sdk',
      brokers: o.brokers,
      logLevel: logLevel.INFO,
      logCreator: logBridge(this.log),
    };
    if (o.ssl) config.ssl = o.ssl === true ? true : { ...o.ssl };
    if (o.sasl) config.sasl = { ...o.sasl } as SASLOptions;
    this.kafka = new Kafka(config);
  }

  async start(deliver: Deliver): Promise<void> {
    if (this.consumer) throw new Error('Kafka source: start() called twice');
    const consumer = this.kafka.consumer({
      groupId: this.o.groupId,
      // a subscription to a missing topic must not create it with the broker's default partition count
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.o.maxWaitTimeMs ?? 1000,
      ...(this.o.sessionTimeoutMs !== undefined ? { sessionTimeout: this.o.sessionTimeoutMs } : {}),
      ...(this.o.heartbeatIntervalMs !== undefined ? { heartbeatInterval: this.o.heartbeatIntervalMs } : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      this.log.error(`Kafka consumer crashed: ${e.payload.error.message}`, { restart: e.payload.restart, group: this.o.groupId });
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.o.topics, fromBeginning: this.o.fromBeginning ?? false });
    } catch (err) {
      this.consumer = null;
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
    this.running = true;
    const heartbeatEvery = Math.max(500, this.o.heartbeatIntervalMs ?? 3000);
    await consumer.run({
      // resolving moves the fetch position; commits are explicit (up to the SDK's safe prefix)
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 4,
      eachBatch: (payload) => this.onBatch(payload, deliver, heartbeatEvery),
    });
  }

  /** Messages after the last fetched batch, per lane (as of that batch). */
  lag(): Record<string, number> {
    return { ...this.lags };
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of [...this.wakeups]) w();
    const consumer = this.consumer;
    this.consumer = null;
    // disconnect() waits for the batch being delivered, commits its resolved offsets, leaves the group
    if (consumer) await consumer.disconnect();
  }

  private async onBatch(p: EachBatchPayload, deliver: Deliver, heartbeatEvery: number): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0 || !p.isRunning() || p.isStale()) return;
    const lane = `${batch.topic}/${batch.partition}`;
    this.lags[lane] = Number(batch.offsetLag());
    const messages: SourceMessage[] = [];
    const offsets: string[] = [];
    for (const m of batch.messages) {
      if (m.value === null) continue; // not ours (a tombstone); resolved and committed with the rest
      messages.push({ lane, key: m.key, value: m.value, headers: headerStrings(m.headers) });
      offsets.push(m.offset);
    }
    const last = batch.messages[batch.messages.length - 1]!.offset;
    const backoff = new Backoff(this.o.retry ?? { initialMs: 500, maxMs: 10_000 });
    for (;;) {
      const beat = setInterval(() => void p.heartbeat().catch(() => undefined), heartbeatEvery);
      let failed: unknown = null;
      let receipt: DeliveryReceipt | void = undefined;
      try {
        if (messages.length > 0) receipt = await deliver(messages);
      } catch (err) {
        failed = err ?? new Error('delivery failed');
      } finally {
        clearInterval(beat);
      }
      if (failed === null) {
        p.resolveOffset(last);
        const safe = receipt ? receipt.safePrefix : messages.length;
        // committed offset = next offset to read after a restart
        const commitAfter = safe >= messages.length ? last : safe > 0 ? offsets[safe - 1]! : null;
        if (commitAfter !== null) {
          const offset = (BigInt(commitAfter) + 1n).toString();
          await p
            .commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }] })
            .catch((err: Error) => this.log.warn(`commit of ${lane} offset ${offset} failed (delivered again after a restart or rebalance): ${err.message}`));
        }
        return;
      }
      const wait = backoff.next();
      this.log.warn(`delivery of ${lane} offsets ${batch.firstOffset()}..${last} failed: ${(failed as Error).message}; again in ${wait} ms`);
      await this.pause(wait, p);
      // Stopping or reassigned: leave the batch unresolved; it is delivered again from the committed offset.
      if (!this.running || !p.isRunning() || p.isStale()) return;
    }
  }

  /** Waits, heartbeating, until the delay passes or stop() is called. */
  private pause(ms: number, p: EachBatchPayload): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(beat);
        this.wakeups.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const beat = setInterval(() => void p.heartbeat().catch(() => undefined), 1000);
      this.wakeups.add(done);
    });
  }
}

type Deliver = (messages: SourceMessage[]) => Promise<DeliveryReceipt | void>;

function headerStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k in h) {
    const v = h[k];
    const one = Array.isArray(v) ? v[0] : v;
    if (one === undefined) continue;
    out[k] = typeof one === 'string' ? one : one.toString('utf8');
  }
  return out;
}

/** kafkajs logs through our logger: its errors are retried internally, so they become warnings. */
function logBridge(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _t, logger: _l, stack: _s, ...rest } = log as { message: string; [k: string]: unknown };
      const fields: LogFields = { kafka: namespace };
      for (const [k, v] of Object.entries(rest)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
        else if (v instanceof Error) fields[k] = v.message;
      }
      if (level === logLevel.ERROR || level === logLevel.WARN) logger.warn(message, fields);
      else logger.debug(message, fields);
    };
}
