// A dedicated Redis master for the tests that replicate into Kafka or RocketMQ, an ioredis client for
// it, and what INFO says about its replication.
import { Redis } from 'ioredis';
import { startRedis, type RedisServer } from '../servers/redis.js';
import { parseInfo } from '../servers/resp-call.js';
import { defaultRedis } from './servers.js';

/**
 * A Redis 7.0 master of our own: no PING in the stream (offsets stay the commands' own), immediate
 * fork for a full sync, a backlog that covers any restart gap, and no replica timeout while a replica
 * is stopped.
 */
export async function startMaster(name: string, args: string[] = []): Promise<RedisServer> {
  return startRedis({
    binary: defaultRedis().binary,
    name,
    args: ['--repl-diskless-sync', 'no', '--repl-ping-replica-period', '3600', '--repl-timeout', '3601', '--repl-backlog-size', '64mb', ...args],
  });
}

export function redisClient(server: RedisServer, db = 0): Redis {
  return new Redis({ host: server.host, port: server.port, db, maxRetriesPerRequest: 1, lazyConnect: false });
}

export async function infoSection(c: Redis, section: string): Promise<Map<string, string>> {
  return parseInfo(String(await c.call('INFO', [section])));
}

/** master_repl_offset of INFO replication. */
export async function masterOffset(c: Redis): Promise<number> {
  return Number((await infoSection(c, 'replication')).get('master_repl_offset'));
}

/** The master's full syncs and accepted / refused partial syncs (INFO stats). */
export async function syncStats(c: Redis): Promise<{ full: number; partialOk: number; partialErr: number }> {
  const s = await infoSection(c, 'stats');
  return { full: Number(s.get('sync_full')), partialOk: Number(s.get('sync_partial_ok')), partialErr: Number(s.get('sync_partial_err')) };
}
