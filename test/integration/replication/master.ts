// Dedicated masters for the replication tests: one redis-server per test, from the binary of a test-bed
// version, with the replication settings the test needs, and an ioredis client for it.
import { Redis } from 'ioredis';
import type { RedisDescription } from '../../servers/description.js';
import { startRedis, type RedisServer } from '../../servers/redis.js';
import { parseInfo } from '../../servers/resp-call.js';

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

export async function infoSection(c: Redis, section: string): Promise<Map<string, string>> {
  return parseInfo(String(await c.call('INFO', [section])));
}

/** master_repl_offset of INFO replication. */
export async function masterOffset(c: Redis): Promise<number> {
  return Number((await infoSection(c, 'replication')).get('master_repl_offset'));
}

/** sync_full and sync_partial_ok of INFO stats. */
export async function syncStats(c: Redis): Promise<{ full: number; partialOk: number; partialErr: number }> {
  const s = await infoSection(c, 'stats');
  return { full: Number(s.get('sync_full')), partialOk: Number(s.get('sync_partial_ok')), partialErr: Number(s.get('sync_partial_err')) };
}

export function redisUri(server: RedisServer): string {
  return `redis://${server.host}:${server.port}`;
}
