// RedisEventConsumer: the consumer SDK. Reads the messages the replicator published (Kafka or RocketMQ,
// or any MessageSource), turns them back into the typed events of schema v1 and hands them to
// listeners, at least once, in order per key.
//
//   const c = new RedisEventConsumer({ kafka: { brokers: ['127.0.0.1:9092'] }, topic: 'redis-events', group: 'app' });
//   c.on('command', async (e, ctx) => { ... });   // typed per event type; 'event' receives every event
//   c.on('error', (err, ctx) => { ... });
//   await c.start(); ... await c.stop();
//
// Delivery: a batch handed over by the source resolves (and the source commits / acks it) only after
// every event in it went through every listener; a listener that fails is retried with backoff (or
// stops the consumer), never skipped. Redeliveries are dropped (dedupe.ts), split events are reassembled
// (reassembly.ts), packs unpacked (intake.ts), an event published as several copies is delivered once,
// after the earlier events of every lane its copies went to (rendezvous.ts), and up to `concurrency`
// events run at once, never two of the same key (dispatch.ts).
import type { EventCodec } from '../events/envelope.js';
import type { EventType } from '../events/types.js';
import { Backoff, type BackoffOptions } from '../util/backoff.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { Sleeps } from '../util/sleeps.js';
import { CodecRegistry } from './decode.js';
import { KeyedScheduler } from './dispatch.js';
import { ConsumerError } from './errors.js';
import { MessageIntake, type DropReason, type IntakeEvent } from './intake.js';
import {
  ListenerRegistry,
  type AnyEventListener,
  type ErrorContext,
  type ErrorListener,
  type EventContext,
  type EventListener,
} from './listeners.js';
import type { Assembly } from './reassembly.js';
import { CopyRendezvous, type ArriveOutcome } from './rendezvous.js';
import type { DeliveryReceipt, MessageSource, SourceMessage } from './source.js';
import type { KafkaSourceOptions } from './sources/kafka.js';
import type { RocketMqSourceOptions } from './sources/rocketmq.js';

/** Connection to Kafka; the group, topics and fromBeginning come from the consumer's own options. */
export type KafkaConsumerConnection = Omit<KafkaSourceOptions, 'groupId' | 'topics' | 'fromBeginning' | 'logger'>;
/** Connection to a RocketMQ 5 proxy; the group and topics come from the consumer's own options. */
export type RocketmqConsumerConnection = Omit<RocketMqSourceOptions, 'topics' | 'group' | 'logger'>;

export interface RedisEventConsumerOptions {
  /** Consume from Kafka (kafkajs is loaded only then). */
  kafka?: KafkaConsumerConnection;
  /** Consume from RocketMQ 5 through its proxy (rocketmq-client-nodejs is loaded only then). */
  rocketmq?: RocketmqConsumerConnection;
  /** Or bring your own source of messages. Exactly one of kafka, rocketmq, source. */
  source?: MessageSource;
  topic: string | string[];
  /** Kafka consumer group / RocketMQ FIFO consumer group. */
  group: string;
  /** Events processed at once (default 1); events of the same key never run concurrently. */
  concurrency?: number;
  /** Kafka: a group without committed offsets starts at the beginning (default false: new messages only). */
  fromBeginning?: boolean;
  logger?: Logger;
  /** A listener that throws: 'retry' with backoff until it succeeds (default), or 'stop' the consumer. */
  onListenerError?: 'retry' | 'stop';
  /** A message that is no event (bad headers or value, unknown content-type, missing parts): 'stop' (default) or 'skip' it. */
  onBadMessage?: 'stop' | 'skip';
  /** Backoff between listener retries (default 100 ms doubling up to 30 s). */
  retry?: BackoffOptions;
  /** 'watermark' (default): drop events not newer than the highest seen in their lane; 'off'. */
  dedupe?: 'watermark' | 'off';
  /**
   * 'once' (default): an event published to several partitions/groups is delivered once, after the
   * earlier events of every lane its copies went to; 'every': each copy, in its lane, at once.
   */
  copies?: 'once' | 'every';
  /** Longest wait of a multi-copy event for its other copies before it is delivered anyway, with a warning (default 30 000 ms). */
  alignTimeoutMs?: number;
  /** Codecs besides JSON and binary, by content-type. */
  codecs?: EventCodec[];
  /** Largest reassembled event (default 256 MiB). */
  maxEventBytes?: number;
  /** Bytes held in split events in progress, all lanes (default 512 MiB). */
  maxHeldBytes?: number;
  /** Split events in progress at once (default 64). */
  maxOpenEvents?: number;
  /** Lanes whose dedupe / fencing state is kept (default 100 000; RocketMQ has a lane per message group). */
  maxLanes?: number;
  /** Multi-copy events remembered after delivery, to drop their late copies (default 100 000). */
  maxTrackedCopies?: number;
}

