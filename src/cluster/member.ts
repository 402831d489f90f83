// One replicator instance's membership in the cluster of its source: keeps a ZooKeeper session and a
// leader election alive for as long as it runs. When the session is lost (expired, in doubt, our node
// gone) it ends the term at once, closes that session, and starts over with a NEW session and a new
// candidacy (a node-zookeeper-client client never recovers from expiry). Standbys stay connected and
// ready the same way.
//
// The service listens to 'leader' (start replicating with term.guard and a ZkCheckpointStore over
// checkpointAccess(term)) and 'term-ended' (stop publishing and ACKing at once).
import { EventEmitter } from 'node:events';
import type { ZkCheckpointAccess } from '../checkpoint/zookeeper.js';
import { Backoff } from '../util/backoff.js';
import { silentLogger, type Logger } from '../util/logger.js';
import { zkCheckpointAccess } from './checkpoint-access.js';
import { LeaderElection, type FollowerInfo, type LeaderTerm } from './election.js';
import { ClusterError } from './errors.js';
import { clusterPaths, type ClusterPaths, type ClusterSettings } from './settings.js';
import { isZkError, ZkSession } from './zk-session.js';

export interface ClusterMemberEvents {
  leader: [term: LeaderTerm];
  /** The term's guard has just turned false for good. */
  'term-ended': [term: LeaderTerm, reason: string];
  follower: [info: FollowerInfo];
}

export interface ClusterMemberOptions {
  logger?: Logger;
  /** Give up one connection attempt after this long (default: the session timeout). */
  connectTimeoutMs?: number;
  /** Longest wait between two session attempts (default 5000 ms). */
  maxRetryDelayMs?: number;
}

export class ClusterMember extends EventEmitter<ClusterMemberEvents> {
  readonly settings: ClusterSettings;
  readonly paths: ClusterPaths;
  readonly #log: Logger;
  readonly #options: ClusterMemberOptions;
  #running: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #session: ZkSession | undefined;
  #election: LeaderElection | undefined;
  #established = false;
  /** Our candidacy in the previous session, which may outlive it on the server (see #removePreviousNode). */
  #previousNode: string | undefined;

  constructor(settings: ClusterSettings, options: ClusterMemberOptions = {}) {
    super();
    this.settings = settings;
    this.paths = clusterPaths(settings.root, settings.sourceId);
    this.#options = options;
    this.#log = (options.logger ?? silentLogger).child({ component: 'cluster' });
  }

  /** The term while we lead. */
  get term(): LeaderTerm | undefined {
    return this.#election?.term;
  }

  /** The current ZooKeeper session, if connected. */
  get session(): ZkSession | undefined {
    return this.#session;
  }

  isLeader(): boolean {
    return this.term?.guard.isLeader() ?? false;
  }

  /** What a ZkCheckpointStore needs to write the checkpoint of `term` (through the session holding it). */
  checkpointAccess(term: LeaderTerm): ZkCheckpointAccess {
    const session = this.#session;
    if (session === undefined || session.sessionId !== term.sessionId || term.guard.ended) {
      throw new ClusterError('CLUSTER_NOT_LEADER', `leadership epoch ${term.epoch} is over; no checkpoint access`);
    }
    return zkCheckpointAccess(session, term, this.paths.checkpoint);
  }

  /** Starts taking part (in the background); safe to call once. */
  start(): void {
    if (this.#running !== undefined) return;
    this.#running = this.#run();
  }

  /** Resigns (the next candidate takes over at once), closes the session and stops. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    const backoff = new Backoff({ initialMs: 200, maxMs: this.#options.maxRetryDelayMs ?? 5000 });
    while (!this.#stopping) {
      this.#established = false;
      const reason = await this.#oneSession().catch((err: unknown) => `${(err as Error).message}`);
      if (this.#stopping) break;
      // a session that made it into the election was healthy: retry soon
      if (this.#established) backoff.reset();
      const delay = backoff.next();
      this.#log.warn('ZooKeeper membership interrupted; starting a new session', { reason, retryInMs: delay });
      await this.#sleep(delay);
    }
  }

  /** One session and one election, until either ends or stop(); resolves with why it ended. */
  async #oneSession(): Promise<string> {
    const s = this.settings;
    const session = await ZkSession.connect({
      address: s.address,
      sessionTimeoutMs: s.sessionTimeoutMs,
      connectTimeoutMs: this.#options.connectTimeoutMs ?? s.sessionTimeoutMs,
      logger: this.#log,
    });
    if (this.#stopping) {
      await session.close();
      return 'stopping';
    }
    this.#session = session;
    const election = new LeaderElection(session, { root: s.root, sourceId: s.sourceId, instanceId: s.instanceId, logger: this.#log });
    this.#election = election;
    let ended: (reason: string) => void = () => undefined;
    const over = new Promise<string>((resolvePromise) => (ended = resolvePromise));
    election.on('leader', (term) => this.emit('leader', term));
    election.on('term-ended', (term, why) => this.emit('term-ended', term, why));
    election.on('follower', (info) => this.emit('follower', info));
    election.on('lost', ended);
    this.#wake = () => ended('stopping');
    try {
      await this.#removePreviousNode(session);
      await election.start();
      this.#established = true;
      return await over;
    } finally {
      this.#wake = undefined;
      if (election.node !== undefined) this.#previousNode = election.node;
      await election.resign(); // ends a term still held (emits 'term-ended') and frees our node
      await session.close();
      this.#session = undefined;
    }
  }

  /**
   * A session we gave up while disconnected (in doubt) could not tell the server it ended, so its
   * ephemeral candidacy stays until the server expires it, a full session timeout during which it blocks
   * the election. We stopped using that session for good, so deleting its node ourselves is safe.
   */
  async #removePreviousNode(session: ZkSession): Promise<void> {
    const node = this.#previousNode;
    if (node === undefined) return;
    try {
      await session.remove(node);
      this.#log.info('removed the election node of our previous session', { node });
    } catch (err) {
      if (!isZkError(err, 'NO_NODE')) throw err; // kept: the next session tries again
    }
    this.#previousNode = undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolvePromise) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolvePromise();
      }
      this.#wake = done;
    });
  }
}
