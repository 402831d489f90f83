// Leader election for one source over one ZooKeeper session (ZooKeeper recipe "Leader Election";
// ../shared/docs/test-servers.md §5.4):
//  1. mkdirp /<root>/<sourceId>/election; create n_ EPHEMERAL_SEQUENTIAL holding our CandidateInfo;
//  2. list the candidates: the lowest sequence leads; any other watches only its predecessor (exists +
//     watcher) and evaluates again when it fires, or at once when the predecessor is already gone;
//  3. the new leader takes the next epoch (epoch.ts) before it says 'leader'.
// After a reconnect the election lists the candidates again before resuming, so an instance whose node
// vanished does not go on leading (the Curator pitfall of seeing only SUSPENDED -> RECONNECTED).
// An election lives as long as its session: once it says 'lost' the owner closes the session and starts a
// new session and a new election (member.ts does that).
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../util/logger.js';
import { decodeCandidate, encodeCandidate, localCandidate, type CandidateInfo } from './candidate.js';
import { CANDIDATE_PREFIX, candidateOrder, standingOf } from './election-order.js';
import { acquireEpoch } from './epoch.js';
import { ClusterError } from './errors.js';
import { LeaderGuard } from './leader-guard.js';
import { clusterPaths, type ClusterPaths } from './settings.js';
import type { SessionLostReason, ZkSession } from './zk-session.js';

export interface LeaderTerm {
  epoch: number;
  /** Full path of our election node; checkpoint writes check that it still exists. */
  electionNode: string;
  sourceId: string;
  instanceId: string;
  /** ZooKeeper session that holds the term. */
  sessionId: string;
  startedAt: Date;
  /** Ask it before every publish and ACK. */
  guard: LeaderGuard;
}

export interface FollowerInfo {
  electionNode: string;
  /** Name of the candidate we watch. */
  predecessor: string;
  /** 1 = next in line. */
  position: number;
  /** The current leader, when it could be read. */
  leader: (CandidateInfo & { node: string }) | undefined;
}

export type ElectionState = 'idle' | 'starting' | 'follower' | 'leader' | 'lost' | 'resigned';

export interface LeaderElectionEvents {
  /** We lead, with a fresh epoch. */
  leader: [term: LeaderTerm];
  /** We stand by, watching `predecessor`; emitted again when the predecessor changes. */
  follower: [info: FollowerInfo];
  /** Our term ended (emitted the moment its guard turns false for good, before 'lost'). */
  'term-ended': [term: LeaderTerm, reason: string];
  /** The election is over for this session (session lost or our node gone). */
  lost: [reason: string];
}

export interface LeaderElectionOptions {
  root: string;
  sourceId: string;
  instanceId: string;
  logger?: Logger;
  /** Delay before evaluating again after a failed ZooKeeper call (default 500 ms). */
  retryDelayMs?: number;
}

export class LeaderElection extends EventEmitter<LeaderElectionEvents> {
  readonly paths: ClusterPaths;
  readonly candidate: CandidateInfo;
  readonly #session: ZkSession;
  readonly #sourceId: string;
  readonly #log: Logger;
  readonly #retryDelayMs: number;
  #state: ElectionState = 'idle';
  #node: string | undefined;
  #term: LeaderTerm | undefined;
  #watching: string | undefined;
  #evaluating: Promise<void> | undefined;
  #again = false;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #onPredecessorEvent = (): void => this.#requestEvaluation();
  readonly #onDisconnected = (): void => this.#term?.guard.suspend('ZooKeeper connection lost');
  readonly #onReconnected = (): void => this.#requestEvaluation();
  readonly #onLost = (reason: SessionLostReason, detail: string): void => this.#lose(`ZooKeeper session ${reason}: ${detail}`);

  constructor(session: ZkSession, options: LeaderElectionOptions) {
    super();
    this.#session = session;
    this.#sourceId = options.sourceId;
    this.paths = clusterPaths(options.root, options.sourceId);
    this.candidate = localCandidate(options.instanceId);
    this.#log = (options.logger ?? silentLogger).child({ source: options.sourceId, instance: options.instanceId });
    this.#retryDelayMs = options.retryDelayMs ?? 500;
  }

  get state(): ElectionState {
    return this.#state;
  }

  /** Our election node (full path) once created. */
  get node(): string | undefined {
    return this.#node;
  }

  /** The current term while we lead. */
  get term(): LeaderTerm | undefined {
    return this.#state === 'leader' ? this.#term : undefined;
  }

  /** Name of the only candidate we watch (our predecessor) while we follow. */
  get watching(): string | undefined {
    return this.#state === 'follower' ? this.#watching : undefined;
  }

  /** Enters the election; resolves once we know whether we lead or follow. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new ClusterError('CLUSTER_BAD_STATE', `election already ${this.#state}`);
    this.#state = 'starting';
    this.#session.on('lost', this.#onLost);
    this.#session.on('disconnected', this.#onDisconnected);
    this.#session.on('reconnected', this.#onReconnected);
    try {
      await this.#session.mkdirp(this.paths.election);
      // a failure here may leave an orphan node (the create may have committed): the owner must close
      // this session, which removes it
      this.#node = await this.#session.create(`${this.paths.election}/${CANDIDATE_PREFIX}`, encodeCandidate(this.candidate), 'ephemeral-sequential');
      this.#log.info('joined the leader election', { node: this.#node });
      this.#requestEvaluation();
      await this.#evaluating;
    } catch (err) {
      this.#lose(`cannot join the election: ${(err as Error).message}`);
      throw err;
    }
    if (!this.#active()) throw new ClusterError('CLUSTER_SESSION_LOST', 'the election ended while starting');
  }

  /** Leaves the election: ends our term at once, then deletes our node so the next candidate takes over. */
  async resign(): Promise<void> {
    if (this.#state === 'resigned' || this.#state === 'lost') return;
    this.#endTerm('resigned');
    this.#state = 'resigned';
    this.#detach();
    if (this.#node !== undefined && this.#session.alive) {
      try {
        await this.#session.remove(this.#node);
      } catch (err) {
        // gone already, or the session is ending (then its ephemerals go with it)
        this.#log.debug('could not delete our election node', { node: this.#node, error: (err as Error).message });
      }
    }
  }

  #active(): boolean {
    return this.#state === 'starting' || this.#state === 'follower' || this.#state === 'leader';
  }

