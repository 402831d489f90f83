// Dedicated masters for the replication tests: one redis-server per test, from the binary of a test-bed
// version, with the replication settings the test needs, and an ioredis client for it (what INFO says
// about them: helpers/redis-master.ts).
import { Redis } from 'ioredis';
import type { RedisDescription } from '../../servers/description.js';
import { startRedis, type RedisServer } from '../../servers/redis.js';

export interface MasterOptions {
  diskless: boolean;
  /** Extra redis-server arguments (requirepass, appendonly ...). */
  args?: string[];
  name?: string;
}

/** A master that sends no PING in the stream (repl-ping-replica-period 3600), so an idle stream's last
 *  event ends exactly at master_repl_offset, and forks at once for a full sync (delay 0). */
export async function startMaster(r: RedisDescription, options: MasterOptions): Promise<RedisServer> {
  return startRedis({
    binary: r.binary,
    name: options.name ?? `${r.flavor}-${r.version}-${options.diskless ? 'diskless' : 'disk'}`,
    args: [
      '--repl-diskless-sync', options.diskless ? 'yes' : 'no',
      '--repl-diskless-sync-delay', '0',
      '--repl-ping-replica-period', '3600',
      '--repl-timeout', '3601',
      ...(options.args ?? []),
    ],
  });
}

export function clientFor(server: RedisServer, password?: string): Redis {
  return new Redis({
    host: server.host,
    port: server.port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    ...(password !== undefined ? { password } : {}),
  });
}

export function redisUri(server: RedisServer): string {
  return `redis://${server.host}:${server.port}`;
}
