// What cluster mode needs to know, with its defaults and checks, independent of the config loader:
// the service and the `status` command map the zookeeper.* / cluster.* keys onto ClusterSettingsInput.
import { hostname } from 'node:os';
import { ClusterError } from './errors.js';

export interface ClusterSettings {
  /** ZooKeeper connection string: host:port[,host:port...][/chroot]. */
  address: string;
  /** Parent znode of every source, e.g. /redis-mq-replicator. */
  root: string;
  /** Session timeout asked of ZooKeeper (the server may negotiate it into its min/max range). */
  sessionTimeoutMs: number;
  /** One election, epoch and checkpoint per source; default the Redis host:port. */
  sourceId: string;
  /** Shown in the election node, the logs and `status`; default hostname-pid. */
  instanceId: string;
}

export interface ClusterSettingsInput {
  address: string | undefined;
  root: string;
  sessionTimeoutMs: number;
  sourceId?: string | undefined;
  instanceId?: string | undefined;
  /** The master, for the default source id. */
  redisHost: string;
  redisPort: number;
}

export const DEFAULT_ZOOKEEPER_ROOT = '/redis-mq-replicator';

export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}

export function defaultSourceId(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Applies the defaults and checks every value; errors name the configuration key and the fix. */
export function resolveClusterSettings(input: ClusterSettingsInput): ClusterSettings {
  const address = input.address?.trim() ?? '';
  if (address === '') {
    throw bad('zookeeper.address', 'is required for deploy.model = cluster; set it to host:port[,host:port]');
  }
  checkAddress(address);
  const root = input.root;
  checkPath('zookeeper.root', root);
  if (!Number.isSafeInteger(input.sessionTimeoutMs) || input.sessionTimeoutMs < 1000) {
    throw bad('zookeeper.session.timeout.ms', `= ${input.sessionTimeoutMs}: must be an integer of at least 1000`);
  }
  const sourceId = input.sourceId === undefined || input.sourceId === '' ? defaultSourceId(input.redisHost, input.redisPort) : input.sourceId;
  checkNodeName('zookeeper.source.id', sourceId);
  const instanceId = input.instanceId === undefined || input.instanceId === '' ? defaultInstanceId() : input.instanceId;
  return { address, root, sessionTimeoutMs: input.sessionTimeoutMs, sourceId, instanceId };
}

export interface ClusterPaths {
  /** /<root>/<sourceId> */
  base: string;
  /** Parent of the EPHEMERAL_SEQUENTIAL candidate nodes. */
  election: string;
  /** Data: the current epoch as a decimal integer. */
  epoch: string;
  /** Data: the checkpoint JSON {replid, offset, db, epoch}. */
  checkpoint: string;
}

export function clusterPaths(root: string, sourceId: string): ClusterPaths {
  const base = `${root === '/' ? '' : root}/${sourceId}`;
  return { base, election: `${base}/election`, epoch: `${base}/epoch`, checkpoint: `${base}/checkpoint` };
}

function checkAddress(address: string): void {
  // node-zookeeper-client accepts an optional chroot after the last host:port
  const slash = address.indexOf('/');
  const hosts = slash < 0 ? address : address.slice(0, slash);
  if (slash >= 0) checkPath('zookeeper.address (chroot)', address.slice(slash));
  for (const part of hosts.split(',')) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d{1,5})$/.exec(part.trim());
    if (m === null || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      throw bad('zookeeper.address', `= ${JSON.stringify(address)}: "${part}" is not host:port; expected host:port[,host:port...]`);
    }
  }
}

function checkPath(key: string, path: string): void {
  if (!path.startsWith('/') || (path.length > 1 && path.endsWith('/'))) {
    throw bad(key, `= ${JSON.stringify(path)}: a ZooKeeper path starts with "/" and does not end with one`);
  }
  if (path === '/') return;
  if (path === '/zookeeper' || path.startsWith('/zookeeper/')) throw bad(key, `= ${JSON.stringify(path)}: /zookeeper is reserved by ZooKeeper`);
  for (const segment of path.slice(1).split('/')) checkNodeName(key, segment);
}

/** ZooKeeper's own rules (PathUtils.validatePath): no empty, "." or ".." names, no control characters. */
function checkNodeName(key: string, name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || /[\u0000-\u001f\u007f-\u009f\ud800-\uf8ff\ufff0-\uffff]/.test(name)) {
    throw bad(key, `has the znode name ${JSON.stringify(name)}: not empty, ".", ".." or with "/" or control characters`);
  }
}

function bad(key: string, why: string): ClusterError {
  return new ClusterError('CLUSTER_BAD_SETTING', `${key} ${why}`);
}
