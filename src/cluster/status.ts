// Who leads a source, its epoch, its checkpoint and its standbys, as ZooKeeper has them
// (for `redis-mq-replicator status`). Read-only: it joins no election.
import { parseCheckpoint, type Checkpoint } from '../checkpoint/store.js';
import { decodeCandidate, type CandidateInfo } from './candidate.js';
import { candidateOrder } from './election-order.js';
import { readEpoch } from './epoch.js';
import { isZkError, ZkSession } from './zk-session.js';
import { clusterPaths } from './settings.js';

/** instanceId, host, pid, startedAt come from the node's data (absent when it is not a CandidateInfo). */
export interface CandidateStatus extends Partial<CandidateInfo> {
  /** Election node name, e.g. n_0000000012. */
  node: string;
  sequence: number;
  /** ZooKeeper session that owns the node (16 hex digits). */
  session: string;
}

export interface ClusterStatus {
  sourceId: string;
  /** /<root>/<sourceId> */
  path: string;
  /** The lowest candidate; undefined when no instance runs. */
  leader: CandidateStatus | undefined;
  /** Epoch of the latest term; null when no leader ever took one. */
  epoch: number | null;
  /** Stored checkpoint; null when none was written; {error} when the znode is not a checkpoint. */
  checkpoint: Checkpoint | null | { error: string };
  /** Every candidate, leader first. */
  candidates: CandidateStatus[];
}

export interface StatusQuery {
  address: string;
  root: string;
  sourceId: string;
  /** Default 10000. */
  sessionTimeoutMs?: number;
  /** Default 10000. */
  connectTimeoutMs?: number;
}

/** Connects, reads, disconnects. */
export async function fetchClusterStatus(query: StatusQuery): Promise<ClusterStatus> {
  const session = await ZkSession.connect({
    address: query.address,
    sessionTimeoutMs: query.sessionTimeoutMs ?? 10_000,
    connectTimeoutMs: query.connectTimeoutMs ?? 10_000,
  });
  try {
    return await readClusterStatus(session, query.root, query.sourceId);
  } finally {
    await session.close();
  }
}

type ReadOps = Pick<ZkSession, 'getChildren' | 'getData'>;

/** Reads the status through an open session. */
export async function readClusterStatus(zk: ReadOps, root: string, sourceId: string): Promise<ClusterStatus> {
  const paths = clusterPaths(root, sourceId);
  let children: string[] = [];
  try {
    children = await zk.getChildren(paths.election);
  } catch (err) {
    if (!isZkError(err, 'NO_NODE')) throw err;
  }
  const candidates: CandidateStatus[] = [];
  for (const c of candidateOrder(children)) {
    const node = await zk.getData(`${paths.election}/${c.name}`);
    if (node === null) continue; // left between the listing and the read
    candidates.push({ ...(decodeCandidate(node.data) ?? {}), node: c.name, sequence: c.sequence, session: node.stat.ephemeralOwner });
  }
  return {
    sourceId,
    path: paths.base,
    leader: candidates[0],
    epoch: await readEpoch(zk, paths.epoch),
    checkpoint: await readCheckpoint(zk, paths.checkpoint),
    candidates,
  };
}

async function readCheckpoint(zk: ReadOps, path: string): Promise<Checkpoint | null | { error: string }> {
  const node = await zk.getData(path);
  if (node === null || node.data.length === 0) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(node.data.toString('utf8'));
  } catch {
    return { error: `${path} is not valid JSON` };
  }
  const parsed = parseCheckpoint(doc);
  return 'error' in parsed ? { error: `${path}: ${parsed.error}` } : parsed.checkpoint;
}