export interface ConsumerStats {
  /** Events every listener finished with. */
  delivered: number;
  /** Redelivered events dropped (not newer than their lane's highest). */
  duplicatesDropped: number;
  /** Copies of multi-copy events besides the one delivered (ce_copies / k= > 1). */
  copiesDropped: number;
  /** Multi-copy events delivered by the alignment timeout before every copy arrived. */
  alignTimeouts: number;
  /** Multi-copy events waiting for copies in other lanes. */
  waitingForCopies: number;
  /** Events of an older leadership epoch dropped after a newer one was seen in their lane. */
  fencedDropped: number;
  /** Messages that could not become events (skipped, or the reason the consumer stopped). */
  badMessages: number;
  /** Listener calls that threw or rejected. */
  listenerErrors: number;
  /** Events whose listeners are running. */
  inFlight: number;
  /** Events waiting for their key, a barrier or a free slot. */
  queued: number;
  /** Split events waiting for parts, and the bytes they hold. */
  partialEvents: number;
  partialBytes: number;
  /** Messages not yet delivered per lane, when the source knows. */
  lag?: Record<string, number>;
}

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

const DEFAULTS = {
  concurrency: 1,
  maxEventBytes: 256 * 1024 * 1024,
  maxHeldBytes: 512 * 1024 * 1024,
  maxOpenEvents: 64,
  maxLanes: 100_000,
  maxTrackedCopies: 100_000,
  alignTimeoutMs: 30_000,
  retry: { initialMs: 100, maxMs: 30_000, factor: 2 },
} as const;

type Counter = 'delivered' | 'duplicatesDropped' | 'copiesDropped' | 'fencedDropped' | 'badMessages' | 'listenerErrors' | 'alignTimeouts';

export class RedisEventConsumer {
  private readonly opts: RedisEventConsumerOptions;
  private readonly log: Logger;
  private readonly registry = new ListenerRegistry();
  private readonly scheduler: KeyedScheduler;
  private readonly intake: MessageIntake;
  private readonly counters: Record<Counter, number> = {
    delivered: 0, duplicatesDropped: 0, copiesDropped: 0, fencedDropped: 0, badMessages: 0, listenerErrors: 0, alignTimeouts: 0,
  };
  private readonly rendezvous: CopyRendezvous;
  private readonly copiesOnce: boolean;
  /** Lanes stopped at a copy: a source that ignores DeliveryReceipt.resume waits here. */
  private readonly laneGates = new Map<string, Promise<void>>();
  private source: MessageSource | null = null;
  private state: State = 'idle';
  private stopping: Promise<void> | null = null;
  private readonly sleeps = new Sleeps();
  private lastFencedLog = 0;
  private settle!: { resolve: () => void; reject: (err: Error) => void };
  /** Settles when the consumer has stopped: resolves after stop(), rejects when it stopped itself on an error. */
  readonly done: Promise<void>;

