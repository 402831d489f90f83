// The dataset the full-sync tests write into a fresh master before the replicator connects: every value
// type in small and big (> 1024 elements, > 1 MiB) forms, binary keys and values, int-encoded strings,
// LZF-compressible values, absolute and relative expiries, three databases, and the version-gated
// types (functions 7.0+, hash field TTL on Valkey 9). Deterministic (seeded) so a failure replays.
import type { Redis } from 'ioredis';
import { prng } from '../../helpers/chunkings.js';
import type { Features } from './features.js';

export const FUNCTION_LIBRARY = "#!lua name=rmqrlib\nredis.register_function('rmqr_one', function(keys, args) return 1 end)";

function randomBytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

/** 2100-01-01T00:00:00Z: an absolute expiry every version keeps exactly. */
export const YEAR_2100_MS = 4_102_444_800_000;

export async function writeDataset(c: Redis, f: Features): Promise<void> {
  const rnd = prng(4242);
  const call = (...args: (string | Buffer | number)[]): Promise<unknown> => c.call(String(args[0]), args.slice(1));

  await call('SELECT', 0);
  // strings
  await call('SET', 's:plain', 'hello');
  await call('SET', 's:int', '12345'); // int-encoded
  await call('SET', 's:int-min', '-9223372036854775808');
  await call('SET', 's:not-int', '9223372036854775808'); // one past int64: stored as a string
  await call('SET', 's:empty', '');
  await call('SET', 's:allbytes', Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
  await call('SET', Buffer.from([0, 1, 0xff, 0xfe, 0x0d, 0x0a]), 'binary key');
  await call('SET', '12345', 'int-looking key');
  await call('SET', 's:lzf', 'abcdefgh'.repeat(4000)); // 32 KB, compresses well
  await call('SET', 's:random-3mb', randomBytes(rnd, 3 * 1024 * 1024 + 17)); // > 1 MiB: key-chunk events
  await call('SET', 's:utf8', 'héllo wörld ✓ 🔑');
  // lists
  await call('RPUSH', 'l:small', 'a', 'b', '1', '-2', Buffer.from([0xff, 0x00, 0x80]), '');
  await call('RPUSH', 'l:big', ...Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? String(i) : `element-${i}-${'x'.repeat(i % 50)}`)));
  await call('RPUSH', 'l:long-elements', 'y'.repeat(5000), 'z'.repeat(70));
  // sets
  await call('SADD', 'st:intset', '1', '2', '3', '-40000', '2147483648');
  await call('SADD', 'st:small', 'red', 'green', Buffer.from([0xc3, 0x28]));
  await call('SADD', 'st:big', ...Array.from({ length: 2000 }, (_, i) => `member:${i}`));
  await call('SADD', 'st:big-ints', ...Array.from({ length: 1500 }, (_, i) => String(i * 7)));
  // sorted sets
  await call('ZADD', 'z:small', '0', 'zero', '1.5', 'one-and-half', 'inf', 'plus-inf', '-inf', 'minus-inf', '1e-10', 'tiny', '3.141592653589793', 'pi', '-2', Buffer.from([0xfe]));
  const zbig: string[] = [];
  for (let i = 0; i < 1500; i++) zbig.push(String(Math.round(rnd() * 1e6) / 1000), `zm:${i}`);
  await call('ZADD', 'z:big', ...zbig);
  // hashes
  await call('HSET', 'h:small', 'name', 'redis', 'n', '42', 'empty', '', Buffer.from([0x80]), Buffer.from([0x81]));
  const hbig: string[] = [];
  for (let i = 0; i < 1500; i++) hbig.push(`field:${i}`, i % 2 === 0 ? String(i) : `value-${i}`);
  await call('HSET', 'h:big', ...hbig);
  await call('HSET', 'h:long-value', 'f', 'v'.repeat(3000));
  // streams (5.0+): entries with differing fields, consumer groups with pending entries
  for (let i = 1; i <= 40; i++) await call('XADD', 'x:small', `${1_700_000_000_000 + i}-${i}`, 'n', String(i), ...(i % 4 === 0 ? ['extra', Buffer.from([0xfa, i])] : []));
  await call('XGROUP', 'CREATE', 'x:small', 'g1', '0');
  await call('XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'x:small', '>');
  await call('XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'x:small', '>');
  await call('XACK', 'x:small', 'g1', `${1_700_000_000_000 + 2}-2`);
  await call('XGROUP', 'CREATE', 'x:small', 'g2', '$');
  for (let start = 0; start < 1500; start += 500) {
    const m = c.multi();
    for (let i = start; i < start + 500; i++) m.call('XADD', 'x:big', '*', 'i', String(i), 'payload', `p-${i}`);
    await m.exec();
  }
  await call('XDEL', 'x:big', ...(((await c.call('XRANGE', 'x:big', '-', '+', 'COUNT', '20')) as [string, string[]][]).filter((_, i) => i % 3 === 0).map(([id]) => id)));
  // expiries
  await call('SET', 'e:abs', 'expires in 2100');
  await call('PEXPIREAT', 'e:abs', YEAR_2100_MS);
  await call('RPUSH', 'e:list', 'a', 'b');
  await call('PEXPIREAT', 'e:list', YEAR_2100_MS + 123);
  await call('SET', 'e:rel', 'relative', 'EX', '100000');
  await call('HSET', 'e:hash', 'f', 'v');
  await call('EXPIRE', 'e:hash', '200000');
  // version-gated
  if (f.functions) await call('FUNCTION', 'LOAD', FUNCTION_LIBRARY);
  if (f.hashFieldTtl) {
    await call('HSET', 'hx:ttl', 'keep', '1', 'short', '2', 'long', '3');
    await call('HPEXPIREAT', 'hx:ttl', YEAR_2100_MS, 'FIELDS', '1', 'long');
    await call('HPEXPIREAT', 'hx:ttl', YEAR_2100_MS + 5, 'FIELDS', '1', 'short');
  }

  // other databases: a same-named key with another value, and db-specific keys
  await call('SELECT', 3);
  await call('SET', 's:plain', 'db three');
  await call('RPUSH', 'l:db3', 'x', 'y');
  await call('ZADD', 'z:db3', '1', 'a');
  await call('SELECT', 15);
  await call('SET', 's:plain', 'db fifteen');
  await call('SADD', 'st:db15', 'only here');
  await call('SELECT', 0);
}
