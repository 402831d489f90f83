// Reads a live master's whole dataset back (GET, LRANGE, SMEMBERS, ZRANGE WITHSCORES, HGETALL, XRANGE,
// XINFO/XPENDING, PEXPIRETIME or PTTL, HPEXPIRETIME) and compares it with the keys rebuilt from the
// snapshot events. Both sides are normalised the same way: sets and hashes sorted by bytes, zsets by
// (score, member), stream groups and consumers by name.
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { StreamValue, ZsetEntry } from '../../../src/events/types.js';
import { keyId, type AssembledKey } from '../../helpers/snapshot-assembly.js';
import type { Features } from './features.js';

export interface LiveKey {
  db: number;
  key: Buffer;
  type: string;
  /** Absolute unix ms; approximate (TIME + PTTL) when `expireApprox`. */
  expireMs?: number;
  expireApprox: boolean;
  /** Normalised value (see normalise()). */
  value: unknown;
  fieldExpires?: [Buffer, number][];
}

type Reply = Buffer | number | null | Reply[];

const asBuf = (r: Reply): Buffer => {
  if (!Buffer.isBuffer(r)) throw new Error(`expected a bulk string, got ${JSON.stringify(r)}`);
  return r;
};
const asArr = (r: Reply): Reply[] => {
  if (!Array.isArray(r)) throw new Error(`expected an array, got ${JSON.stringify(r)}`);
  return r;
};
const str = (r: Reply): string => asBuf(r).toString('latin1');
const cmpBuf = (a: Buffer, b: Buffer): number => Buffer.compare(a, b);

/** Redis prints infinities as "inf"/"-inf"; everything else parses with Number. */
export function scoreOf(text: string): number {
  if (/^\+?inf$/i.test(text)) return Infinity;
  if (/^-inf$/i.test(text)) return -Infinity;
  return Number(text);
}

