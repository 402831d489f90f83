// The cluster side of ZkCheckpointStore: the narrow interface it declares, served by the session and the
// term of the current leader.
import type { GuardedSetResult, ZkCheckpointAccess } from '../checkpoint/zookeeper.js';
import type { LeaderTerm } from './election.js';
import { ClusterError } from './errors.js';
import { isZkError, type ZkSession } from './zk-session.js';

export function zkCheckpointAccess(session: ZkSession, term: LeaderTerm, checkpointPath: string): ZkCheckpointAccess {
  return {
    checkpointPath,
    electionNode: term.electionNode,
    epoch: term.epoch,
    isLeader: () => term.guard.isLeader(),
    refuse: (code, message) => new ClusterError(code, message),
    async read(path) {
      const node = await session.getData(path);
      return node === null ? null : { data: node.data, version: node.stat.version };
    },
    async createIfAbsent(path) {
      try {
        await session.create(path, Buffer.alloc(0), 'persistent');
      } catch (err) {
        if (!isZkError(err, 'NODE_EXISTS')) throw err;
      }
    },
    async setIfVersion(path, data, version) {
      try {
        return (await session.setData(path, data, version)).version;
      } catch (err) {
        if (isZkError(err, 'BAD_VERSION')) return null;
        throw err;
      }
    },
    async guardedSet(guardPath, path, data, version): Promise<GuardedSetResult> {
      const result = await session.multi([
        { op: 'check', path: guardPath, version: -1 },
        { op: 'setData', path, data, version },
      ]);
      if (result.ok) {
        const stat = result.stats[1];
        if (stat === undefined) throw new ClusterError('CLUSTER_ZK_ERROR', `transaction on ${path}: ZooKeeper returned no stat for setData`);
        return { ok: true, version: stat.version };
      }
      if (result.error === 'BAD_VERSION') return { ok: false, reason: 'stale-version' };
      if (result.error === 'NO_NODE') {
        if (result.failedIndex === 1) return { ok: false, reason: 'no-node' };
        if (result.failedIndex === 0) return { ok: false, reason: 'guard-gone' };
        // which op failed is unknown: find out rather than guess
        return (await session.exists(guardPath)) === null ? { ok: false, reason: 'guard-gone' } : { ok: false, reason: 'no-node' };
      }
      throw new ClusterError(`CLUSTER_ZK_${result.error}`, `transaction on ${path}: ZooKeeper answered ${result.error}`);
    },
  };
}