  constructor(options: RedisEventConsumerOptions) {
    const sources = [options.kafka, options.rocketmq, options.source].filter((x) => x !== undefined).length;
    if (sources !== 1) throw new ConsumerError('SDK_BAD_OPTION', `give exactly one of kafka, rocketmq, source (got ${sources})`);
    if (topicsOf(options.topic).length === 0) throw new ConsumerError('SDK_BAD_OPTION', 'topic is required');
    if (typeof options.group !== 'string' || options.group === '') throw new ConsumerError('SDK_BAD_OPTION', 'group is required');
    const concurrency = options.concurrency ?? DEFAULTS.concurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConsumerError('SDK_BAD_OPTION', `concurrency must be an integer >= 1, got ${concurrency}`);
    this.opts = options;
    this.log = (options.logger ?? silentLogger).child({ component: 'consumer', group: options.group });
    this.scheduler = new KeyedScheduler(concurrency);
    const alignTimeoutMs = options.alignTimeoutMs ?? DEFAULTS.alignTimeoutMs;
    if (!(alignTimeoutMs >= 1)) throw new ConsumerError('SDK_BAD_OPTION', `alignTimeoutMs must be >= 1, got ${alignTimeoutMs}`);
    this.copiesOnce = (options.copies ?? 'once') === 'once';
    this.rendezvous = new CopyRendezvous({
      timeoutMs: alignTimeoutMs,
      maxRemembered: options.maxTrackedCopies ?? DEFAULTS.maxTrackedCopies,
      assignment: () => this.source?.assignment?.(),
      run: (ev, lane) => this.runReleased(ev, lane),
      onTimeout: (ev, arrived, missing) => {
        this.counters.alignTimeouts++;
        this.log.warn('delivering an event before all its copies arrived: per-key order is not guaranteed for its keys', {
          id: ev.id, type: ev.event.type, waitedMs: alignTimeoutMs, arrived: arrived.join(','),
          missing: typeof missing === 'number' ? `${missing} lane(s)` : missing.join(','),
        });
      },
    });
    this.intake = new MessageIntake(
      {
        dedupe: options.dedupe ?? 'watermark',
        maxEventBytes: options.maxEventBytes ?? DEFAULTS.maxEventBytes,
        maxHeldBytes: options.maxHeldBytes ?? DEFAULTS.maxHeldBytes,
        maxOpenEvents: options.maxOpenEvents ?? DEFAULTS.maxOpenEvents,
        maxLanes: options.maxLanes ?? DEFAULTS.maxLanes,
      },
      new CodecRegistry(options.codecs),
      (a, err) => this.onGiveUp(a, err),
    );
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // Observed or not, a rejected `done` must not crash the process as an unhandled rejection.
    this.done.catch(() => undefined);
  }

  on<T extends EventType>(type: T, listener: EventListener<T>): this;
  on(type: 'event', listener: AnyEventListener): this;
  on(type: 'error', listener: ErrorListener): this;
  on(type: string, listener: AnyEventListener | ErrorListener): this {
    this.registry.add(type, listener);
    return this;
  }

  off<T extends EventType>(type: T, listener: EventListener<T>): this;
  off(type: 'event', listener: AnyEventListener): this;
  off(type: 'error', listener: ErrorListener): this;
  off(type: string, listener: AnyEventListener | ErrorListener): this {
    this.registry.remove(type, listener);
    return this;
  }

