// Publishes events to a RocketMQ 5 FIFO topic through the proxy (gRPC, rocketmq-client-nodejs).
// Message group = the event's routing key, so each Redis key's events stay in order (messages.ts,
// naming.ts); a message is sent only after the previous one of its group was acknowledged, across
// overlapping publish() calls too (group-sequencer.ts). publish() resolves when the broker acknowledged
// every message of the batch and rejects (after the client's bounded attempts) when one failed: the
// pipeline then publishes the batch again.
//
// Reconnection: the client gives no access to its gRPC channel options, and a channel that lost its
// proxy reconnects on grpc-js's backoff (up to 2 minutes between attempts after a long outage), failing
// every call meanwhile. So after connection failures with no successful send for `reconnectAfterMs`,
// the sink starts a fresh producer (new channel, route and settings) in the background, at most once
// per `reconnectAfterMs`, and swaps it in when it is up. Order does not depend on the producer
// instance: the sequencer sends a group's next message only after the previous one was acknowledged.
import { jsonCodec, type EventCodec } from '../../events/envelope.js';
import type { ReplicationEvent } from '../../events/types.js';
import { ClientRebuild } from '../../util/client-rebuild.js';
import { numericCodeOf } from '../../util/error-chain.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { printfLogger } from '../../util/printf-logger.js';
import { fromPackage, guardUnhandledRejections } from '../../util/unhandled-rejection-guard.js';
import { withTimeout } from '../../util/with-timeout.js';
import { SinkError } from '../errors.js';
import type { Sink } from '../sink.js';
import { notFifoError, openError, sendError, type ErrorContext } from './client-errors.js';
import { GroupSequencer } from './group-sequencer.js';
import { planMessages, type PlannedMessage, type PlanOptions } from './messages.js';
import {
  checkRocketMqSinkOptions,
  ROCKETMQ_MESSAGE_HEADROOM_BYTES,
  ROCKETMQ_SINK_DEFAULTS,
  type RocketMqOrder,
  type RocketMqSinkOptions,
} from './options.js';
import { clientProducerFactory, MESSAGE_TYPE_FIFO, type ProducerFactory, type RocketMqProducer } from './producer.js';

const CLIENT_PACKAGE = 'rocketmq-client-nodejs';
/** gRPC UNAVAILABLE and DEADLINE_EXCEEDED: the proxy is not reachable (RocketMQ's own codes have 5 digits). */
const CONNECTION_CODES = new Set([14, 4]);

export interface RocketMqSinkStats {
  /** Messages acknowledged by the broker (copies and parts count one each). */
  messages: number;
  /** Events of batches that were fully acknowledged. */
  events: number;
  /** Sends that failed after the client's attempts. */
  failures: number;
  /** Producers started to replace one whose connection failed. */
  reconnects: number;
}

export class RocketMqSink implements Sink {
  readonly name = 'rocketmq';
  readonly maxInFlight: number;
  private readonly endpoints: string;
  private readonly topic: string;
  private readonly order: RocketMqOrder;
  private readonly codec: EventCodec;
  private readonly plan: PlanOptions;
  private readonly log: Logger;
  private readonly sequencer: GroupSequencer;
  private readonly ctx: ErrorContext;
  private producer: RocketMqProducer | null = null;
  /** Replaced producers, shut down once their sends in flight can have ended. */
  private readonly retired = new Set<RocketMqProducer>();
  private readonly rebuild: ClientRebuild<RocketMqProducer>;
  private lastSuccessAt = 0;
  private readonly sendBoundMs: number;
  private releaseGuard: (() => void) | null = null;
  private closed = false;
  private readonly counters: RocketMqSinkStats = { messages: 0, events: 0, failures: 0, reconnects: 0 };

  constructor(
    private readonly options: RocketMqSinkOptions,
    private readonly factory: ProducerFactory = clientProducerFactory,
  ) {
    checkRocketMqSinkOptions(options);
    this.endpoints = options.endpoints.trim();
    this.topic = options.topic ?? ROCKETMQ_SINK_DEFAULTS.topic;
    this.order = options.order ?? ROCKETMQ_SINK_DEFAULTS.order;
    this.codec = options.codec ?? jsonCodec;
    this.maxInFlight = options.maxInFlight ?? ROCKETMQ_SINK_DEFAULTS.maxInFlight;
    this.log = (options.logger ?? silentLogger).child({
      sink: 'rocketmq',
      producer: options.producerGroup ?? ROCKETMQ_SINK_DEFAULTS.producerGroup,
    });
    this.sequencer = new GroupSequencer(options.sendConcurrency ?? ROCKETMQ_SINK_DEFAULTS.sendConcurrency);
    this.ctx = { topic: this.topic, endpoints: this.endpoints };
    // a send ends within the client's attempts (plus a margin)
    this.sendBoundMs =
      (options.requestTimeoutMs ?? ROCKETMQ_SINK_DEFAULTS.requestTimeoutMs) * (options.maxAttempts ?? ROCKETMQ_SINK_DEFAULTS.maxAttempts) + 1000;
    this.rebuild = new ClientRebuild(options.reconnectAfterMs ?? ROCKETMQ_SINK_DEFAULTS.reconnectAfterMs, {
      what: 'RocketMQ producer',
      create: () => this.createProducer(),
      start: (p) => this.startProducer(p),
      current: () => (this.closed ? null : this.producer),
      install: (fresh, old) => {
        this.producer = fresh;
        this.counters.reconnects++;
        this.retired.add(old);
        setTimeout(() => void this.retire(old), this.sendBoundMs).unref();
        this.log.info('RocketMQ producer replaced after connection failures (new connection to the proxy)', { endpoints: this.endpoints });
      },
      log: this.log,
    });
    const maxMessageBytes = options.maxMessageBytes ?? ROCKETMQ_SINK_DEFAULTS.maxMessageBytes;
    this.plan = {
      codec: this.codec,
      sourceId: options.sourceId,
      order: this.order,
      maxBodyBytes: maxMessageBytes - ROCKETMQ_MESSAGE_HEADROOM_BYTES,
    };
  }

