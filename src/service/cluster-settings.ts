// The cluster settings of a configuration (zookeeper.*, cluster.instance.id, and redis.uri for the
// default source id), shared by the service and the status command.
import { ClusterError } from '../cluster/errors.js';
import { resolveClusterSettings, type ClusterSettings } from '../cluster/settings.js';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { parseRedisUri } from '../replication/endpoint.js';

/** The cluster settings of a configuration (zookeeper.*, cluster.instance.id, redis.uri for the source id). */
export function clusterSettingsFromConfig(config: Config): ClusterSettings {
  let host: string;
  let port: number;
  try {
    ({ host, port } = parseRedisUri(config.str('redis.uri')));
  } catch (err) {
    throw new ConfigError('CONFIG_BAD_VALUE', `redis.uri (${config.origin('redis.uri')}): ${(err as Error).message}`, { cause: err });
  }
  try {
    return resolveClusterSettings({
      address: config.optStr('zookeeper.address'),
      root: config.str('zookeeper.root'),
      sessionTimeoutMs: config.int('zookeeper.session.timeout.ms'),
      sourceId: config.optStr('zookeeper.source.id'),
      instanceId: config.optStr('cluster.instance.id'),
      redisHost: host,
      redisPort: port,
    });
  } catch (err) {
    if (err instanceof ClusterError) throw new ConfigError('CONFIG_BAD_VALUE', err.message, { cause: err });
    throw err;
  }
}
