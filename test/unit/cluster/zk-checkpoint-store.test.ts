// ZkCheckpointStore against an in-process fake of its ZkCheckpointAccess (the real ZooKeeper is in
// test/integration/cluster/checkpoint.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZkCheckpointStore, type GuardedSetResult, type ZkCheckpointAccess } from '../../../src/checkpoint/zookeeper.js';
import { ReplicatorError } from '../../../src/errors.js';

const PATH = '/r/src/checkpoint';
const NODE = '/r/src/election/n_0000000001';
const REPLID = 'ab'.repeat(20);

interface FakeNode {
  data: Buffer;
  version: number;
}

class FakeAccess implements ZkCheckpointAccess {
  readonly checkpointPath = PATH;
  readonly electionNode = NODE;
  readonly nodes = new Map<string, FakeNode>();
  readonly calls: string[] = [];
  leader = true;
  /** Runs just before the next guardedSet reaches the fake server (simulates a concurrent writer). */
  beforeGuardedSet: (() => void) | undefined;

  constructor(readonly epoch: number) {
    this.nodes.set(NODE, { data: Buffer.alloc(0), version: 0 });
  }

  isLeader(): boolean {
    return this.leader;
  }

  refuse(code: 'CLUSTER_NOT_LEADER' | 'CLUSTER_FENCED', message: string): Error {
    return new ReplicatorError(code, message);
  }

  async read(path: string): Promise<{ data: Buffer; version: number } | null> {
    this.calls.push(`read`);
    const n = this.nodes.get(path);
    return n === undefined ? null : { data: n.data, version: n.version };
  }

  async createIfAbsent(path: string): Promise<void> {
    this.calls.push('create');
    if (!this.nodes.has(path)) this.nodes.set(path, { data: Buffer.alloc(0), version: 0 });
  }

  async setIfVersion(path: string, data: Buffer, version: number): Promise<number | null> {
    this.calls.push(`set@${version}`);
    const n = this.nodes.get(path);
    if (n === undefined || (version !== -1 && n.version !== version)) return null;
    n.data = data;
    n.version++;
    return n.version;
  }

  async guardedSet(guardPath: string, path: string, data: Buffer, version: number): Promise<GuardedSetResult> {
    this.calls.push(`tx@${version}`);
    // what the real transaction must never see: version 0 would mean "any version" (client bug #67)
    assert.ok(version >= 1, `transaction with version ${version}`);
    this.beforeGuardedSet?.();
    this.beforeGuardedSet = undefined;
    if (!this.nodes.has(guardPath)) return { ok: false, reason: 'guard-gone' };
    const n = this.nodes.get(path);
    if (n === undefined) return { ok: false, reason: 'no-node' };
    if (n.version !== version) return { ok: false, reason: 'stale-version' };
    n.data = data;
    n.version++;
    return { ok: true, version: n.version };
  }

  stored(): unknown {
    const n = this.nodes.get(PATH);
    return n === undefined || n.data.length === 0 ? null : JSON.parse(n.data.toString());
  }
}

function codeOf(code: string): (err: unknown) => boolean {
  return (err) => err instanceof ReplicatorError && err.code === code;
}

test('zk checkpoint store (fake access): absent or empty node loads as null; the first save creates it and bumps version 0 with a plain setData before any transaction', async () => {
  const zk = new FakeAccess(3);
  const store = new ZkCheckpointStore(zk);
  assert.equal(await store.load(), null);
  await store.save({ replid: REPLID, offset: 100, db: 2 });
  assert.deepEqual(zk.calls, ['read', 'read', 'create', 'read', 'set@0', 'tx@1']);
  assert.deepEqual(zk.stored(), { replid: REPLID, offset: 100, db: 2, epoch: 3 });
  assert.equal(zk.nodes.get(PATH)?.version, 2);
  await store.save({ replid: REPLID, offset: 200, db: 0, epoch: 3 });
  assert.deepEqual(zk.calls.slice(6), ['tx@2'], 'a known version is written against without reading again');
  assert.deepEqual(await store.load(), { replid: REPLID, offset: 200, db: 0, epoch: 3 });
  await store.close();
});

