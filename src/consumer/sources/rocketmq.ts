// MessageSource over a RocketMQ 5 FIFO consumer group, with rocketmq-client-nodejs's SimpleConsumer.
//
// Why SimpleConsumer and not PushConsumer: the SDK must acknowledge a message only after its listeners
// finished, and must leave a failed one for redelivery without skipping it. SimpleConsumer gives
// exactly that (receive, then ack or changeInvisibleDuration per message, under our control) and is the
// client's oldest, most exercised consumer; PushConsumer's FIFO service in 1.0.8 is recent (2026-03) and
// owns the ack decision and retry timing.
//
// Order: the group must be orderly (mqadmin updateSubGroup -o true). The broker then hands out a
// queue's messages in order and nothing more of that queue until the batch is acknowledged or becomes
// visible again, so a message group's messages arrive in order. A received batch is split by message
// group: lane = "<topic>/<message group>" (FIFO order is per group); lanes are delivered concurrently,
// one delivery at a time per lane. A delivery that resolves acks its messages; one that rejects makes
// them visible again after `retryDelayMs` (changeInvisibleDuration), and the broker redelivers them
// before anything after them in their queue.
//
// Split events (ce_part): the SDK reassembles the parts of one event, which travel in order in the
// event's group. A receive batch (at most 32 messages) may end in the middle of such an event; acking
// its first parts and then dying would lose the event. So the trailing parts of an incomplete event are
// not delivered but made visible again at once: the broker hands them back together with the parts
// that follow. An event with more parts than a batch holds cannot arrive whole: its parts are delivered
// as they come (the SDK holds them), which is the one case where a crash mid-event can lose it.
//
// An event published to several message groups (a multi-key command) is delivered once, after its
// copies arrived in each group's lane (consumer/rendezvous.ts): a lane's delivery may stop at such a
// copy (DeliveryReceipt.taken / resume). The copy is acknowledged (its queue must move on so that the
// other copies, possibly behind it in the same queue, can be received), the messages after it are made
// visible again, and until `resume` settles the lane's messages that come back are released again
// after a short delay rather than delivered. With several consumer processes in one group, a copy may
// be received by another process: the event then waits for the SDK's alignTimeoutMs.
//
// Client quirks handled here: a receive right after startup (or after a proxy restart) can fail with an
// NPE inside the proxy (apache/rocketmq #8714: the client's settings have not reached it yet) and long
// polls can end in DEADLINE_EXCEEDED or UNAVAILABLE while the proxy is away: every receive error is
// retried with backoff, never fatal. The client's timer callbacks can reject unhandled (#966): guarded.
// A channel that lost the proxy reconnects on grpc-js's backoff (up to 2 minutes between attempts after a
// long outage) and the client does not expose the channel options: after UNAVAILABLE errors with no
// successful receive for `reconnectAfterMs`, a new consumer (fresh channel) is started in the background
// and replaces the old one; messages the old one received are still acknowledged through it.
import { SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { ReplicatorError } from '../../errors.js';
import { Backoff } from '../../util/backoff.js';
import { ClientRebuild } from '../../util/client-rebuild.js';
import { causeChainText, numericCodeOf } from '../../util/error-chain.js';
import { silentLogger, type Logger } from '../../util/logger.js';
import { printfLogger } from '../../util/printf-logger.js';
import { Sleeps } from '../../util/sleeps.js';
import { fromPackage, guardUnhandledRejections } from '../../util/unhandled-rejection-guard.js';
import { withTimeout } from '../../util/with-timeout.js';
import { H, parsePart } from '../../events/envelope.js';
import type { DeliveryReceipt, MessageSource, SourceMessage } from '../source.js';

const CLIENT_PACKAGE = 'rocketmq-client-nodejs';

export interface RocketMqSourceOptions {
  /** Proxy gRPC endpoints "host:port[;host:port]". */
  endpoints: string;
  namespace?: string;
  accessKey?: string;
  secretKey?: string;
  ssl?: boolean;
  /** FIFO topics to consume. */
  topics: string | string[];
  /** FIFO consumer group (created with consumeMessageOrderly=true). */
  group: string;
  /** Deadline of each request besides the long poll (ms, at least 1000). Default 3000. */
  requestTimeoutMs?: number;
  /**
   * Long-polling wait of an empty receive. Keep it within the proxy's bounds
   * (grpcClientConsumerMin/MaxLongPollingTimeoutMillis, 5 s and 20 s by default). Default 10000.
   */
  awaitDurationMs?: number;
  /**
   * How long received messages stay invisible to other receives; a delivery taking longer is
   * redelivered (and deduplicated by the SDK). At least the proxy's minInvisibleTimeMillsForRecv
   * (10 s by default). Default 60000.
   */
  invisibleDurationMs?: number;
  /** Messages per receive (the broker allows at most 32). Default 32. */
  batchSize?: number;
  /** Receive loops running at once (each waits for its batch to be delivered). Default 4. */
  receivers?: number;
  /** A message whose delivery was rejected becomes visible again after this long. Default 1000. */
  retryDelayMs?: number;
  /** After UNAVAILABLE errors and no successful receive for this long, start a new consumer. Default 10000. */
  reconnectAfterMs?: number;
  logger?: Logger;
}

export const ROCKETMQ_SOURCE_DEFAULTS = {
  namespace: '',
  ssl: false,
  requestTimeoutMs: 3000,
  awaitDurationMs: 10_000,
  invisibleDurationMs: 60_000,
  batchSize: 32,
  receivers: 4,
  retryDelayMs: 1000,
  reconnectAfterMs: 10_000,
};

/** Redelivery right away: how messages received while stopping, or deferred parts, are handed back. */
const RELEASE_NOW_MS = 100;
/** gRPC UNAVAILABLE: the proxy cannot be reached. */
const GRPC_UNAVAILABLE = 14;
/** A lane stopped at a copy: how soon its messages received meanwhile come back. */
const GATED_RELEASE_MS = 200;
/** Split events deferred once are remembered (bounded) so that they are not deferred forever. */
const MAX_DEFERRED_EVENTS = 1024;

/** The SDK's receipt may list parts it holds; they are acked too (see the header: deferral makes that rare). */
type Deliver = (messages: SourceMessage[]) => Promise<DeliveryReceipt | void>;

export class RocketMqSource implements MessageSource {
  readonly name = 'rocketmq';
  private readonly topics: string[];
  private readonly opts: typeof ROCKETMQ_SOURCE_DEFAULTS;
  private readonly log: Logger;
  private consumer: SimpleConsumer | null = null;
  private releaseGuard: (() => void) | null = null;
  private stopping = false;
  private loops: Promise<void>[] = [];
  /** Per lane: settles when the lane's last delivery (and its acks) settled. */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly sleeps = new Sleeps();
  /** Lanes stopped at a copy, until the SDK's `resume` settles. */
  private readonly gates = new Map<string, Promise<unknown>>();
  /** ce_id of split events whose trailing parts were deferred once. */
  private readonly deferred = new Set<string>();
  /** Replaced consumers, shut down once the messages they received were handled. */
  private readonly retired = new Set<SimpleConsumer>();
  private readonly rebuild: ClientRebuild<SimpleConsumer>;
  private lastReceiveOkAt = 0;

  constructor(private readonly options: RocketMqSourceOptions) {
    this.topics = (Array.isArray(options.topics) ? options.topics : [options.topics]).filter((t) => t !== '');
    if (typeof options.endpoints !== 'string' || options.endpoints.trim() === '') {
      throw new ReplicatorError('SDK_ROCKETMQ_BAD_OPTION', 'RocketMQ source: endpoints (the proxy gRPC address "host:port") is required');
    }
    if (this.topics.length === 0) throw new ReplicatorError('SDK_ROCKETMQ_BAD_OPTION', 'RocketMQ source: at least one topic is required');
    if (!options.group) throw new ReplicatorError('SDK_ROCKETMQ_BAD_OPTION', 'RocketMQ source: a consumer group is required');
    const pick = <K extends keyof typeof ROCKETMQ_SOURCE_DEFAULTS>(k: K): (typeof ROCKETMQ_SOURCE_DEFAULTS)[K] =>
      (options[k] as (typeof ROCKETMQ_SOURCE_DEFAULTS)[K] | undefined) ?? ROCKETMQ_SOURCE_DEFAULTS[k];
    this.opts = {
      namespace: pick('namespace'),
      ssl: pick('ssl'),
      requestTimeoutMs: pick('requestTimeoutMs'),
      awaitDurationMs: pick('awaitDurationMs'),
      invisibleDurationMs: pick('invisibleDurationMs'),
      batchSize: Math.min(32, Math.max(1, pick('batchSize'))),
      receivers: Math.max(1, pick('receivers')),
      retryDelayMs: Math.max(0, pick('retryDelayMs')),
      reconnectAfterMs: Math.max(1000, pick('reconnectAfterMs')),
    };
    this.log = (options.logger ?? silentLogger).child({ source: 'rocketmq', group: options.group });
    this.rebuild = new ClientRebuild(this.opts.reconnectAfterMs, {
      what: 'RocketMQ consumer',
      create: () => this.createConsumer(),
      start: startup,
      current: () => (this.stopping ? null : this.consumer),
      install: (fresh, old) => {
        this.consumer = fresh;
        this.lastReceiveOkAt = Date.now();
        this.retired.add(old);
        // what the old one received is acked through it until then; later its messages come back anyway
        setTimeout(() => {
          if (!this.retired.delete(old)) return;
          void old.shutdown().catch(() => undefined);
        }, this.opts.invisibleDurationMs).unref();
        this.log.info('RocketMQ consumer replaced after connection failures (new connection to the proxy)');
      },
      log: this.log,
    });
  }

  async start(deliver: Deliver): Promise<void> {
    if (this.consumer) throw new ReplicatorError('SDK_ALREADY_STARTED', 'RocketMQ source started twice');
    this.releaseGuard = guardUnhandledRejections(CLIENT_PACKAGE, (r) => fromPackage(r, CLIENT_PACKAGE), this.log);
    const consumer = this.createConsumer();
    try {
      await startup(consumer);
    } catch (err) {
      await consumer.shutdown().catch(() => undefined);
      this.releaseGuard();
      this.releaseGuard = null;
      throw new ReplicatorError(
        'SDK_ROCKETMQ_START_FAILED',
        `cannot start the RocketMQ consumer of group "${this.options.group}" on ${this.topics.join(', ')} at ${this.options.endpoints} ` +
          `(do the FIFO topics exist, and is the proxy's gRPC port right?): ${causeChainText(err)}`,
        { cause: err, retriable: true },
      );
    }
    this.consumer = consumer;
    this.stopping = false;
    this.lastReceiveOkAt = Date.now();
    this.log.info('RocketMQ consumer started', { topics: this.topics.join(','), endpoints: this.options.endpoints });
    for (let i = 0; i < this.opts.receivers; i++) this.loops.push(this.receiveLoop(deliver, i));
  }

  async stop(): Promise<void> {
    if (!this.consumer) return;
    this.stopping = true;
    this.sleeps.wakeAll();
    // each loop ends after its current receive (at most the long poll) and delivery
    await Promise.all(this.loops);
    this.loops = [];
    // a reconnection in progress shuts its consumer down itself once it sees `stopping`
    const rebuilding = this.rebuild.running;
    if (rebuilding) await Promise.race([rebuilding, new Promise((r) => setTimeout(r, 15_000).unref())]);
    const consumer = this.consumer;
    this.consumer = null;
    for (const c of [...this.retired, consumer]) {
      this.retired.delete(c);
      try {
        await c.shutdown();
      } catch (err) {
        this.log.debug(`RocketMQ consumer shutdown: ${causeChainText(err)}`);
      }
    }
    this.releaseGuard?.();
    this.releaseGuard = null;
  }

  private createConsumer(): SimpleConsumer {
    const o = this.options;
    return new SimpleConsumer({
      endpoints: o.endpoints.trim(),
      namespace: this.opts.namespace,
      sslEnabled: this.opts.ssl,
      requestTimeout: this.opts.requestTimeoutMs,
      logger: printfLogger(this.log.child({ client: CLIENT_PACKAGE }), undefined, o.secretKey ? [o.secretKey] : []),
      consumerGroup: o.group,
      subscriptions: new Map(this.topics.map((t) => [t, '*'])),
      awaitDuration: this.opts.awaitDurationMs,
      ...(o.accessKey && o.secretKey ? { sessionCredentials: { accessKey: o.accessKey, accessSecret: o.secretKey } } : {}),
    });
  }

  private async receiveLoop(deliver: Deliver, index: number): Promise<void> {
    const backoff = new Backoff({ initialMs: 200, maxMs: 5000 });
    let failures = 0;
    while (!this.stopping) {
      // the consumer of the moment: a reconnection may replace it
      const consumer = this.consumer;
      if (!consumer) break;
      let views: MessageView[];
      try {
        views = await consumer.receive(this.opts.batchSize, this.opts.invisibleDurationMs);
      } catch (err) {
        if (this.stopping) break;
        failures++;
        // the first few are expected (startup NPE, an idle long poll's deadline, a proxy restart)
        const level = failures > 5 ? 'warn' : 'debug';
        this.log[level](`receive failed (attempt ${failures}): ${causeChainText(err)}`, { loop: index });
        if (numericCodeOf(err) === GRPC_UNAVAILABLE && !this.stopping) this.rebuild.maybe(this.lastReceiveOkAt);
        await this.sleeps.sleep(backoff.next());
        continue;
      }
      this.lastReceiveOkAt = Date.now();
      if (failures > 5) this.log.info('receiving again', { loop: index });
      failures = 0;
      backoff.reset();
      if (views.length === 0) continue;
      if (this.stopping) {
        await this.release(consumer, views, RELEASE_NOW_MS);
        break;
      }
      await this.handle(consumer, deliver, views);
    }
  }

  /** Splits a received batch by lane, delivers the lanes, acks or releases each lane's messages. */
  private async handle(consumer: SimpleConsumer, deliver: Deliver, views: MessageView[]): Promise<void> {
    const byLane = new Map<string, MessageView[]>();
    for (const v of views) {
      const lane = `${v.topic}/${v.messageGroup ?? ''}`;
      const list = byLane.get(lane);
      if (list) list.push(v);
      else byLane.set(lane, [v]);
    }
    await Promise.all([...byLane].map(([lane, list]) => this.onLane(lane, () => this.deliverLane(consumer, deliver, lane, list))));
  }

  /** Runs fn after the lane's previous delivery (another receive loop may hold earlier messages of it). */
  private onLane(lane: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.lanes.get(lane) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.catch(() => undefined);
    this.lanes.set(lane, tail);
    void tail.then(() => {
      if (this.lanes.get(lane) === tail) this.lanes.delete(lane);
    });
    return tail;
  }

  private async deliverLane(consumer: SimpleConsumer, deliver: Deliver, lane: string, views: MessageView[]): Promise<void> {
    const corrupted = views.find((v) => v.corrupted);
    if (corrupted) {
      this.log.error(`message ${corrupted.messageId} of ${lane} failed its body checksum; it will be received again`);
      await this.release(consumer, views, this.opts.retryDelayMs);
      return;
    }
    const tail = this.incompleteTail(views);
    if (tail > 0) {
      await this.release(consumer, views.slice(views.length - tail), RELEASE_NOW_MS);
      views = views.slice(0, views.length - tail);
      if (views.length === 0) return;
    }
    if (this.gates.has(lane)) {
      // the lane waits at a copy: these come back shortly, in order
      await this.release(consumer, views, GATED_RELEASE_MS);
      return;
    }
    const messages: SourceMessage[] = views.map((v) => ({
      lane,
      key: v.messageGroup === undefined || v.messageGroup === '' ? null : Buffer.from(v.messageGroup, 'utf8'),
      value: v.body,
      headers: Object.fromEntries(v.properties),
    }));
    let receipt: DeliveryReceipt | void;
    try {
      receipt = await deliver(messages);
    } catch (err) {
      this.log.debug(`delivery of ${views.length} message(s) of ${lane} rejected; redelivering in ${this.opts.retryDelayMs} ms: ${causeChainText(err)}`);
      await this.release(consumer, views, this.opts.retryDelayMs);
      return;
    }
    const taken = receipt?.taken ?? views.length;
    if (taken < views.length) {
      await this.release(consumer, views.slice(taken), RELEASE_NOW_MS);
      views = views.slice(0, taken);
    }
    if (receipt?.resume) {
      const gate = receipt.resume.catch(() => undefined);
      this.gates.set(lane, gate);
      void gate.then(() => {
        if (this.gates.get(lane) === gate) this.gates.delete(lane);
      });
    }
    await Promise.all(
      views.map((v) =>
        consumer.ack(v).catch((err: unknown) => {
          // the message comes back after its invisible time; the SDK drops the duplicate
          this.log.warn(`ack of message ${v.messageId} (${lane}) failed: ${causeChainText(err)}`);
        }),
      ),
    );
  }

  /** trailingPartsToDefer, each split event at most once (one that does not fit in a batch is delivered as it comes). */
  private incompleteTail(views: MessageView[]): number {
    const n = trailingPartsToDefer(views.map((v) => v.properties));
    if (n === 0) return 0;
    const id = views[views.length - 1]!.properties.get(H.id) ?? '';
    if (this.deferred.has(id)) return 0;
    this.deferred.add(id);
    if (this.deferred.size > MAX_DEFERRED_EVENTS) this.deferred.delete(this.deferred.values().next().value as string);
    return n;
  }

  /** Makes messages visible again after `ms` (not acknowledged: they are received again). */
  private async release(consumer: SimpleConsumer, views: MessageView[], ms: number): Promise<void> {
    await Promise.all(
      views.map((v) =>
        consumer.changeInvisibleDuration(v, ms).catch((err: unknown) => {
          this.log.debug(`changeInvisibleDuration of ${v.messageId} failed (it comes back after its invisible time): ${causeChainText(err)}`);
        }),
      ),
    );
  }
}

/**
 * How many trailing messages of a lane's slice (their properties, in order) are the first parts, from
 * part 0, of a split event whose last part is not in the slice: they should be received again together
 * with the rest. 0 when the slice ends with a whole event or a last part, or when the trailing parts do
 * not start at part 0 (the rest of an event already being delivered part by part).
 */
export function trailingPartsToDefer(props: ReadonlyArray<ReadonlyMap<string, string>>): number {
  const last = props[props.length - 1];
  const lastPart = last ? partOf(last.get(H.part)) : undefined;
  if (!last || !lastPart || lastPart.i === lastPart.n - 1) return 0;
  const id = last.get(H.id);
  let start = props.length - 1;
  while (start > 0 && props[start - 1]!.get(H.id) === id && props[start - 1]!.get(H.part) !== undefined) start--;
  const first = partOf(props[start]!.get(H.part));
  if (!first || first.i !== 0) return 0;
  return props.length - start;
}

/** The client's startup waits for the proxy's settings without a deadline: bound it. */
const STARTUP_TIMEOUT_MS = 30_000;

function startup(consumer: SimpleConsumer): Promise<void> {
  return withTimeout(consumer.startup(), STARTUP_TIMEOUT_MS, () => new Error(`no answer from the proxy within ${STARTUP_TIMEOUT_MS} ms`));
}

function partOf(header: string | undefined): { i: number; n: number } | undefined {
  return header === undefined ? undefined : parsePart(header);
}

/** The SDK's factory for `rocketmq: {...}` options. */
export function createRocketMqSource(options: RocketMqSourceOptions): MessageSource {
  return new RocketMqSource(options);
}
