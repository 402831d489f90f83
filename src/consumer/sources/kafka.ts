// MessageSource over a kafkajs consumer group. Each partition is a lane ("<topic>/<partition>"): its
// fetched batch is handed to deliver() in offset order. Only after deliver() resolved:
//  - the batch is resolved (kafkajs fetches the partition on from there), and
//  - the group's offset is committed up to the receipt's safePrefix: parts of a split event that the
//    SDK still holds are not committed, so a restart fetches them again (parts of one event are
//    contiguous in a partition, and the call that completes the event covers them).
// When deliver() rejects, the same messages are delivered again after a backoff, during which the
// member keeps heartbeating so it stays in the group; nothing of them is resolved or committed.
//
// A receipt that stops at a copy (DeliveryReceipt.taken / resume, see consumer/rendezvous.ts): the
// fetch position moves only past the taken messages and the partition is paused, so kafkajs goes on
// fetching the other partitions (its fetcher waits for every batch of a round before fetching again, so
// blocking in eachBatch would stall them all); once `resume` settles the offset is committed up to what
// it reports, and the partition is resumed and fetched again from after the copy.
//
// The assignment (GROUP_JOIN) tells the SDK which lanes this member consumes. Records of aborted or
// open transactions are never delivered: the consumer reads committed (isolation READ_COMMITTED,
// kafkajs's default, set explicitly).
import { Kafka, logLevel, type Consumer, type EachBatchPayload, type IHeaders, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { kafkaLogCreator } from '../../kafka/kafka-log.js';
import { Backoff, type BackoffOptions } from '../../util/backoff.js';
import { silentLogger, type Logger } from '../../util/logger.js';
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
  /** Partitions whose batches are delivered at the same time (default 16). */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /**
   * Longest wait of a fetch when there is nothing new (default 100 ms). A partition resumed after
   * waiting at a copy is fetched by the next fetch request, after the one in flight returns: this bounds
   * that delay when the other partitions are idle.
   */
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
  private owned: Set<string> | undefined;
  private readonly assignmentListeners: Array<() => void> = [];
  /** Highest offset committed per lane by this member since it was assigned the lane. */
  private readonly committed = new Map<string, bigint>();
  /** Lanes paused at a copy, with the function that resumes them. */
  private readonly paused = new Map<string, () => void>();

  constructor(private readonly o: KafkaSourceOptions) {
    if (o.brokers.length === 0) throw new Error('Kafka source: brokers is empty');
    if (o.topics.length === 0) throw new Error('Kafka source: topics is empty');
    this.log = o.logger ?? silentLogger;
    const config: KafkaConfig = {
      clientId: o.clientId ?? 'redis-mq-replicator-sdk',
      brokers: o.brokers,
      logLevel: logLevel.INFO,
      logCreator: kafkaLogCreator(this.log),
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
      // never deliver records of open or aborted transactions (transactional sink, fenced producers)
      readUncommitted: false,
      maxWaitTimeInMs: this.o.maxWaitTimeMs ?? 100,
      ...(this.o.sessionTimeoutMs !== undefined ? { sessionTimeout: this.o.sessionTimeoutMs } : {}),
      ...(this.o.heartbeatIntervalMs !== undefined ? { heartbeatInterval: this.o.heartbeatIntervalMs } : {}),
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      this.log.error(`Kafka consumer crashed: ${e.payload.error.message}`, { restart: e.payload.restart, group: this.o.groupId });
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const owned = new Set<string>();
      for (const [topic, partitions] of Object.entries(e.payload.memberAssignment)) for (const p of partitions) owned.add(`${topic}/${p}`);
      this.owned = owned;
      // a lane may come back after another member committed further: forget our own marks
      this.committed.clear();
      for (const l of this.assignmentListeners) l();
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
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 16,
      eachBatch: (payload) => this.onBatch(payload, deliver, heartbeatEvery),
    });
  }

  assignment(): ReadonlySet<string> | undefined {
    return this.owned;
  }

  onAssignment(listener: () => void): void {
    this.assignmentListeners.push(listener);
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
    for (const resume of [...this.paused.values()]) resume();
    // disconnect() waits for the batch being delivered and leaves the group (commits are ours, explicit)
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
        const taken = receipt?.taken ?? messages.length;
        // the fetch position moves past what the SDK took; the rest is fetched again after `resume`
        if (taken >= messages.length) p.resolveOffset(last);
        else if (taken > 0) p.resolveOffset(offsets[taken - 1]!);
        const safe = receipt ? Math.min(receipt.safePrefix, taken) : messages.length;
        // committed offset = next offset to read after a restart
        const commitAfter = safe >= messages.length ? last : safe > 0 ? offsets[safe - 1]! : null;
        if (commitAfter !== null) await this.commit(lane, batch.topic, batch.partition, commitAfter, p);
        if (receipt?.resume) this.pauseUntil(lane, batch.topic, batch.partition, receipt.resume, offsets.slice(0, taken), p);
        return;
      }
      const wait = backoff.next();
      this.log.warn(`delivery of ${lane} offsets ${batch.firstOffset()}..${last} failed: ${(failed as Error).message}; again in ${wait} ms`);
      await this.pause(wait, p);
      // Stopping or reassigned: leave the batch unresolved; it is delivered again from the committed offset.
      if (!this.running || !p.isRunning() || p.isStale()) return;
    }
  }

  /** Commits "offset + 1" unless this member already committed as far for the lane. */
  private async commit(lane: string, topic: string, partition: number, offset: string, p: EachBatchPayload | null): Promise<void> {
    const next = BigInt(offset) + 1n;
    const before = this.committed.get(lane);
    if (before !== undefined && before >= next) return;
    this.committed.set(lane, next);
    const offsets = { topics: [{ topic, partitions: [{ partition, offset: next.toString() }] }] };
    const done = p ? p.commitOffsetsIfNecessary(offsets) : this.consumer?.commitOffsets([{ topic, partition, offset: next.toString() }]);
    await Promise.resolve(done).catch((err: Error) =>
      this.log.warn(`commit of ${lane} offset ${next} failed (delivered again after a restart or rebalance): ${err.message}`),
    );
  }

  /** Pauses the partition until the SDK's `resume`; then commits what it reports processed and resumes. */
  private pauseUntil(lane: string, topic: string, partition: number, resume: Promise<number>, offsets: string[], p: EachBatchPayload): void {
    const resumeLane = p.pause();
    this.paused.set(lane, resumeLane);
    resume
      .then(
        async (safe) => {
          if (safe > 0 && this.running && this.owned?.has(lane) !== false) await this.commit(lane, topic, partition, offsets[Math.min(safe, offsets.length) - 1]!, null);
        },
        () => undefined, // cancelled (rebalance, stop): commit nothing more
      )
      .finally(() => {
        if (this.paused.get(lane) === resumeLane) this.paused.delete(lane);
        resumeLane();
      });
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

