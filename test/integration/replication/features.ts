// What each Redis/Valkey version of the test bed can do, so tests write (and expect) only what the
// master supports, and name the gate in the test title.
import type { RedisDescription } from '../../servers/description.js';

export interface Features {
  /** "redis 7.0.15" */
  label: string;
  /** Redis-compatible version as [major, minor] (Valkey 8+ behaves as Redis 7.2). */
  compat: [number, number];
  /** PEXPIRETIME gives exact absolute expiries (7.0+); before, expiry = TIME + PTTL (approximate). */
  pexpiretime: boolean;
  /** FUNCTION LOAD and FUNCTION events in the RDB (7.0+). */
  functions: boolean;
  /** ACL users (6.0+). */
  acl: boolean;
  /** Hash field TTL (HPEXPIREAT ... FIELDS): Valkey 9+ (Redis 7.4+, not in the test bed). */
  hashFieldTtl: boolean;
  /** 7.0+: propagated expiries are absolute (PEXPIREAT, SET ... PXAT), INCRBYFLOAT becomes SET KEEPTTL. */
  absoluteExpiryRewrite: boolean;
  /** 7.0+: SHUTDOWN/SIGTERM waits for replicas, sending REPLCONF GETACK * into the stream. */
  shutdownGetack: boolean;
}

function parseVersion(v: string): [number, number] {
  const [a, b] = v.split('.').map((x) => Number(x));
  return [a ?? 0, b ?? 0];
}

const atLeast = (v: [number, number], major: number, minor: number): boolean => v[0] > major || (v[0] === major && v[1] >= minor);

export function featuresOf(r: Pick<RedisDescription, 'flavor' | 'version'>): Features {
  const own = parseVersion(r.version);
  const compat: [number, number] = r.flavor === 'valkey' ? [7, 2] : own;
  return {
    label: `${r.flavor} ${r.version}`,
    compat,
    pexpiretime: atLeast(compat, 7, 0),
    functions: atLeast(compat, 7, 0),
    acl: atLeast(compat, 6, 0),
    hashFieldTtl: r.flavor === 'valkey' ? atLeast(own, 9, 0) : atLeast(own, 7, 4),
    absoluteExpiryRewrite: atLeast(compat, 7, 0),
    shutdownGetack: atLeast(compat, 7, 0),
  };
}

/** The gates of a version, for test titles: "functions 7.0+: yes, hash field TTL: no". */
export function gateSummary(f: Features): string {
  const yn = (b: boolean): string => (b ? 'yes' : 'no');
  return `streams 5.0+: yes, functions 7.0+: ${yn(f.functions)}, hash field TTL (Valkey 9/Redis 7.4+): ${yn(f.hashFieldTtl)}, exact expiry 7.0+: ${yn(f.pexpiretime)}`;
}
