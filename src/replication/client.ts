// The replica side of the link: connect, handshake, full sync (RDB) or partial sync, command stream,
// REPLCONF ACK every second and on GETACK, reconnection with backoff. It reports events with the
// stream position after them; it never decides what is durable: the pipeline tells it the durable
// offset (setDurable) and it ACKs only that to the master.
import type { Socket } from 'node:net';
import type { ReplicationEvent, SnapshotEvent, StreamPosition } from '../events/types.js';
import { RdbParser } from '../rdb/parser.js';
import { RdbParseError } from '../rdb/errors.js';
import { Backoff } from '../util/backoff.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { CommandStream } from './command-stream.js';
import { openConnection } from './connection.js';
import { describeEndpoint, type RedisEndpoint } from './endpoint.js';
import { ReplicationError } from './errors.js';
import { encodeInline, handshake, type PsyncOutcome } from './handshake.js';
import { LineReader } from './line-reader.js';
import { readFraming, RdbTransfer } from './transfer.js';

export interface ReplicationClientOptions {
  endpoint: RedisEndpoint;
  /** REPLCONF listening-port; 0 = the local port of the connection. */
  listeningPort?: number;
  /** REPLCONF version (Valkey 9 sends RDB 80 when it is >= 9.0); '' = not sent. */
  announceVersion?: string;
  ackIntervalMs?: number;
  /** The link is dead after this long without a byte (repl-timeout). */
  timeoutMs?: number;
  connectTimeoutMs?: number;
  backoffMaxMs?: number;
  /** Paused (back-pressure) longer than this: close the link cleanly instead of letting the master's
   *  output buffer for us grow; reconnect with PSYNC from the last position received on resume(). */
  pauseMaxMs?: number;
  rdb?: { maxChunkElements?: number; maxChunkBytes?: number; verifyChecksum?: boolean };
  /** Cluster mode: REPLCONF ACK is sent only while this returns true. */
  canAck?: () => boolean;
  logger?: Logger;
}

export const DEFAULT_REPLICATION_OPTIONS = {
  listeningPort: 0,
  announceVersion: '9.0.0',
  ackIntervalMs: 1000,
  timeoutMs: 60_000,
  connectTimeoutMs: 10_000,
  backoffMaxMs: 30_000,
  pauseMaxMs: 30_000,
} as const;

export interface ReplicationHandler {
  /** Events in stream order, and the resumable position after them (null inside a snapshot). */
  data(events: ReplicationEvent[], position: StreamPosition | null): void;
  /** Each (re)synchronisation: a full sync with its snapshot, or a partial one (+CONTINUE). */
  synced(info: SyncInfo): void;
  /** An error that retrying cannot fix (bad password, missing ACL permission, unparseable data). */
  fatal(err: Error): void;
  /** A transient problem; the client retries after `retryInMs`. */
  retrying(err: Error, retryInMs: number): void;
}

export interface SyncInfo {
  mode: 'full' | 'partial' | 'sync';
  replid: string;
  offset: number;
}

export type ClientState = 'idle' | 'connecting' | 'handshake' | 'transfer' | 'streaming' | 'waiting' | 'suspended' | 'stopped';

export class ReplicationClient {
  private readonly opts: Required<Omit<ReplicationClientOptions, 'rdb' | 'logger' | 'canAck'>> & Pick<ReplicationClientOptions, 'rdb' | 'canAck'>;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private socket: Socket | null = null;
  private stateValue: ClientState = 'idle';
  private received: StreamPosition | null = null;
  /** Replication ids that share the current offset numbering (+CONTINUE <newid> keeps the numbers). */
  private readonly history = new Set<string>();
  private durable: StreamPosition | null = null;
  private paused = false;
  private pauseTimer: NodeJS.Timeout | null = null;
  private lastByteAt = 0;
  private lastAckAt = 0;
  /** Stream offset before a REPLCONF GETACK not answered yet (the durable offset is behind it). */
  private getackAt: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private syncs = { full: 0, partial: 0 };
  private connId = 0;

