import { ReplicatorError, type ReplicatorErrorOptions } from '../errors.js';

/**
 * Codes: CLUSTER_CONNECT_FAILED, CLUSTER_SESSION_LOST, CLUSTER_OP_TIMEOUT (these three retriable: make a
 * new session), CLUSTER_ZK_<ZooKeeper error name> (CLUSTER_ZK_NO_NODE, CLUSTER_ZK_NODE_EXISTS,
 * CLUSTER_ZK_BAD_VERSION ...), CLUSTER_NOT_LEADER and CLUSTER_FENCED (stop publishing for this term),
 * CLUSTER_EPOCH_CONTENDED, CLUSTER_BAD_SETTING, CLUSTER_BAD_ARGUMENT, CLUSTER_BAD_STATE, CLUSTER_CORRUPT.
 */
export class ClusterError extends ReplicatorError {
  constructor(code: `CLUSTER_${string}`, message: string, options: ReplicatorErrorOptions = {}) {
    super(code, message, options);
  }
}
