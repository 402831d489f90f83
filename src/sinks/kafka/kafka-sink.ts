// Publishes events to Kafka with durable acknowledgement: a publish() resolves once the broker has
// acknowledged (acks=all) every record of its batch.
//
// Order and safety:
//  - One idempotent kafkajs producer, and ONE produce call in flight at a time. kafkajs assigns
//    idempotent sequence numbers per call and rolls them back when a call fails, so two overlapping
//    calls can reorder a partition or make the broker discard a retried batch as a duplicate. Instead,
//    the publish() calls that overlap (up to maxInFlight) are encoded as they arrive and coalesced into
//    the next request, so throughput comes from large requests rather than concurrent ones.
//  - Within one call kafkajs retries (bounded) with the same sequence numbers: the broker de-duplicates.
//  - When a call fails or times out, it and every publish() queued behind it reject (nothing after a
//    failed batch can overtake it), and the producer is replaced (new producer id): the pipeline's
//    redelivery is then new records, never mistaken for duplicates. Records of the failed call that did
//    reach the broker are duplicates a consumer identifies by their identity (replid, offset).
//  - Records are planned by record-plan.ts: compact headers and packs of events by default.
//
// Transactional fencing (kafka.transactional.id, cluster mode): every request runs in a transaction
// (begin, send, commit). Opening the sink calls InitProducerId, which fences any older producer with the
// same id; such a fenced producer's next request fails with INVALID_PRODUCER_EPOCH / PRODUCER_FENCED,
// and nothing it sent in its open transaction becomes visible to read-committed consumers. The sink then
// rejects with the non-retriable SINK_FENCED, now and on every later publish, and never creates a
// producer again (that would fence the new owner back). After other failures the producer is replaced
// lazily, at the next publish, so a deposed instance that the pipeline no longer lets publish does not
// re-initialize the id.
import type { Admin, Kafka, Producer, ProducerBatch, Transaction } from 'kafkajs';
import { CompressionTypes, Partitioners } from 'kafkajs';
import type { ReplicationEvent } from '../../events/types.js';
import type { Logger } from '../../util/logger.js';
import { SinkError } from '../errors.js';
import type { Sink } from '../sink.js';
import { isProducerFenced } from './fencing.js';
import { createKafkaClient } from './kafka-client.js';
import { resolveKafkaSinkOptions, type KafkaSinkOptions, type ResolvedKafkaSinkOptions } from './options.js';
import { ProduceRequest, type RequestLimits } from './produce-request.js';
import { planRecords, type KafkaRecord, type PlanContext } from './record-plan.js';
import { TopicResolver } from './topics.js';

interface Job {
  readonly events: readonly ReplicationEvent[];
  records: KafkaRecord[] | null;
  error: unknown;
  planned: Promise<void>;
  /** Index of the first record not yet acknowledged. */
  next: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface KafkaSinkStats {
  /** Records acknowledged by the broker (copies, parts and packs included). */
  records: number;
  /** Events carried by those records (a copy counts in each record; a split event once). */
  events: number;
  /** Transactions committed (transactional id set). */
  transactions: number;
  /** Produce calls that succeeded. */
  requests: number;
  /** Estimated bytes acknowledged, before compression. */
  bytes: number;
  /** Produce calls that failed (each one replaced the producer). */
  failures: number;
}

export class KafkaSink implements Sink {
  readonly name = 'kafka';
  /**
   * Overlapping publishes are queued, encoded ahead and coalesced into the next request: enough of them
   * that the pipeline can hand over each lingered batch at once while a request is in flight (with 5, a
   * 10 k writes/s load waited for a free slot behind the broker's round trip).
   */
  readonly maxInFlight = 16;
  private readonly o: ResolvedKafkaSinkOptions;
  private readonly log: Logger;
  private readonly resolver: TopicResolver;
  private readonly kafka: Kafka;
  private readonly limits: RequestLimits;
  private readonly ctx: PlanContext;
  private admin: Admin | null = null;
  private producer: Promise<Producer> | null = null;
  private readonly partitions = new Map<string, number>();
  private metadataAt = 0;
  private metadataStale = false;
  private readonly jobs: Job[] = [];
  private planTail: Promise<void> = Promise.resolve();
  private pumping: Promise<void> | null = null;
  private state: 'new' | 'open' | 'closed' = 'new';
  private readonly counters: KafkaSinkStats = { records: 0, events: 0, transactions: 0, requests: 0, bytes: 0, failures: 0 };
  /** Set once the transactional id was taken over: every publish rejects with it. */
  private fenced: SinkError | null = null;
  /** The transaction opened (initTransactions) by open(), used by the first request. */
  private openTx: Transaction | null = null;

