// Where the master is and how to authenticate: parsed from redis://[user:password@]host:port[/db]
// (rediss:// = TLS). Query parameters authUser, authPassword and ssl=yes are accepted for compatibility
// with redis-replicator URIs. The password never appears in toString().
import { redactUri } from '../util/redact.js';
import { ReplicationError } from './errors.js';

export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; rejectUnauthorized: boolean; servername?: string };
}

export function parseRedisUri(uri: string): RedisEndpoint {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ReplicationError('REPL_BAD_URI', `redis.uri ${JSON.stringify(redactUri(uri))} is not a URI; expected redis://host:port`, 'connect');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ReplicationError('REPL_BAD_URI', `redis.uri must start with redis:// or rediss://, got ${url.protocol}//`, 'connect');
  }
  if (!url.hostname) throw new ReplicationError('REPL_BAD_URI', `redis.uri ${redactUri(uri)} has no host`, 'connect');
  const port = url.port === '' ? 6379 : Number(url.port);
  const q = url.searchParams;
  const endpoint: RedisEndpoint = { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  const user = q.get('authUser') ?? decodeURIComponent(url.username);
  const password = q.get('authPassword') ?? decodeURIComponent(url.password);
  if (user) endpoint.username = user;
  if (password) endpoint.password = password;
  const ssl = q.get('ssl');
  if (url.protocol === 'rediss:' || ssl === 'yes' || ssl === 'true') endpoint.tls = { rejectUnauthorized: true };
  return endpoint;
}

/** host:port for logs (never credentials). */
export function describeEndpoint(e: RedisEndpoint): string {
  return `${e.tls ? 'rediss' : 'redis'}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}