  constructor(
    options: ReplicationClientOptions,
    private readonly handler: ReplicationHandler,
  ) {
    this.opts = { ...DEFAULT_REPLICATION_OPTIONS, ...options };
    this.log = (options.logger ?? silentLogger).child({ master: describeEndpoint(options.endpoint) });
    this.backoff = new Backoff({ initialMs: 200, maxMs: this.opts.backoffMaxMs });
  }

  private get stopped(): boolean {
    return this.stateValue === 'stopped';
  }

  get state(): ClientState {
    return this.stateValue;
  }

  /** Last complete position received from the master (not necessarily durable). */
  get position(): StreamPosition | null {
    return this.received;
  }

  get counters(): { full: number; partial: number } {
    return { ...this.syncs };
  }

  /** Starts replicating from `from` (a checkpoint) or with a full sync when null. */
  start(from: StreamPosition | null): void {
    if (this.stateValue !== 'idle') throw new Error('ReplicationClient.start called twice');
    this.received = from;
    if (from) this.history.add(from.replid);
    this.timer = setInterval(() => this.tick(), Math.min(this.opts.ackIntervalMs, 1000));
    void this.connect();
  }

  /** The pipeline's durable position: what REPLCONF ACK reports. */
  setDurable(position: StreamPosition | null): void {
    this.durable = position;
    // A GETACK waits for the events before it to be durable (a master's WAIT then returns at once).
    if (this.getackAt !== null && this.ackOffset() >= this.getackAt) {
      this.getackAt = null;
      this.sendAck();
    }
  }

  /** Back-pressure: stop reading from the master (ACKs continue, so the master does not time us out). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket?.pause();
    this.pauseTimer = setTimeout(() => this.suspend(), this.opts.pauseMaxMs);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    this.lastByteAt = Date.now();
    if (this.stateValue === 'suspended') {
      this.log.info('the sink caught up: reconnecting to the master');
      void this.connect();
      return;
    }
    this.socket?.resume();
  }

  /** Paused too long: leave cleanly rather than be cut off by the master's output-buffer limit. */
  private suspend(): void {
    this.pauseTimer = null;
    if (!this.paused || this.stopped) return;
    if (!this.socket) {
      // between connections: check again later
      this.pauseTimer = setTimeout(() => this.suspend(), this.opts.pauseMaxMs);
      return;
    }
    this.log.warn(`the sink has been behind for ${this.opts.pauseMaxMs} ms: disconnecting from the master until it catches up (then PSYNC from offset ${this.received?.offset ?? 'none'})`);
    if (this.stateValue === 'streaming') this.emitStreamEnd('suspended');
    const s = this.socket;
    this.socket = null;
    this.stateValue = 'suspended';
    s.destroy();
  }

