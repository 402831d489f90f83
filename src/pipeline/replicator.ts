// The library's composition root: replication client -> filter -> sink and listeners -> checkpoint.
//
//   const r = new Replicator({ redis: 'redis://127.0.0.1:6379', checkpoint: new FileCheckpointStore('cp.json') });
//   r.on('command', (e) => ...);              // typed per event type; 'event' receives every event
//   await r.open();
//   for await (const e of r) { ... }          // or iterate: an event is acknowledged when you ask for the next
//   await r.close();
//
// Durability: a batch of events is acknowledged when the sink has published it AND every listener (and
// the iterator) has finished with it; the checkpoint and the REPLCONF ACK sent to the master advance only
// over batches acknowledged together with all batches before them.
import { EventEmitter } from 'node:events';
import type { Checkpoint, CheckpointStore } from '../checkpoint/store.js';
import type { EventOfType, EventType, ReplicationEvent, StreamPosition } from '../events/types.js';
import { parseRedisUri, type RedisEndpoint } from '../replication/endpoint.js';
import { ReplicationClient, type ReplicationClientOptions, type SyncInfo } from '../replication/client.js';
import type { Sink } from '../sinks/sink.js';
import { ReplicatorError } from '../errors.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { Dispatcher } from './dispatcher.js';
import { EventIterator } from './event-iterator.js';
import { Spill } from './spill.js';

export interface ReplicatorOptions {
  /** The master: a redis:// URI or an endpoint object. */
  redis: string | RedisEndpoint;
  /** Where the position is kept between runs; without one every start is a full sync. */
  checkpoint?: CheckpointStore;
  /** Destination of every event, in addition to listeners and the iterator. */
  sink?: Sink;
  /** Events for which this returns false are not delivered (their offsets still count). */
  filter?: (event: ReplicationEvent) => boolean;
  replication?: Omit<ReplicationClientOptions, 'endpoint' | 'logger'>;
  /** Largest batch (default 1000 events). */
  batchEvents?: number;
  /** How long a partial batch waits for more events (default 1 ms). */
  lingerMs?: number;
  /** Above this many bytes not yet acknowledged, reading from the master pauses (default 64 MiB). */
  maxPendingBytes?: number;
  /** Spill batches to this directory when the sink lags and memory is full (with spillMaxBytes > 0). */
  spillDir?: string;
  /** Largest spill on disk; 0 (default) = no spill: reading from the master pauses instead. */
  spillMaxBytes?: number;
  /** Minimum time between two checkpoint writes (default 1000 ms; the last one is written on close). */
  checkpointIntervalMs?: number;
  /** Stamped on every event (cluster mode). */
  epoch?: number;
  /** Cluster mode: asked synchronously before every publish, ACK and checkpoint write. */
  guard?: LeadershipCheck;
  logger?: Logger;
}

/** What the pipeline asks before acting for a leadership term (cluster/leader-guard.ts implements it). */
export interface LeadershipCheck {
  isLeader(): boolean;
  /** Why isLeader() is false, for messages. */
  whyNot(): string | undefined;
}

export type DataListener<T extends EventType> = (event: EventOfType<T>) => void | Promise<void>;
export type AnyListener = (event: ReplicationEvent) => void | Promise<void>;

export interface ReplicatorStatus {
  state: string;
  received: StreamPosition | null;
  durable: StreamPosition | null;
  pendingBytes: number;
  spilledBytes: number;
  fullSyncs: number;
  partialSyncs: number;
}

export class Replicator {
  private readonly opts: ReplicatorOptions;
  private readonly log: Logger;
  private readonly lifecycle = new EventEmitter();
  private readonly listeners = new Map<EventType | 'event', AnyListener[]>();
  private iterator: EventIterator | null = null;
  private client: ReplicationClient | null = null;
  private dispatcher: Dispatcher | null = null;
  private spill: Spill | null = null;
  private saving: Promise<void> | null = null;
  private saveTimer: NodeJS.Timeout | null = null;
  private lastSaved = 0;
  private savedOffset: StreamPosition | null = null;
  private opened = false;
  private aborted = false;
  private closing: Promise<void> | null = null;
  private settle!: { resolve: () => void; reject: (err: Error) => void };
  /** Settles when the replicator stops: resolves after close(), rejects on a fatal error. */
  readonly done: Promise<void>;

