// Leadership epochs: a small integer (1, 2, 3 ...) kept in /<root>/<sourceId>/epoch that each new leader
// increments once, so it strictly increases across terms and every message and checkpoint can carry the
// term that produced it (consumers drop older epochs once they have seen a newer one).
// The increment is one transaction: check(our election node exists) + setData(epoch, n + 1, version read):
// it commits only while we still hold our candidacy and nobody moved the epoch since we read it.
// node-zookeeper-client turns version 0 into "any version" inside transactions (bug #67), so the node is
// moved to version 1 with a plain setData right after its creation, before it is ever used as a guard.
import { ClusterError } from './errors.js';
import { isZkError, type ZkSession } from './zk-session.js';

type EpochOps = Pick<ZkSession, 'getData' | 'create' | 'setData' | 'multi'>;

const MAX_ATTEMPTS = 10;

/** The epoch in the node's data; an empty node (just created) counts as 0. */
export function parseEpoch(data: Buffer, path: string): number {
  const text = data.toString('utf8').trim();
  if (text === '') return 0;
  if (!/^\d{1,15}$/.test(text)) {
    throw new ClusterError('CLUSTER_CORRUPT', `${path} holds ${JSON.stringify(text.slice(0, 40))}, not an epoch number; fix or delete that znode`);
  }
  return Number(text);
}

/** Current epoch, or null when no leader ever took one. */
export async function readEpoch(zk: Pick<ZkSession, 'getData'>, epochPath: string): Promise<number | null> {
  const node = await zk.getData(epochPath);
  return node === null ? null : parseEpoch(node.data, epochPath);
}

/**
 * Takes the next epoch for a leader whose candidacy is `electionNode`. Throws CLUSTER_NOT_LEADER when
 * that node is gone (our session ended: someone else may lead), ClusterErrors of the session otherwise.
 */
export async function acquireEpoch(zk: EpochOps, epochPath: string, electionNode: string): Promise<number> {
  await ensureGuardable(zk, epochPath);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const node = await zk.getData(epochPath);
    if (node === null) {
      await ensureGuardable(zk, epochPath);
      continue;
    }
    const next = parseEpoch(node.data, epochPath) + 1;
    const result = await zk.multi([
      { op: 'check', path: electionNode, version: -1 },
      { op: 'setData', path: epochPath, data: Buffer.from(String(next)), version: node.stat.version },
    ]);
    if (result.ok) return next;
    if (result.error === 'NO_NODE' && result.failedIndex !== 1) {
      throw new ClusterError('CLUSTER_NOT_LEADER', `cannot take a new epoch: our election node ${electionNode} is gone (session ended)`);
    }
    if (result.error !== 'BAD_VERSION' && result.error !== 'NO_NODE') {
      throw new ClusterError(`CLUSTER_ZK_${result.error}`, `taking a new epoch in ${epochPath}: ZooKeeper answered ${result.error}`);
    }
    // BAD_VERSION: someone moved the epoch between our read and our write; read again
  }
  throw new ClusterError('CLUSTER_EPOCH_CONTENDED', `${epochPath} changed under us ${MAX_ATTEMPTS} times in a row; is another cluster using the same zookeeper.root and source id?`, {
    retriable: true,
  });
}

/** Creates the epoch node if needed and moves it off version 0 (see the header). */
async function ensureGuardable(zk: EpochOps, epochPath: string): Promise<void> {
  try {
    await zk.create(epochPath, Buffer.from('0'), 'persistent');
  } catch (err) {
    if (!isZkError(err, 'NODE_EXISTS')) throw err;
  }
  const node = await zk.getData(epochPath);
  if (node === null || node.stat.version !== 0) return;
  try {
    await zk.setData(epochPath, node.data, 0); // plain setData: version 0 is honoured here
  } catch (err) {
    if (!isZkError(err, 'BAD_VERSION')) throw err; // someone else bumped it: fine
  }
}
