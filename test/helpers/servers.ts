// Typed access, from an integration test, to the shared test servers started by test/run.ts
// (described in env RMQR_SERVERS), plus helpers for dedicated instances a test starts itself.
import type { RedisDescription, ServersDescription } from '../servers/description.js';
import { formatLogTail } from '../servers/log-tail.js';

let cached: ServersDescription | undefined;

/** The shared servers; throws when the test was not started by the runner. */
export function testServers(): ServersDescription {
  if (cached !== undefined) return cached;
  const raw = process.env['RMQR_SERVERS'];
  if (raw === undefined || raw === '') {
    throw new Error(
      'RMQR_SERVERS is not set: integration tests need the test servers; run them through npm test / ' +
        'node dist/test/run.js --integration [FILTER] (or export the JSON line printed by npm run servers:start)',
    );
  }
  cached = JSON.parse(raw) as ServersDescription;
  return cached;
}

/** The shared Redis 7.0 (Debian) instance: the default master for tests that need just one. */
export function defaultRedis(): RedisDescription {
  const redis = testServers().redis.find((r) => r.flavor === 'redis' && r.version.startsWith('7.0.'));
  if (redis === undefined) throw new Error('the test bed has no Redis 7.0 (Debian redis-server); see its "missing" list');
  return redis;
}

/**
 * The shared instance of a version, matched by flavor and version prefix ("6.0", "7", "9.1.2");
 * undefined when the test bed could not obtain it (its reason is in testServers().missing).
 */
export function findRedis(flavor: 'redis' | 'valkey', versionPrefix: string): RedisDescription | undefined {
  return testServers().redis.find(
    (r) => r.flavor === flavor && (r.version === versionPrefix || r.version.startsWith(`${versionPrefix}.`)),
  );
}

/** Anything with logs: a dedicated RedisServer/KafkaServer/... or a list of paths. */
export interface HasLog {
  name: string;
  logPath: string;
}

/** Runs fn; when it throws, prints the tail of each log to stderr, then rethrows. */
export async function withLogsOnFailure<T>(logs: HasLog[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    for (const l of logs) process.stderr.write(`${formatLogTail(l.name, l.logPath)}\n`);
    throw err;
  }
}