  constructor(options: ReplicatorOptions) {
    this.opts = options;
    this.log = options.logger ?? silentLogger;
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined); // a fatal error is reported through done/'error'; never unhandled
  }

  on<T extends EventType>(type: T, listener: DataListener<T>): this;
  on(type: 'event', listener: AnyListener): this;
  on(type: 'sync', listener: (info: SyncInfo) => void): this;
  on(type: 'retrying', listener: (err: Error, retryInMs: number) => void): this;
  on(type: 'checkpoint', listener: (checkpoint: Checkpoint) => void): this;
  on(type: 'error', listener: (err: Error) => void): this;
  on(type: string, listener: (...args: never[]) => unknown): this {
    if (type === 'sync' || type === 'retrying' || type === 'checkpoint' || type === 'error') {
      this.lifecycle.on(type, listener as (...args: unknown[]) => void);
    } else {
      const list = this.listeners.get(type as EventType | 'event') ?? [];
      list.push(listener as AnyListener);
      this.listeners.set(type as EventType | 'event', list);
    }
    return this;
  }

  /** Every event in stream order; an event counts as handled when the next one is requested. */
  [Symbol.asyncIterator](): AsyncIterator<ReplicationEvent> {
    if (this.iterator) throw new Error('only one async iterator per Replicator');
    this.iterator = new EventIterator(() => {
      this.iterator = null;
      void this.close();
    });
    return this.iterator;
  }

  async open(): Promise<void> {
    if (this.opened) throw new Error('Replicator.open called twice');
    this.opened = true;
    const endpoint = typeof this.opts.redis === 'string' ? parseRedisUri(this.opts.redis) : this.opts.redis;
    const checkpoint = (await this.opts.checkpoint?.load()) ?? null;
    const start: StreamPosition | null = checkpoint ? { replid: checkpoint.replid, offset: checkpoint.offset, db: checkpoint.db } : null;
    this.savedOffset = start;
    if (start) this.log.info('resuming from checkpoint', { replid: start.replid, offset: start.offset, db: start.db });
    else this.log.info('no checkpoint: starting with a full sync');
    await this.opts.sink?.open();

    const guard = this.opts.guard;
    const client = new ReplicationClient(
      { ...this.opts.replication, endpoint, logger: this.log, ...(guard ? { canAck: () => guard.isLeader() } : {}) },
      {
        data: (events, position) => this.dispatcher?.push(this.prepare(events), position),
        synced: (info) => this.lifecycle.emit('sync', info),
        retrying: (err, wait) => {
          this.log.warn(`replication interrupted: ${err.message}; retrying in ${wait} ms`);
          this.lifecycle.emit('retrying', err, wait);
        },
        fatal: (err) => void this.fail(err),
      },
    );
    if ((this.opts.spillMaxBytes ?? 0) > 0) {
      this.spill = new Spill({ dir: this.opts.spillDir ?? 'data/spill', maxBytes: this.opts.spillMaxBytes! });
    }
    this.dispatcher = new Dispatcher(
      {
        ...(this.spill ? { spill: this.spill } : {}),
        maxInFlight: this.opts.sink?.maxInFlight ?? 1,
        maxEvents: this.opts.batchEvents ?? 1000,
        lingerMs: this.opts.lingerMs ?? 1,
        maxPendingBytes: this.opts.maxPendingBytes ?? 64 * 1024 * 1024,
      },
      {
        deliver: (batch) => this.deliver(batch),
        onDurable: (position) => {
          client.setDurable(position);
          this.scheduleSave();
        },
        onPressure: (high) => {
          if (high) {
            this.log.debug('back-pressure: pausing reads from the master');
            client.pause();
          } else {
            client.resume();
          }
        },
        onDeliveryError: (err, attempt, wait) => {
          this.log.warn(`publishing failed (attempt ${attempt}): ${(err as Error).message}; retrying in ${wait} ms`);
        },
      },
      start,
    );
    client.setDurable(start);
    this.client = client;
    client.start(start);
  }

  /** Stops reading, waits for what was read to be published (up to `timeoutMs`), saves the checkpoint. */
  close(timeoutMs = 30_000): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs).then(
      () => this.settle.resolve(),
      (err: Error) => {
        this.settle.reject(err);
        throw err;
      },
    );
    return this.closing;
  }

  /**
   * Stops at once (cluster mode, leadership lost): no further publish, ACK or checkpoint; events not yet
   * durable are dropped (the next leader resumes from the last checkpoint). `done` resolves.
   */
  async abort(): Promise<void> {
    this.aborted = true;
    this.dispatcher?.stop();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    await this.client?.stop();
    this.spill?.close();
    await this.opts.sink?.close().catch((err: Error) => this.log.warn(`closing the sink after abort: ${err.message}`));
    this.iterator?.end();
    this.settle.resolve();
  }

  status(): ReplicatorStatus {
    return {
      state: this.client?.state ?? 'idle',
      received: this.client?.position ?? null,
      durable: this.dispatcher?.durable ?? null,
      pendingBytes: this.dispatcher?.pending ?? 0,
      spilledBytes: this.dispatcher?.spilled ?? 0,
      fullSyncs: this.client?.counters.full ?? 0,
      partialSyncs: this.client?.counters.partial ?? 0,
    };
  }

  private prepare(events: ReplicationEvent[]): ReplicationEvent[] {
    const { filter, epoch } = this.opts;
    const out = filter ? events.filter(filter) : events;
    if (epoch !== undefined) for (const e of out) e.epoch = epoch;
    return out;
  }

  private async deliver(batch: readonly ReplicationEvent[]): Promise<void> {
    const guard = this.opts.guard;
    if (guard && !guard.isLeader()) {
      throw new ReplicatorError('PIPELINE_NOT_LEADER', `not publishing: ${guard.whyNot() ?? 'not the leader'}`, { retriable: true });
    }
    const sinkDone = this.opts.sink?.publish(batch);
    await this.callListeners(batch);
    if (this.iterator) await this.iterator.offer(batch);
    await sinkDone;
  }

  private async callListeners(batch: readonly ReplicationEvent[]): Promise<void> {
    if (this.listeners.size === 0) return;
    const all = this.listeners.get('event');
    for (const e of batch) {
      const typed = this.listeners.get(e.type);
      // An async listener is awaited before the next event, so listeners see events in order.
      if (typed) for (const l of typed) await l(e);
      if (all) for (const l of all) await l(e);
    }
  }

  private scheduleSave(): void {
    const store = this.opts.checkpoint;
    if (!store || this.saveTimer || this.closing) return;
    const interval = this.opts.checkpointIntervalMs ?? 1000;
    const wait = Math.max(0, interval - (Date.now() - this.lastSaved));
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      void this.saveNow().catch((err: Error) => {
        // Tried again after an interval even if nothing new becomes durable (an idle master).
        this.log.error(`checkpoint not saved: ${err.message}; retrying`);
        this.lastSaved = Date.now();
        this.scheduleSave();
      });
    }, wait);
  }

  private async saveNow(): Promise<void> {
    const store = this.opts.checkpoint;
    const d = this.dispatcher?.durable;
    if (!store || !d || !d.replid || this.aborted) return;
    if (this.opts.guard && !this.opts.guard.isLeader()) return; // the store would refuse it anyway
    if (this.savedOffset && this.savedOffset.replid === d.replid && this.savedOffset.offset === d.offset && this.savedOffset.db === d.db) return;
    // a save still running; one that failed was reported by its own caller and must not fail this one
    // (it would, forever: a transient ZooKeeper connection loss stopped all later checkpoints)
    await this.saving?.catch(() => undefined);
    const cp: Checkpoint = { replid: d.replid, offset: d.offset, db: d.db };
    if (this.opts.epoch !== undefined) cp.epoch = this.opts.epoch;
    this.saving = store.save(cp);
    await this.saving;
    this.lastSaved = Date.now();
    this.savedOffset = d;
    this.lifecycle.emit('checkpoint', cp);
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    await this.client?.stop();
    if (this.dispatcher) {
      const drained = await Promise.race([
        this.dispatcher.drain().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
      ]);
      if (!drained) this.log.warn(`close: events not yet acknowledged after ${timeoutMs} ms are left to the next run (resumed from the checkpoint)`);
      this.dispatcher.stop();
    }
    this.spill?.close();
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    await this.saveNow();
    await this.opts.checkpoint?.close();
    await this.opts.sink?.close();
    this.iterator?.end();
  }

  private async fail(err: Error): Promise<void> {
    // Reported through `done` and 'error', not logged here: the caller decides how to show it.
    if (this.lifecycle.listenerCount('error') > 0) this.lifecycle.emit('error', err);
    this.iterator?.fail(err);
    this.settle.reject(err); // before close(), whose success would otherwise resolve `done` first
    try {
      await this.close();
    } catch {
      // the fatal error is what gets reported
    }
  }
}