  /** Connects and starts consuming; resolves once the source runs. A consumer starts once. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new ConsumerError('SDK_ALREADY_STARTED', `start() called on a consumer that is ${this.state}; create a new one`);
    this.state = 'starting';
    let source: MessageSource | null = null;
    try {
      source = this.opts.source ?? (await this.createSource());
      if (this.state !== 'starting') throw new ConsumerError('SDK_STOPPED', 'stop() was called while the consumer was starting');
      this.source = source;
      this.state = 'running';
      source.onAssignment?.(() => this.rendezvous.reassess());
      await source.start(this.deliver);
      this.log.info('consumer started', { source: source.name, topics: topicsOf(this.opts.topic).join(',') });
    } catch (err) {
      const e = asError(err);
      if (this.stopping) throw e; // stop() settles `done`
      this.state = 'stopped';
      this.intake.clear();
      // Release what a half-started client holds (connections, timers).
      await source?.stop().catch((stopErr: unknown) => this.log.debug(`stopping the source after a failed start: ${asError(stopErr).message}`));
      this.settle.reject(e);
      throw e;
    }
  }

  /**
   * Stops fetching, lets the events already handed to listeners finish (a listener waiting to be
   * retried gives up: its messages are not acknowledged and come back), and disconnects.
   */
  stop(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      this.settle.resolve();
      return Promise.resolve();
    }
    this.stopping ??= this.shutdown(null);
    return this.stopping;
  }

  stats(): ConsumerStats {
    const s: ConsumerStats = {
      ...this.counters,
      inFlight: this.scheduler.inFlight,
      queued: this.scheduler.queued,
      partialEvents: this.intake.partialEvents,
      partialBytes: this.intake.partialBytes,
      waitingForCopies: this.rendezvous.waiting,
    };
    const lag = this.source?.lag?.();
    if (lag) s.lag = lag;
    return s;
  }

  // -------------------------------------------------------------------------------------------

  private async createSource(): Promise<MessageSource> {
    const topics = topicsOf(this.opts.topic);
    if (this.opts.kafka) {
      // Loaded on demand: an application consuming from RocketMQ never loads kafkajs, and vice versa.
      const { KafkaMessageSource } = await import('./sources/kafka.js');
      return new KafkaMessageSource({
        ...this.opts.kafka,
        groupId: this.opts.group,
        topics,
        fromBeginning: this.opts.fromBeginning ?? false,
        logger: this.log,
      });
    }
    const { createRocketMqSource } = await import('./sources/rocketmq.js');
    return createRocketMqSource({ ...this.opts.rocketmq!, topics, group: this.opts.group, logger: this.log });
  }

  /** Called by the source with messages of one lane, in order. */
  private readonly deliver = async (messages: SourceMessage[]): Promise<DeliveryReceipt> => {
    if (this.state !== 'running') throw new ConsumerError('SDK_STOPPED', 'the consumer is stopping: messages not processed', { retriable: true });
    const lane = messages[0]?.lane;
    // a source that ignores DeliveryReceipt.resume: its next delivery of a stopped lane waits here
    const gate = lane === undefined ? undefined : this.laneGates.get(lane);
    if (gate) await gate;
    const call = new CallTracker();
    const parts: Array<{ index: number; assembly: Assembly }> = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      if (this.state !== 'running') {
        // Stopped part-way (a listener failed with onListenerError 'stop'): the rest stays unprocessed.
        await call.finished();
        throw new ConsumerError('SDK_STOPPED', 'the consumer stopped: messages not processed', { retriable: true });
      }
      let r;
      try {
        r = this.intake.accept(m);
      } catch (err) {
        this.counters.badMessages++;
        const stop = (this.opts.onBadMessage ?? 'stop') === 'stop';
        const e = asError(err);
        this.emitError(e, { stage: 'message', lane: m.lane, headers: m.headers, willRetry: false });
        if (!stop) continue;
        void this.fail(e);
        await call.settled();
        throw e;
      }
      switch (r.kind) {
        case 'held':
          parts.push({ index: i, assembly: r.assembly });
          break;
        case 'dropped':
          this.countDrop(r.reason, m);
          break;
        case 'pack':
          for (const item of r.items) {
            if (item.kind === 'dropped') this.countDrop(item.reason, m);
            else this.submit(item, m.lane, call);
          }
          break;
        case 'event': {
          if (r.copies <= 1 || !this.copiesOnce) {
            this.submit(r, m.lane, call);
            break;
          }
          const out: ArriveOutcome = this.rendezvous.arrive(r, m.lane);
          if (out.kind === 'deliver') {
            this.submit(r, m.lane, call, out.finished);
            break;
          }
          this.counters.copiesDropped++;
          if (out.kind === 'drop') break;
          return this.stopAtCopy(m.lane, i, out.resume, call, parts);
        }
        default: {
          const never: never = r;
          throw new ConsumerError('SDK_INTERNAL', `unexpected intake result ${String(never)}`);
        }
      }
    }
    await call.finished();
    const held = parts.filter((p) => p.assembly.open).map((p) => p.index);
    return { held, safePrefix: held[0] ?? messages.length };
  };

  /**
   * The lane reached a copy whose other copies have not all arrived (message `i`): finish what came
   * before it, then hand the lane back with the copy held and the rest not taken (DeliveryReceipt.taken).
   */
  private async stopAtCopy(
    lane: string,
    i: number,
    resume: Promise<void>,
    call: CallTracker,
    parts: Array<{ index: number; assembly: Assembly }>,
  ): Promise<DeliveryReceipt> {
    const gate = resume.catch(() => undefined);
    this.laneGates.set(lane, gate);
    void gate.then(() => {
      if (this.laneGates.get(lane) === gate) this.laneGates.delete(lane);
    });
    await call.finished();
    const openParts = (): number[] => parts.filter((p) => p.assembly.open).map((p) => p.index);
    const held = [...openParts(), i];
    const after = resume.then(() => openParts()[0] ?? i + 1);
    // a source that ignores `resume` must not see an unhandled rejection
    after.catch(() => undefined);
    return { held, safePrefix: held[0]!, taken: i + 1, resume: after };
  }

  private submit(ev: IntakeEvent, lane: string, call: CallTracker, finished?: (failed: boolean, err?: unknown) => void): void {
    const ctx: EventContext = { lane, key: ev.key, headers: ev.headers, id: ev.id, copies: ev.copies, parts: ev.parts, attempt: 1 };
    call.add();
    this.scheduler.submit(ev.keys, () => this.runListeners(ev, ctx), (failed, err) => {
      finished?.(failed, err);
      call.done(failed, err);
    });
  }

  /** Runs an event the rendezvous released on its own (timeout, rebalance). */
  private runReleased(ev: IntakeEvent, lane: string): Promise<void> {
    if (this.state !== 'running') return Promise.reject(new ConsumerError('SDK_STOPPED', 'the consumer is stopping', { retriable: true }));
    return new Promise<void>((resolve, reject) => {
      const ctx: EventContext = { lane, key: ev.key, headers: ev.headers, id: ev.id, copies: ev.copies, parts: ev.parts, attempt: 1 };
      this.scheduler.submit(ev.keys, () => this.runListeners(ev, ctx), (failed, err) => (failed ? reject(asError(err)) : resolve()));
    });
  }

  /** Runs the event's listeners in order; synchronous while they are. */
  private runListeners(ev: IntakeEvent, ctx: EventContext): void | Promise<void> {
    const listeners = this.registry.forEvent(ev.event.type);
    for (let i = 0; i < listeners.length; i++) {
      let r: void | Promise<void>;
      try {
        r = listeners[i]!(ev.event, ctx);
      } catch (err) {
        return this.retryFrom(ev, ctx, listeners, i, err);
      }
      if (isPromise(r)) return this.continueAsync(ev, ctx, listeners, i, r);
    }
    this.counters.delivered++;
  }

  private async continueAsync(
    ev: IntakeEvent,
    ctx: EventContext,
    listeners: readonly AnyEventListener[],
    i: number,
    pending: Promise<void>,
  ): Promise<void> {
    try {
      await pending;
    } catch (err) {
      return this.retryFrom(ev, ctx, listeners, i, err);
    }
    for (let j = i + 1; j < listeners.length; j++) {
      try {
        await listeners[j]!(ev.event, ctx);
      } catch (err) {
        return this.retryFrom(ev, ctx, listeners, j, err);
      }
    }
    this.counters.delivered++;
  }

  /** Listener `from` failed: report, wait, call it (and the ones after it) again until they succeed. */
  private async retryFrom(
    ev: IntakeEvent,
    first: EventContext,
    listeners: readonly AnyEventListener[],
    from: number,
    firstError: unknown,
  ): Promise<void> {
    const backoff = new Backoff({ ...DEFAULTS.retry, ...this.opts.retry });
    let err = firstError;
    let i = from;
    for (let attempt = 1; ; attempt++) {
      this.counters.listenerErrors++;
      const retry = (this.opts.onListenerError ?? 'retry') === 'retry' && this.state === 'running';
      const e = asError(err);
      this.emitError(e, { stage: 'listener', lane: first.lane, headers: first.headers, event: ev.event, attempt, willRetry: retry });
      if (!retry) {
        if (this.state === 'running') void this.fail(e);
        throw e;
      }
      await this.sleeps.sleep(backoff.next());
      if (this.state !== 'running') throw new ConsumerError('SDK_STOPPED', `stopped while retrying a listener of event ${ev.id}`, { cause: e, retriable: true });
      const ctx: EventContext = { ...first, attempt: attempt + 1 };
      try {
        for (; i < listeners.length; i++) await listeners[i]!(ev.event, ctx);
        this.counters.delivered++;
        return;
      } catch (next) {
        err = next;
      }
    }
  }

  private countDrop(reason: DropReason, m: SourceMessage): void {
    if (reason === 'duplicate') this.counters.duplicatesDropped++;
    else {
      this.counters.fencedDropped++;
      const now = Date.now();
      if (now - this.lastFencedLog >= 5000) {
        this.lastFencedLog = now;
        this.log.warn('dropped events of an older leadership epoch (a deposed replicator is still publishing)', {
          lane: m.lane, fencedDropped: this.counters.fencedDropped,
        });
      }
    }
  }

  private onGiveUp(a: Assembly, err: ConsumerError): void {
    this.counters.badMessages++;
    this.emitError(err, { stage: 'message', lane: a.lane, willRetry: false });
    if ((this.opts.onBadMessage ?? 'stop') === 'stop') void this.fail(err);
  }

  private emitError(err: Error, ctx: ErrorContext): void {
    const listeners = this.registry.errors;
    if (listeners.length === 0) {
      this.log.error(`${ctx.stage} error: ${err.message}`, { lane: ctx.lane, attempt: ctx.attempt, willRetry: ctx.willRetry });
      return;
    }
    for (const l of listeners) {
      try {
        l(err, ctx);
      } catch (thrown) {
        this.log.error(`an 'error' listener threw: ${asError(thrown).message}`);
      }
    }
  }

  /** Stops the consumer because of `err` (a listener error with onListenerError 'stop', a bad message). */
  private fail(err: Error): Promise<void> {
    this.stopping ??= this.shutdown(err);
    return this.stopping;
  }

  private async shutdown(cause: Error | null): Promise<void> {
    this.state = 'stopping';
    this.sleeps.wakeAll();
    const stopped = new ConsumerError('SDK_STOPPED', 'the consumer stopped before this event was processed', { cause: cause ?? undefined, retriable: true });
    // On failure nothing queued may run: the source redelivers it, after the failed event.
    if (cause) this.scheduler.abort(stopped);
    // lanes stopped at a copy are released (not acknowledged past it)
    this.rendezvous.clear();
    try {
      await this.source?.stop();
    } catch (err) {
      this.log.warn(`stopping the ${this.source?.name ?? ''} source failed: ${asError(err).message}`);
    }
    this.scheduler.abort(stopped);
    this.intake.clear();
    this.state = 'stopped';
    this.log.info('consumer stopped', { delivered: this.counters.delivered, cause: cause?.message });
    if (cause) this.settle.reject(cause);
    else this.settle.resolve();
  }
}

/** Counts the events of one delivery still being processed. */
class CallTracker {
  private pending = 0;
  private error: { err: unknown } | null = null;
  private waiter: (() => void) | null = null;

  add(): void {
    this.pending++;
  }

  done(failed: boolean, err: unknown): void {
    if (failed && !this.error) this.error = { err };
    if (--this.pending === 0 && this.waiter) this.waiter();
  }

  /** Resolves when every event settled. */
  settled(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Resolves when every event settled, rejects with the first failure. */
  async finished(): Promise<void> {
    await this.settled();
    if (this.error) throw asError(this.error.err);
  }
}

function topicsOf(topic: string | string[]): string[] {
  return (Array.isArray(topic) ? topic : [topic]).filter((t) => typeof t === 'string' && t !== '');
}

function isPromise(v: unknown): v is Promise<void> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
