// What the service runs (one Replicator, or a cluster member), and the log lines every Replicator gets.
import type { Replicator } from '../pipeline/replicator.js';
import type { Logger } from '../util/logger.js';

export interface ServiceRun {
  /** Resolves with the process exit code once the service has stopped. */
  run(): Promise<number>;
  /** Graceful stop (first SIGINT/SIGTERM). */
  stop(): void;
}

/** Logs the replication milestones of one Replicator. */
export function logReplicator(replicator: Replicator, log: Logger): void {
  replicator.on('sync', (info) => {
    if (info.mode === 'partial') log.info('partial resync accepted (+CONTINUE)', { replid: info.replid, offset: info.offset });
    else log.info('full sync: a snapshot was published', { replid: info.replid, offset: info.offset });
  });
  replicator.on('checkpoint', (cp) => log.debug('checkpoint saved', { replid: cp.replid, offset: cp.offset, db: cp.db }));
}