function pairs(flat: Reply[]): [Reply, Reply][] {
  const out: [Reply, Reply][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

interface NormalStream {
  entries: { id: string; fields: [Buffer, Buffer][] }[];
  length: number;
  lastId: string;
  groups: { name: Buffer; lastDeliveredId: string; pel: { id: string; consumer: Buffer | null; deliveryCount: number }[]; consumers: { name: Buffer; pel: string[] }[] }[];
}

function sortZset(z: ZsetEntry[]): ZsetEntry[] {
  return [...z].sort((a, b) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : cmpBuf(a[0], b[0])));
}

/** The comparable form of a rebuilt snapshot key's value. */
export function normalise(k: AssembledKey): unknown {
  const v = k.value;
  switch (v.valueType) {
    case 'string':
    case 'list':
      return v.value;
    case 'set':
      return [...v.value].sort(cmpBuf);
    case 'zset':
      return sortZset(v.value);
    case 'hash':
      return [...v.value].sort((a, b) => cmpBuf(a[0], b[0]));
    case 'stream':
      return normaliseStream(v.value);
    case 'module':
      return v.value;
  }
}

function normaliseStream(s: StreamValue): NormalStream {
  return {
    entries: s.entries.map((e) => ({ id: e.id, fields: e.fields })),
    length: s.meta.length,
    lastId: s.meta.lastId,
    groups: [...s.groups]
      .sort((a, b) => cmpBuf(a.name, b.name))
      .map((g) => ({
        name: g.name,
        lastDeliveredId: g.lastDeliveredId,
        pel: g.pel.map((p) => ({ id: p.id, consumer: p.consumer, deliveryCount: p.deliveryCount })),
        consumers: [...g.consumers].sort((a, b) => cmpBuf(a.name, b.name)).map((c) => ({ name: c.name, pel: [...c.pel] })),
      })),
  };
}

async function readStream(c: Redis, key: Buffer): Promise<NormalStream> {
  const call = (...args: (string | Buffer)[]): Promise<Reply> => c.callBuffer(String(args[0]), args.slice(1)) as Promise<Reply>;
  const entries = asArr(await call('XRANGE', key, '-', '+')).map((e) => {
    const [id, fields] = asArr(e);
    return { id: str(id!), fields: pairs(asArr(fields!)).map(([f, v]) => [asBuf(f), asBuf(v)] as [Buffer, Buffer]) };
  });
  const info = new Map(pairs(asArr(await call('XINFO', 'STREAM', key))).map(([k, v]) => [str(k), v]));
  const groups: NormalStream['groups'] = [];
  for (const g of asArr(await call('XINFO', 'GROUPS', key))) {
    const gi = new Map(pairs(asArr(g)).map(([k, v]) => [str(k), v]));
    const name = asBuf(gi.get('name')!);
    const pending = asArr(await call('XPENDING', key, name, '-', '+', '1000000')).map((p) => {
      const [id, consumer, , count] = asArr(p);
      return { id: str(id!), consumer: asBuf(consumer!), deliveryCount: Number(count) };
    });
    const consumers = asArr(await call('XINFO', 'CONSUMERS', key, name))
      .map((ci) => asBuf(new Map(pairs(asArr(ci)).map(([k, v]) => [str(k), v])).get('name')!))
      .sort(cmpBuf)
      .map((cname) => ({ name: cname, pel: pending.filter((p) => p.consumer.equals(cname)).map((p) => p.id) }));
    groups.push({ name, lastDeliveredId: str(gi.get('last-delivered-id')!), pel: pending, consumers });
  }
  groups.sort((a, b) => cmpBuf(a.name, b.name));
  return { entries, length: Number(info.get('length')), lastId: str(info.get('last-generated-id')!), groups };
}

/** Every key of every database (0..15) with its value, type and expiry. */
export async function readLiveDataset(c: Redis, f: Features): Promise<Map<string, LiveKey>> {
  const out = new Map<string, LiveKey>();
  const call = (...args: (string | Buffer | number)[]): Promise<Reply> => c.callBuffer(String(args[0]), args.slice(1)) as Promise<Reply>;
  for (let db = 0; db < 16; db++) {
    await call('SELECT', db);
    const keys = asArr(await call('KEYS', '*')).map(asBuf);
    for (const key of keys) {
      const type = str(await call('TYPE', key));
      let value: unknown;
      let fieldExpires: [Buffer, number][] | undefined;
      switch (type) {
        case 'string':
          value = asBuf(await call('GET', key));
          break;
        case 'list':
          value = asArr(await call('LRANGE', key, 0, -1)).map(asBuf);
          break;
        case 'set':
          value = asArr(await call('SMEMBERS', key)).map(asBuf).sort(cmpBuf);
          break;
        case 'zset':
          value = sortZset(pairs(asArr(await call('ZRANGE', key, 0, -1, 'WITHSCORES'))).map(([m, s]) => [asBuf(m), scoreOf(str(s))] as ZsetEntry));
          break;
        case 'hash': {
          const entries = pairs(asArr(await call('HGETALL', key))).map(([a, b]) => [asBuf(a), asBuf(b)] as [Buffer, Buffer]);
          value = entries.sort((a, b) => cmpBuf(a[0], b[0]));
          if (f.hashFieldTtl) {
            const fields = entries.map((e) => e[0]);
            const times = asArr(await call('HPEXPIRETIME', key, 'FIELDS', fields.length, ...fields)).map(Number);
            const withTtl = fields.map((fl, i) => [fl, times[i]!] as [Buffer, number]).filter(([, t]) => t > 0);
            if (withTtl.length > 0) fieldExpires = withTtl;
          }
          break;
        }
        case 'stream':
          value = await readStream(c, key);
          break;
        default:
          throw new Error(`db ${db} key ${key.toString('hex')}: unexpected type ${type}`);
      }
      const live: LiveKey = { db, key, type, value, expireApprox: false };
      if (fieldExpires) live.fieldExpires = fieldExpires;
      if (f.pexpiretime) {
        const at = Number(await call('PEXPIRETIME', key));
        if (at > 0) live.expireMs = at;
      } else {
        const ttl = Number(await call('PTTL', key));
        if (ttl > 0) {
          const [sec, usec] = asArr(await call('TIME')).map((x) => Number(str(x)));
          live.expireMs = sec! * 1000 + Math.floor(usec! / 1000) + ttl;
          live.expireApprox = true;
        }
      }
      out.set(keyId(db, key), live);
    }
  }
  await call('SELECT', 0);
  return out;
}

/** Asserts that the snapshot holds exactly the live keys, with equal values and expiries. */
export function assertSnapshotMatchesLive(snapshot: Map<string, AssembledKey>, live: Map<string, LiveKey>): void {
  const missing = [...live.keys()].filter((k) => !snapshot.has(k));
  const extra = [...snapshot.keys()].filter((k) => !live.has(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'the snapshot has exactly the keys of the master');
  for (const [id, l] of live) {
    const s = snapshot.get(id)!;
    const what = `db ${l.db} key ${JSON.stringify(l.key.toString('latin1').slice(0, 40))}`;
    assert.equal(s.value.valueType, l.type, `${what}: type`);
    assert.deepEqual(normalise(s), l.value, `${what}: value`);
    if (l.expireMs === undefined) assert.equal(s.expireMs, undefined, `${what}: no expiry`);
    else if (l.expireApprox) assert.ok(s.expireMs !== undefined && Math.abs(s.expireMs - l.expireMs) < 3000, `${what}: expiry ${s.expireMs} ~ ${l.expireMs}`);
    else assert.equal(s.expireMs, l.expireMs, `${what}: expiry`);
    if (s.value.valueType === 'hash') {
      const got = [...(s.value.fieldExpires ?? [])].sort((a, b) => cmpBuf(a[0], b[0]));
      const want = [...(l.fieldExpires ?? [])].sort((a, b) => cmpBuf(a[0], b[0]));
      assert.deepEqual(got, want, `${what}: hash field expiries`);
    }
  }
}