  #requestEvaluation(): void {
    if (!this.#active()) return;
    if (this.#evaluating !== undefined) {
      this.#again = true;
      return;
    }
    this.#evaluating = (async () => {
      try {
        do {
          this.#again = false;
          await this.#evaluate();
        } while (this.#again && this.#active());
      } finally {
        this.#evaluating = undefined;
      }
    })();
  }

  async #evaluate(): Promise<void> {
    const node = this.#node;
    if (node === undefined) return;
    const name = node.slice(node.lastIndexOf('/') + 1);
    try {
      const order = candidateOrder(await this.#session.getChildren(this.paths.election));
      if (!this.#active()) return;
      const standing = standingOf(order, name);
      switch (standing.kind) {
        case 'absent':
          this.#lose(`our election node ${node} is gone`);
          return;
        case 'leader':
          if (this.#state === 'leader') {
            this.#term?.guard.resume(); // re-checked after a reconnect: still ours
            return;
          }
          await this.#becomeLeader(node);
          return;
        case 'follower': {
          if (this.#state === 'leader') this.#endTerm(`candidate ${standing.predecessor} now precedes us`);
          const predecessorPath = `${this.paths.election}/${standing.predecessor}`;
          const stat = await this.#session.exists(predecessorPath, this.#onPredecessorEvent);
          if (!this.#active()) return;
          if (stat === null) {
            this.#again = true; // gone between the listing and the watch
            return;
          }
          const changed = this.#state !== 'follower' || this.#watching !== standing.predecessor;
          this.#state = 'follower';
          this.#watching = standing.predecessor;
          if (changed) await this.#announceFollower(node, standing.predecessor, standing.position, order[0]?.name);
          return;
        }
        default: {
          const never: never = standing;
          throw new Error(`unknown standing ${JSON.stringify(never)}`);
        }
      }
    } catch (err) {
      if (!this.#active()) return;
      if (!this.#session.alive) {
        this.#lose(`ZooKeeper session ${this.#session.lostReason ?? 'lost'}`);
        return;
      }
      if (err instanceof ClusterError && err.code === 'CLUSTER_NOT_LEADER') {
        this.#lose(err.message);
        return;
      }
      this.#log.warn('leader election step failed; retrying', { error: (err as Error).message });
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => this.#requestEvaluation(), this.#retryDelayMs);
      this.#retryTimer.unref();
      if (this.#state === 'starting') throw err;
    }
  }

  async #becomeLeader(node: string): Promise<void> {
    const epoch = await acquireEpoch(this.#session, this.paths.epoch, node);
    if (!this.#active()) return;
    const guard = new LeaderGuard(epoch, this.#session);
    const term: LeaderTerm = {
      epoch,
      electionNode: node,
      sourceId: this.#sourceId,
      instanceId: this.candidate.instanceId,
      sessionId: this.#session.sessionId,
      startedAt: new Date(),
      guard,
    };
    this.#term = term;
    this.#state = 'leader';
    this.#watching = undefined;
    this.#log.info('leadership acquired', { epoch, node });
    this.emit('leader', term);
  }

  async #announceFollower(node: string, predecessor: string, position: number, leaderName: string | undefined): Promise<void> {
    let leader: FollowerInfo['leader'];
    if (leaderName !== undefined) {
      const data = await this.#session.getData(`${this.paths.election}/${leaderName}`).catch(() => null);
      const info = data === null ? null : decodeCandidate(data.data);
      if (info !== null) leader = { ...info, node: leaderName };
    }
    if (this.#state !== 'follower' || this.#watching !== predecessor) return;
    this.#log.info('standing by', {
      node,
      watching: predecessor,
      position,
      leader: leader?.instanceId ?? leaderName,
      leaderHost: leader?.host,
    });
    this.emit('follower', { electionNode: node, predecessor, position, leader });
  }

  #endTerm(reason: string): void {
    const term = this.#term;
    if (term === undefined || term.guard.ended) return;
    term.guard.end(reason);
    if (reason === 'resigned') this.#log.info('leadership resigned', { epoch: term.epoch });
    else this.#log.warn('leadership lost', { epoch: term.epoch, reason });
    this.emit('term-ended', term, reason);
  }

  #lose(reason: string): void {
    if (!this.#active()) return;
    this.#endTerm(reason);
    this.#state = 'lost';
    this.#detach();
    this.#log.warn('left the leader election', { reason });
    this.emit('lost', reason);
  }

  #detach(): void {
    clearTimeout(this.#retryTimer);
    this.#session.removeListener('lost', this.#onLost);
    this.#session.removeListener('disconnected', this.#onDisconnected);
    this.#session.removeListener('reconnected', this.#onReconnected);
  }
}