  constructor(options: KafkaSinkOptions) {
    this.o = resolveKafkaSinkOptions(options);
    this.log = this.o.logger;
    try {
      this.resolver = new TopicResolver(this.o.topic, this.o.topicPrefixes);
    } catch (err) {
      throw new SinkError('SINK_KAFKA_BAD_OPTION', `Kafka sink: ${(err as Error).message}`, { cause: err });
    }
    this.kafka = createKafkaClient(this.o, this.log, this.o.clientId);
    this.limits = {
      maxMessageBytes: this.o.maxMessageBytes,
      maxRequestBytes: this.o.maxRequestBytes,
      maxRequestRecords: this.o.maxRequestRecords,
    };
    this.ctx = {
      codec: this.o.codec,
      sourceId: this.o.sourceId,
      resolver: this.resolver,
      maxMessageBytes: this.o.maxMessageBytes,
      partitionsOf: (t) => this.partitions.get(t),
      knownTopics: new Set(),
      headers: this.o.headers,
      packMaxEvents: this.o.packMaxEvents,
      packMaxBytes: this.o.packMaxBytes,
    };
  }

  stats(): KafkaSinkStats {
    return { ...this.counters };
  }

  /** Topics that barriers currently go to. */
  get topics(): string[] {
    return [...this.ctx.knownTopics];
  }

  async open(): Promise<void> {
    if (this.state !== 'new') throw new SinkError('SINK_KAFKA_STATE', 'Kafka sink: open() called twice');
    const admin = this.kafka.admin({ retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3000 } });
    try {
      await admin.connect();
    } catch (err) {
      throw this.connectError(err);
    }
    this.admin = admin;
    try {
      const fixed = this.resolver.fixedTopics;
      await this.ensureTopics(fixed);
      for (const t of fixed) this.ctx.knownTopics.add(t);
      // With a template, the topics it already produced (topic per db/type) get barriers from the start.
      const existing = (await admin.listTopics()).filter((t) => this.resolver.matchesTemplate(t));
      if (existing.length > 0) {
        await this.loadPartitions(existing);
        for (const t of existing) this.ctx.knownTopics.add(t);
      }
      this.metadataAt = Date.now();
      const producer = await this.getProducer();
      // fence any other producer of this transactional id now, not at the first write
      if (this.o.transactionalId !== '') this.openTx = await producer.transaction();
    } catch (err) {
      await admin.disconnect().catch(() => undefined);
      this.admin = null;
      throw err instanceof SinkError ? err : this.connectError(err);
    }
    this.state = 'open';
    this.log.info('Kafka sink open', {
      brokers: this.o.brokers.join(','),
      topics: [...this.ctx.knownTopics].join(','),
      compression: this.o.compression,
      codec: this.o.codec.name,
      headers: this.o.headers,
      pack: this.o.packMaxEvents,
      transactional: this.o.transactionalId !== '',
    });
  }