  async stop(): Promise<void> {
    if (this.stateValue === 'streaming') this.emitStreamEnd('closed');
    this.stateValue = 'stopped';
    if (this.timer) clearInterval(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.timer = this.retryTimer = this.pauseTimer = null;
    const s = this.socket;
    this.socket = null;
    if (s && !s.destroyed) {
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        s.end();
        setTimeout(() => s.destroy(), 1000).unref();
      });
    }
  }

  private ackOffset(): number {
    const d = this.durable;
    return d && this.history.has(d.replid) ? d.offset : 0;
  }

  private sendAck(): void {
    const s = this.socket;
    if (!s || s.destroyed || (this.stateValue !== 'streaming' && this.stateValue !== 'transfer')) return;
    if (this.opts.canAck && !this.opts.canAck()) return;
    this.lastAckAt = Date.now();
    s.write(encodeInline(['REPLCONF', 'ACK', String(this.ackOffset())]));
  }

  /** REPLCONF GETACK: a real replica answers with the offset before the GETACK. Ours reports what is
   *  durable, so it answers as soon as the durable offset reaches that point. */
  private answerGetack(offset: number): void {
    if (this.ackOffset() >= offset) {
      this.getackAt = null;
      this.sendAck();
    } else {
      this.getackAt = offset;
    }
  }

  private tick(): void {
    // The timer also checks the timeout (at least every second); ACKs keep their own period.
    if (this.stateValue === 'streaming' && Date.now() - this.lastAckAt >= this.opts.ackIntervalMs) this.sendAck();
    if ((this.stateValue === 'streaming' || this.stateValue === 'transfer') && !this.paused) {
      const idle = Date.now() - this.lastByteAt;
      if (idle > this.opts.timeoutMs) {
        this.linkLost(new ReplicationError('REPL_LINK_TIMEOUT', `no data from the master for ${idle} ms (replication.timeout.ms = ${this.opts.timeoutMs})`, 'stream', { retriable: true }));
      }
    }
  }

  private async connect(): Promise<void> {
    if (this.stateValue === 'stopped') return;
    const id = ++this.connId;
    this.stateValue = 'connecting';
    this.getackAt = null; // a GETACK of a lost link is not answered on the next one
    let socket: Socket;
    try {
      socket = await openConnection(this.opts.endpoint, this.opts.connectTimeoutMs);
    } catch (err) {
      this.retry(err as Error);
      return;
    }
    if (this.stopped || id !== this.connId) {
      socket.destroy();
      return;
    }
    this.socket = socket;
    const lines = new LineReader();
    let onChunk: (chunk: Buffer) => void = (c) => lines.push(c);
    socket.on('data', (chunk: Buffer) => {
      this.lastByteAt = Date.now();
      try {
        onChunk(chunk);
      } catch (err) {
        this.linkLost(err as Error);
      }
    });
    socket.on('error', (err) => lines.fail(err));
    socket.on('close', () => {
      lines.fail(new ReplicationError('REPL_LINK_CLOSED', 'the master closed the connection', 'stream', { retriable: true }));
      if (this.socket === socket) this.linkLost(new ReplicationError('REPL_LINK_CLOSED', 'the master closed the connection', 'stream', { retriable: true }));
    });
    if (this.paused) socket.pause();

    let outcome: PsyncOutcome;
    try {
      this.stateValue = 'handshake';
      outcome = await handshake(
        socket,
        lines,
        {
          endpoint: this.opts.endpoint,
          listeningPort: this.opts.listeningPort || socket.localPort || 0,
          announceVersion: this.opts.announceVersion,
          replyTimeoutMs: this.opts.connectTimeoutMs,
          syncTimeoutMs: this.opts.timeoutMs,
          onNotice: (level, msg) => this.log[level](msg),
        },
        this.received,
      );
      if (this.socket !== socket) return;
      if (outcome.kind === 'continue') {
        onChunk = this.startStream(outcome, lines.takeRest());
        return;
      }
      this.stateValue = 'transfer';
      const framing = await readFraming(lines, this.opts.timeoutMs);
      if (this.socket !== socket) return;
      onChunk = this.startTransfer(outcome, framing, (rest) => {
        onChunk = this.startStream(outcome, rest);
      });
      const rest = lines.takeRest();
      if (rest.length > 0) onChunk(rest);
    } catch (err) {
      if (this.socket === socket) this.linkLost(err as Error);
    }
  }

  /** Full sync: feeds the RDB parser; calls `streamStarts` with the bytes after the payload. */
  private startTransfer(
    outcome: Exclude<PsyncOutcome, { kind: 'continue' }>,
    framing: Awaited<ReturnType<typeof readFraming>>,
    streamStarts: (rest: Buffer) => void,
  ): (chunk: Buffer) => void {
    const replid = outcome.kind === 'full' ? outcome.replid : '';
    const offset = outcome.kind === 'full' ? outcome.offset : 0;
    const previous = this.received;
    let streamDb = 0;
    const onEvents = (events: SnapshotEvent[]): void => {
      for (const e of events) {
        if (e.type === 'aux' && e.key.toString('latin1') === 'repl-stream-db') streamDb = Number(e.value.toString('latin1')) || 0;
      }
      this.handler.data(events, null);
    };
    const parser = new RdbParser(onEvents, {
      ...this.opts.rdb,
      replid,
      offset,
      reason: previous ? 'resync' : 'initial',
      ...(previous ? { previous: { replid: previous.replid, offset: previous.offset } } : {}),
    });
    const transfer = new RdbTransfer(framing, parser);
    this.log.info('full sync: receiving the RDB snapshot', { replid, offset, framing: framing.kind });
    return (chunk) => {
      const rest = transfer.push(chunk);
      if (rest === null) return;
      this.history.clear();
      if (replid) this.history.add(replid);
      // The snapshot is the state at `offset`; the stream that follows starts in repl-stream-db.
      this.received = replid ? { replid, offset, db: streamDb } : null;
      this.handler.data([], this.received);
      this.syncs.full++;
      this.backoff.reset();
      this.log.info('full sync: snapshot received', { bytes: transfer.bytes, replid, offset });
      this.handler.synced({ mode: outcome.kind === 'full' ? 'full' : 'sync', replid, offset });
      this.stateValue = 'streaming';
      // A diskless master sends nothing until it has our first ACK.
      this.sendAck();
      streamStarts(rest);
    };
  }

  private startStream(outcome: PsyncOutcome, rest: Buffer): (chunk: Buffer) => void {
    const base = this.received;
    let replid = base?.replid ?? '';
    if (outcome.kind === 'continue') {
      replid = outcome.replid;
      this.history.add(replid);
      this.syncs.partial++;
      this.backoff.reset();
      this.log.info('partial sync: the master continues from our offset', { replid, offset: base?.offset ?? 0 });
      this.handler.synced({ mode: 'partial', replid, offset: base?.offset ?? 0 });
      this.stateValue = 'streaming';
    }
    const start: StreamPosition = { replid, offset: base?.offset ?? 0, db: base?.db ?? 0 };
    const stream = new CommandStream(start, outcome.kind === 'continue' ? 'partial' : 'full', {
      data: (events, position) => {
        if (position.replid !== '') this.received = position;
        this.handler.data(events, position.replid !== '' ? position : null);
      },
      getack: (offset) => this.answerGetack(offset),
    });
    if (rest.length > 0) stream.push(rest);
    return (chunk) => stream.push(chunk);
  }

  private linkLost(err: Error): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
    if (this.stateValue === 'stopped') return;
    if (this.stateValue === 'streaming') this.emitStreamEnd(err instanceof ReplicationError ? err.code : 'link-lost');
    if (err instanceof RdbParseError && !RETRIABLE_RDB.has(err.code)) {
      this.stateValue = 'stopped';
      this.handler.fatal(err);
      return;
    }
    if (err instanceof ReplicationError && !err.retriable) {
      this.stateValue = 'stopped';
      this.handler.fatal(err);
      return;
    }
    this.retry(err);
  }

  private emitStreamEnd(reason: string): void {
    const p = this.received;
    if (!p) return;
    this.handler.data([{ type: 'stream-end', replid: p.replid, offset: p.offset, db: p.db, reason }], p);
  }

  private retry(err: Error): void {
    if (this.stateValue === 'stopped') return;
    this.stateValue = 'waiting';
    const wait = this.backoff.next();
    this.handler.retrying(err, wait);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, wait);
  }
}

/** RDB errors worth a new full sync (a transfer cut or garbled on the way); others would repeat. */
const RETRIABLE_RDB = new Set(['RDB_UNEXPECTED_EOF', 'RDB_BAD_CHECKSUM']);