test('zk checkpoint store (fake access): a save while not leader is refused before any ZooKeeper call', async () => {
  const zk = new FakeAccess(3);
  zk.leader = false;
  await assert.rejects(new ZkCheckpointStore(zk).save({ replid: REPLID, offset: 1, db: 0 }), codeOf('CLUSTER_NOT_LEADER'));
  assert.deepEqual(zk.calls, []);
});

test('zk checkpoint store (fake access): our election node gone = CLUSTER_NOT_LEADER, nothing written', async () => {
  const zk = new FakeAccess(3);
  zk.nodes.delete(NODE);
  await assert.rejects(new ZkCheckpointStore(zk).save({ replid: REPLID, offset: 1, db: 0 }), codeOf('CLUSTER_NOT_LEADER'));
  assert.equal(zk.stored(), null);
});

test('zk checkpoint store (fake access): a stored checkpoint of a newer epoch fences the save (on load, and when met on a version conflict)', async () => {
  const zk = new FakeAccess(3);
  zk.nodes.set(PATH, { data: Buffer.from(JSON.stringify({ replid: REPLID, offset: 500, db: 0, epoch: 4 })), version: 5 });
  const store = new ZkCheckpointStore(zk);
  assert.deepEqual(await store.load(), { replid: REPLID, offset: 500, db: 0, epoch: 4 });
  await assert.rejects(store.save({ replid: REPLID, offset: 600, db: 0 }), codeOf('CLUSTER_FENCED'));
  assert.equal(zk.nodes.get(PATH)?.version, 5, 'nothing written');

  // our own earlier write is known; a newer leader writes in between: the conflict reveals its epoch
  const zk2 = new FakeAccess(3);
  const store2 = new ZkCheckpointStore(zk2);
  await store2.save({ replid: REPLID, offset: 10, db: 0 });
  zk2.beforeGuardedSet = () => {
    const n = zk2.nodes.get(PATH)!;
    n.data = Buffer.from(JSON.stringify({ replid: REPLID, offset: 20, db: 0, epoch: 9 }));
    n.version++;
  };
  await assert.rejects(store2.save({ replid: REPLID, offset: 30, db: 0 }), codeOf('CLUSTER_FENCED'));
  assert.deepEqual(zk2.stored(), { replid: REPLID, offset: 20, db: 0, epoch: 9 });
});

test('zk checkpoint store (fake access): a version conflict with our own epoch (an answer we missed) is read again and written', async () => {
  const zk = new FakeAccess(3);
  const store = new ZkCheckpointStore(zk);
  await store.save({ replid: REPLID, offset: 10, db: 0 });
  zk.beforeGuardedSet = () => {
    const n = zk.nodes.get(PATH)!;
    n.data = Buffer.from(JSON.stringify({ replid: REPLID, offset: 15, db: 0, epoch: 3 }));
    n.version++;
  };
  await store.save({ replid: REPLID, offset: 20, db: 0 });
  assert.deepEqual(zk.stored(), { replid: REPLID, offset: 20, db: 0, epoch: 3 });
  assert.deepEqual(zk.calls.slice(-3), ['tx@2', 'read', 'tx@3']);
});

test('zk checkpoint store (fake access): a checkpoint stamped with another epoch is refused', async () => {
  const zk = new FakeAccess(3);
  await assert.rejects(new ZkCheckpointStore(zk).save({ replid: REPLID, offset: 1, db: 0, epoch: 2 }), codeOf('CLUSTER_FENCED'));
  assert.deepEqual(zk.calls, []);
});

test('zk checkpoint store (fake access): a corrupt znode is CKPT_CORRUPT naming the znode and the fix', async () => {
  const zk = new FakeAccess(3);
  zk.nodes.set(PATH, { data: Buffer.from('{"replid":"zz","offset":1,"db":0}'), version: 1 });
  await assert.rejects(new ZkCheckpointStore(zk).load(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CKPT_CORRUPT');
    assert.match(err.message, /\/r\/src\/checkpoint.*delete it/);
    return true;
  });
});

test('zk checkpoint store (fake access): saves land in call order', async () => {
  const zk = new FakeAccess(3);
  const store = new ZkCheckpointStore(zk);
  await Promise.all([1, 2, 3, 4, 5].map((i) => store.save({ replid: REPLID, offset: i, db: 0 })));
  assert.deepEqual(zk.stored(), { replid: REPLID, offset: 5, db: 0, epoch: 3 });
  assert.equal(zk.nodes.get(PATH)?.version, 6);
});