  stats(): RocketMqSinkStats {
    return { ...this.counters };
  }

  async open(): Promise<void> {
    if (this.producer) throw new SinkError('SINK_ALREADY_OPEN', 'RocketMQ sink opened twice');
    this.releaseGuard = guardUnhandledRejections(CLIENT_PACKAGE, (r) => fromPackage(r, CLIENT_PACKAGE), this.log);
    const producer = this.createProducer();
    try {
      await this.startProducer(producer);
      const types = await producer.acceptedMessageTypes(this.topic);
      if (!types.includes(MESSAGE_TYPE_FIFO)) throw notFifoError(this.ctx);
    } catch (err) {
      await producer.shutdown().catch(() => undefined);
      this.releaseGuard();
      this.releaseGuard = null;
      throw openError(err, this.ctx);
    }
    this.producer = producer;
    this.lastSuccessAt = Date.now();
    this.log.info('RocketMQ producer ready', { endpoints: this.endpoints, topic: this.topic, order: this.order, codec: this.codec.name });
  }

  private createProducer(): RocketMqProducer {
    const o = this.options;
    return this.factory({
      endpoints: this.endpoints,
      namespace: o.namespace ?? ROCKETMQ_SINK_DEFAULTS.namespace,
      topic: this.topic,
      ssl: o.ssl ?? ROCKETMQ_SINK_DEFAULTS.ssl,
      ...(o.accessKey ? { accessKey: o.accessKey } : {}),
      ...(o.secretKey ? { secretKey: o.secretKey } : {}),
      requestTimeoutMs: o.requestTimeoutMs ?? ROCKETMQ_SINK_DEFAULTS.requestTimeoutMs,
      maxAttempts: o.maxAttempts ?? ROCKETMQ_SINK_DEFAULTS.maxAttempts,
      logger: printfLogger(this.log.child({ client: CLIENT_PACKAGE }), undefined, o.secretKey ? [o.secretKey] : []),
    });
  }

  private startProducer(producer: RocketMqProducer): Promise<void> {
    return withTimeout(producer.start(), this.options.openTimeoutMs ?? ROCKETMQ_SINK_DEFAULTS.openTimeoutMs, () =>
      new SinkError('SINK_ROCKETMQ_OPEN_TIMEOUT', `the RocketMQ proxy at ${this.endpoints} did not complete the producer startup for topic "${this.topic}" in time`, { retriable: true }),
    );
  }

  /** After a connection failure: replace the producer if nothing succeeded for a while (see the header). */
  private maybeReconnect(err: unknown): void {
    const code = numericCodeOf(err);
    if (code !== undefined && CONNECTION_CODES.has(code) && !this.closed) this.rebuild.maybe(this.lastSuccessAt);
  }

  private async retire(p: RocketMqProducer): Promise<void> {
    if (!this.retired.delete(p)) return;
    await p.shutdown().catch((err: unknown) => this.log.debug(`RocketMQ producer shutdown: ${(err as Error).message}`));
  }

  async publish(batch: readonly ReplicationEvent[]): Promise<void> {
    if (!this.producer || this.closed) throw new SinkError('SINK_NOT_OPEN', 'RocketMQ sink used before open() or after close()');
    const messages: PlannedMessage[] = [];
    for (const e of batch) for (const m of planMessages(e, this.plan)) messages.push(m);
    await this.sequencer.run(
      messages,
      (m) => m.group,
      async (m) => {
        // the producer of the moment: a reconnection may have replaced it since the batch began
        const producer = this.producer;
        if (!producer) throw new SinkError('SINK_NOT_OPEN', 'RocketMQ sink closed while publishing', { retriable: true });
        try {
          await producer.send({ topic: this.topic, group: m.group, tag: m.tag, keys: m.keys, properties: m.properties, body: m.body });
          this.counters.messages++;
          this.lastSuccessAt = Date.now();
        } catch (err) {
          this.counters.failures++;
          this.maybeReconnect(err);
          throw sendError(err, this.ctx, m.group);
        }
      },
    );
    this.counters.events += batch.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await withTimeout(this.sequencer.idle(), this.sendBoundMs, () => new Error('timeout')).catch(() =>
      this.log.warn('closing with sends still in flight; the pipeline resumes from its checkpoint'),
    );
    const rebuilding = this.rebuild.running;
    if (rebuilding) await withTimeout(rebuilding, this.sendBoundMs, () => new Error('timeout')).catch(() => undefined);
    const producer = this.producer;
    this.producer = null;
    for (const p of [...this.retired, ...(producer ? [producer] : [])]) {
      this.retired.delete(p);
      try {
        await p.shutdown();
      } catch (err) {
        this.log.debug(`RocketMQ producer shutdown: ${(err as Error).message}`);
      }
    }
    this.releaseGuard?.();
    this.releaseGuard = null;
  }
}
