// deploy.model = cluster: every instance joins the ZooKeeper election for its source; only the leader
// replicates. A term starts with a new epoch (stamped on every event), the checkpoint read from
// ZooKeeper and written there only by this term (multi-op that checks our election node), and a guard
// that the pipeline asks before every publish, ACK and checkpoint write. When the term ends (session
// lost or in doubt, node gone) the replicator is aborted at once; the next leader resumes from the
// checkpoint with PSYNC.
import { ZkCheckpointStore } from '../checkpoint/zookeeper.js';
import type { LeaderTerm } from '../cluster/election.js';
import { ClusterMember } from '../cluster/member.js';
import type { Config } from '../config/load.js';
import { describeError } from '../errors.js';
import type { Replicator } from '../pipeline/replicator.js';
import type { Logger } from '../util/logger.js';
import { clusterTransactionalId } from '../sinks/kafka/options.js';
import { buildReplicator } from './build.js';
import { clusterSettingsFromConfig } from './cluster-settings.js';
import { logReplicator, type ServiceRun } from './service-run.js';

export class ClusterRun implements ServiceRun {
  private readonly member: ClusterMember;
  private current: { term: LeaderTerm; replicator: Replicator } | null = null;
  /** Term transitions run one after the other. */
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;
  private finish!: (code: number) => void;
  private readonly finished = new Promise<number>((resolve) => (this.finish = resolve));

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    const settings = clusterSettingsFromConfig(config);
    this.member = new ClusterMember(settings, { logger: log });
    this.log.info('cluster mode', { zookeeper: settings.address, source: settings.sourceId, instance: settings.instanceId });
    this.member.on('leader', (term) => this.enqueue(() => this.lead(term)));
    this.member.on('term-ended', (term, reason) => {
      // The guard is already false: nothing more is published or ACKed. Clean up in order.
      this.log.warn('leadership lost: stopped publishing and ACKing', { epoch: term.epoch, reason });
      this.enqueue(() => this.endTerm(term));
    });
    this.member.on('follower', (info) => {
      this.log.info('standing by', {
        leader: info.leader ? `${info.leader.instanceId} (${info.leader.host} pid ${info.leader.pid})` : 'unknown',
        position: info.position,
      });
    });
  }

  run(): Promise<number> {
    this.member.start();
    return this.finished;
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.enqueue(async () => {
      const cur = this.current;
      this.current = null;
      // Still the leader: publish what was read and save the checkpoint, then resign so a standby
      // takes over at once instead of after the session timeout.
      if (cur) await cur.replicator.close().catch((err: Error) => this.log.warn(`close: ${describeError(err)}`));
      await this.member.stop();
      this.log.info('stopped');
      this.finish(0);
    });
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((err: unknown) => this.fatal(err));
  }

  private async lead(term: LeaderTerm): Promise<void> {
    if (this.stopping || term.guard.ended) return;
    this.log.info('leadership acquired: replicating', { epoch: term.epoch, instance: term.instanceId });
    const checkpoint = new ZkCheckpointStore(this.member.checkpointAccess(term));
    // Kafka: all instances share one transactional id, so this term's producer fences the previous
    // leader's at the broker (kafka.transactional.id, when set, wins).
    const replicator = buildReplicator(
      this.config,
      this.log.child({ epoch: term.epoch }),
      { checkpoint, epoch: term.epoch, guard: term.guard },
      { kafka: { transactionalId: clusterTransactionalId(term.sourceId) } },
    );
    logReplicator(replicator, this.log);
    this.current = { term, replicator };
    replicator.done.catch((err: unknown) => {
      // A fatal error of the term that is still ours (bad password, unparseable data): stop the instance.
      if (this.current?.replicator === replicator && !term.guard.ended) this.fatal(err);
    });
    await replicator.open();
  }

  private async endTerm(term: LeaderTerm): Promise<void> {
    const cur = this.current;
    if (!cur || cur.term !== term) return;
    this.current = null;
    await cur.replicator.abort();
  }

  private fatal(err: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    this.log.error(`stopped: ${describeError(err)}`);
    const cur = this.current;
    this.current = null;
    void (async () => {
      if (cur) await cur.replicator.abort();
      await this.member.stop();
      this.finish(1);
    })();
  }
}