  publish(batch: readonly ReplicationEvent[]): Promise<void> {
    if (this.state !== 'open') {
      return Promise.reject(new SinkError('SINK_NOT_OPEN', `Kafka sink used while ${this.state === 'new' ? 'not open' : 'closed'}`));
    }
    if (this.fenced) return Promise.reject(this.fenced);
    return new Promise<void>((resolve, reject) => {
      const job: Job = { events: batch, records: null, error: null, planned: Promise.resolve(), next: 0, resolve, reject };
      // Encoding happens in call order, while earlier requests are in flight.
      job.planned = this.planTail = this.planTail.then(() => this.plan(job));
      this.jobs.push(job);
      this.kick();
    });
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    if (wasOpen && this.pumping) {
      // Let the request in flight settle (bounded), so its acknowledgement is not lost to a reset.
      await Promise.race([this.pumping, sleep(this.o.publishTimeoutMs)]);
    }
    this.failQueued(new SinkError('SINK_CLOSED', 'Kafka sink closed before these events were acknowledged', { retriable: true }));
    const producer = this.producer;
    this.producer = null;
    const tx = this.openTx;
    this.openTx = null;
    // an empty transaction holds nothing on the broker; aborting it is just tidy
    if (tx) await tx.abort().catch(() => undefined);
    if (producer) await producer.then((p) => p.disconnect()).catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  private kick(): void {
    this.pumping ??= this.pump()
      .catch((err: unknown) => this.failQueued(err))
      .finally(() => {
        this.pumping = null;
        if (this.jobs.length > 0 && this.state === 'open') this.kick();
      });
  }

  /** Sends queued records, one request at a time, coalescing the jobs that are ready. */
  private async pump(): Promise<void> {
    while (this.jobs.length > 0 && this.state === 'open') {
      const head = this.jobs[0]!;
      await head.planned;
      if (this.state !== 'open') return;
      if (head.records === null) {
        this.failQueued(head.error);
        continue;
      }
      const request = new ProduceRequest(this.limits);
      const taken: Array<[Job, number]> = [];
      for (const job of this.jobs) {
        const records = job.records;
        if (records === null) break; // not encoded yet, or failed: it waits for the next round
        let n = 0;
        while (job.next + n < records.length && request.tryAdd(records[job.next + n]!)) n++;
        taken.push([job, n]);
        if (job.next + n < records.length) break; // request full
      }
      if (request.records > 0) {
        try {
          await this.send(request);
        } catch (err) {
          this.onSendFailure(err);
          continue;
        }
        this.counters.records += request.records;
        this.counters.events += request.events;
        this.counters.bytes += request.size;
        this.counters.requests++;
      }
      for (const [job, n] of taken) job.next += n;
      while (this.jobs.length > 0 && this.jobs[0]!.records !== null && this.jobs[0]!.next === this.jobs[0]!.records!.length) {
        this.jobs.shift()!.resolve();
      }
    }
  }

  private async send(request: ProduceRequest): Promise<void> {
    const producer = await this.getProducer();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SinkError('SINK_KAFKA_TIMEOUT', `Kafka did not acknowledge ${request.records} records within ${this.o.publishTimeoutMs} ms`, {
              retriable: true,
            }),
          ),
        this.o.publishTimeoutMs,
      );
    });
    const batch: ProducerBatch = {
      topicMessages: request.topicMessages(),
      acks: -1,
      timeout: this.o.requestTimeoutMs,
      compression: this.o.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
    };
    try {
      await Promise.race([this.o.transactionalId === '' ? producer.sendBatch(batch) : this.sendInTransaction(producer, batch), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** begin, send, commit; on failure abort (best effort: the producer is replaced anyway). */
  private async sendInTransaction(producer: Producer, batch: ProducerBatch): Promise<void> {
    const tx = this.openTx ?? (await producer.transaction());
    this.openTx = null;
    try {
      await tx.sendBatch(batch);
      await tx.commit();
    } catch (err) {
      if (!isProducerFenced(err) && tx.isActive()) await tx.abort().catch(() => undefined);
      throw err;
    }
    this.counters.transactions++;
  }

  private onSendFailure(err: unknown): void {
    this.counters.failures++;
    if (this.o.transactionalId !== '' && isProducerFenced(err)) {
      this.onFenced(err);
      return;
    }
    const error =
      err instanceof SinkError
        ? err
        : new SinkError('SINK_KAFKA_SEND_FAILED', `Kafka produce failed: ${(err as Error).message ?? String(err)}`, { cause: err, retriable: true });
    this.log.debug('Kafka produce failed; replacing the producer', { error: error.message });
    this.metadataStale = true;
    const old = this.producer;
    this.producer = null;
    if (old) void old.then((p) => p.disconnect()).catch(() => undefined);
    this.failQueued(error);
  }

  /** Another producer took the transactional id: stop for good, without touching the id again. */
  private onFenced(err: unknown): void {
    this.fenced = new SinkError(
      'SINK_FENCED',
      `Kafka producer fenced: another producer opened transactional id "${this.o.transactionalId}" (a newer leader); ` +
        'this instance must stop publishing (nothing of its open transaction is visible to read-committed consumers)',
      { cause: err, retriable: false },
    );
    this.log.warn('Kafka producer fenced by a newer producer with the same transactional id', { transactionalId: this.o.transactionalId });
    const old = this.producer;
    this.producer = null;
    this.openTx = null;
    if (old) void old.then((p) => p.disconnect()).catch(() => undefined);
    this.failQueued(this.fenced);
  }

  /** Rejects every queued publish: nothing may overtake a batch that failed. */
  private failQueued(err: unknown): void {
    for (const job of this.jobs.splice(0)) job.reject(err);
  }

  private getProducer(): Promise<Producer> {
    if (this.fenced) return Promise.reject(this.fenced);
    if (this.producer) return this.producer;
    const transactional = this.o.transactionalId !== '';
    const producer = this.kafka.producer({
      idempotent: true,
      ...(transactional ? { transactionalId: this.o.transactionalId } : {}),
      // Kafka keeps per-partition order for up to 5 in-flight requests of an idempotent producer;
      // this sink sends one at a time anyway.
      maxInFlightRequests: transactional ? 1 : 5,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // bounded, so a broker that is down fails the publish and the pipeline retries it later. A
      // transaction begun right after the previous commit meets CONCURRENT_TRANSACTIONS while the
      // coordinator still writes that commit's markers (a few ms): retry it soon, as the Java client
      // does (20 ms), not after 300 ms.
      retry: transactional ? { retries: 8, initialRetryTime: 20, maxRetryTime: 2000 } : { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 },
      metadataMaxAge: this.o.metadataMaxAgeMs,
    });
    const ready = producer.connect().then(
      () => producer,
      async (err: unknown) => {
        if (this.producer === ready) this.producer = null;
        await producer.disconnect().catch(() => undefined);
        throw this.connectError(err);
      },
    );
    this.producer = ready;
    return ready;
  }

  private async plan(job: Job): Promise<void> {
    try {
      if (this.metadataStale || Date.now() - this.metadataAt > this.o.metadataMaxAgeMs) await this.refreshPartitions();
      let plan = planRecords(job.events, this.ctx);
      if ('missingTopics' in plan) {
        await this.ensureTopics(plan.missingTopics);
        plan = planRecords(job.events, this.ctx);
        if ('missingTopics' in plan) throw new Error(`no metadata for topics ${plan.missingTopics.join(', ')}`);
      }
      job.records = plan.records;
    } catch (err) {
      job.error =
        err instanceof SinkError
          ? err
          : new SinkError('SINK_KAFKA_ENCODE_FAILED', `Kafka sink: ${(err as Error).message}`, { cause: err, retriable: true });
    }
  }

  /** Loads partition counts; creates missing topics when allowed, else fails naming them. */
  private async ensureTopics(topics: readonly string[]): Promise<void> {
    const admin = this.requireAdmin();
    const missing: string[] = [];
    for (const t of topics) {
      try {
        await this.loadPartitions([t]);
      } catch (err) {
        if (!isUnknownTopic(err)) throw this.connectError(err);
        missing.push(t);
      }
    }
    if (missing.length === 0) return;
    if (!this.o.createTopics) {
      const list = missing.map((t) => `"${t}"`).join(', ');
      throw new SinkError(
        'SINK_KAFKA_TOPIC_MISSING',
        `Kafka topic ${list} does not exist: create it (kafka-topics.sh --bootstrap-server ${this.o.brokers[0]} --create --topic ${missing[0]} --partitions ${this.o.topicPartitions}) or set kafka.topic.create=true`,
        { retriable: true },
      );
    }
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: this.o.topicPartitions,
        replicationFactor: this.o.topicReplicationFactor,
      })),
    });
    this.log.info('created Kafka topics', { topics: missing.join(','), partitions: this.o.topicPartitions });
    await this.loadPartitions(missing);
  }

  private async loadPartitions(topics: readonly string[]): Promise<void> {
    const meta = await this.requireAdmin().fetchTopicMetadata({ topics: [...topics] });
    for (const t of meta.topics) {
      const n = t.partitions.length;
      const before = this.partitions.get(t.name);
      if (n === 0) continue;
      if (before !== undefined && before !== n) {
        this.log.warn('Kafka topic partition count changed: keys now map to other partitions', { topic: t.name, from: before, to: n });
      }
      this.partitions.set(t.name, n);
    }
  }

  private async refreshPartitions(): Promise<void> {
    const topics = [...this.partitions.keys()];
    if (topics.length > 0) {
      try {
        await this.loadPartitions(topics);
      } catch (err) {
        throw this.connectError(err);
      }
    }
    this.metadataAt = Date.now();
    this.metadataStale = false;
  }

  private requireAdmin(): Admin {
    if (!this.admin) throw new SinkError('SINK_NOT_OPEN', 'Kafka sink used before open()');
    return this.admin;
  }

  private connectError(err: unknown): SinkError {
    if (err instanceof SinkError) return err;
    return new SinkError(
      'SINK_KAFKA_UNAVAILABLE',
      `Kafka (${this.o.brokers.join(',')}) is unavailable: ${(err as Error).message ?? String(err)}`,
      { cause: err, retriable: true },
    );
  }
}

function isUnknownTopic(err: unknown): boolean {
  const e = err as { type?: string; message?: string };
  return e.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition/i.test(e.message ?? '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
