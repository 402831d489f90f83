// `redis-mq-replicator status`: who leads the source of a cluster deployment, its epoch, its checkpoint
// and its standbys, read from ZooKeeper.
import { fetchClusterStatus, type CandidateStatus, type ClusterStatus } from '../cluster/status.js';
import { clusterSettingsFromConfig } from '../service/cluster-settings.js';
import { configFromArgs, parseConfigArgs } from './config-args.js';
import type { Subcommand } from './main.js';

const HELP = `usage: redis-mq-replicator status [--config FILE] [--set key=value ...] [--json]

Shows the cluster state of the source in ZooKeeper (deploy.model = cluster): the leader, the epoch of its
term, the stored checkpoint and every standby. Reads zookeeper.address, zookeeper.root,
zookeeper.source.id (default: host:port of redis.uri) from the configuration.
  --config FILE      ini file (conf/replicator.conf)
  --set key=value    override any configuration key (repeatable)
  --json             print the status as one JSON document`;

export const subcommand: Subcommand = {
  summary: 'show the leader, epoch, checkpoint and standbys of a cluster deployment',
  async run(argv) {
    const v = parseConfigArgs(argv, { json: { type: 'boolean' } }, HELP);
    if (v.help) {
      process.stdout.write(HELP + '\n');
      return 0;
    }
    const config = configFromArgs(v.config, v.set ?? []);
    const settings = clusterSettingsFromConfig(config);
    const status = await fetchClusterStatus({
      address: settings.address,
      root: settings.root,
      sourceId: settings.sourceId,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      connectTimeoutMs: settings.sessionTimeoutMs,
    });
    process.stdout.write(v.json ? JSON.stringify(status) + '\n' : formatClusterStatus(status, settings.address));
    return 0;
  },
};

/** The human-readable form. */
export function formatClusterStatus(status: ClusterStatus, address: string): string {
  const lines = [`source      ${status.sourceId}  (${status.path} on ZooKeeper ${address})`];
  const leader = status.leader;
  lines.push(`leader      ${leader === undefined ? 'none (no instance of this source is running)' : describeCandidate(leader)}`);
  lines.push(`epoch       ${status.epoch ?? 'none yet'}`);
  const cp = status.checkpoint;
  if (cp === null) lines.push('checkpoint  none yet');
  else if ('error' in cp) lines.push(`checkpoint  unreadable: ${cp.error}`);
  else lines.push(`checkpoint  replid ${cp.replid} offset ${cp.offset} db ${cp.db} epoch ${cp.epoch ?? '-'}`);
  lines.push(`candidates  ${status.candidates.length}`);
  status.candidates.forEach((c, i) => {
    lines.push(`  ${c.node}  ${i === 0 ? 'leader ' : 'standby'}  ${describeCandidate(c)}`);
  });
  return lines.join('\n') + '\n';
}

function describeCandidate(c: CandidateStatus): string {
  const who = c.instanceId === undefined ? '(unknown instance)' : c.instanceId;
  const where = c.host === undefined ? '' : ` host ${c.host} pid ${c.pid ?? '?'}`;
  const since = c.startedAt === undefined ? '' : ` started ${c.startedAt}`;
  return `${who}${where}${since} node ${c.node} session ${c.session}`;
}
