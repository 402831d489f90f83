// ZkCheckpointStore against a real ZooKeeper: only the current leader writes, through a transaction
// that checks its election node; stale epochs and stale versions are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZkCheckpointStore } from '../../../src/checkpoint/zookeeper.js';
import { zkCheckpointAccess } from '../../../src/cluster/checkpoint-access.js';
import type { LeaderTerm } from '../../../src/cluster/election.js';
import { LeaderGuard } from '../../../src/cluster/leader-guard.js';
import { clusterPaths } from '../../../src/cluster/settings.js';
import { killSession, nextEvent, onSharedZk, startCandidate } from './zk-kit.js';

const SESSION_MS = 4000;
const REPLID = '0123456789abcdef0123456789abcdef01234567';

function hasCode(code: string): (err: unknown) => boolean {
  return (err) => {
    assert.equal((err as { code?: string }).code, code, (err as Error).message);
    return true;
  };
}

test('zk checkpoint: the leader saves {replid, offset, db, epoch} and a new leader loads it; the first save never used version 0 in a transaction', async () => {
  await onSharedZk('ckpt', SESSION_MS, async (sessions, root) => {
    const paths = clusterPaths(root, 'src');
    const a = await startCandidate(sessions, root, 'a');
    const b = await startCandidate(sessions, root, 'b');
    const aTerm = a.election.term!;
    const store = new ZkCheckpointStore(zkCheckpointAccess(a.session, aTerm, paths.checkpoint));
    assert.equal(await store.load(), null);
    await store.save({ replid: REPLID, offset: 1000, db: 3 });
    let node = await a.session.getData(paths.checkpoint);
    assert.deepEqual(JSON.parse(node!.data.toString()), { replid: REPLID, offset: 1000, db: 3, epoch: aTerm.epoch });
    assert.equal(node!.stat.version, 2, 'created (0), moved to 1 by a plain setData, then the transaction (2)');
    await store.save({ replid: REPLID, offset: 2000, db: 4 });
    node = await a.session.getData(paths.checkpoint);
    assert.equal(node!.stat.version, 3);

    const takeover = nextEvent<[LeaderTerm]>(b.election, 'leader', SESSION_MS);
    await a.session.close();
    const [bTerm] = await takeover;
    const bStore = new ZkCheckpointStore(zkCheckpointAccess(b.session, bTerm, paths.checkpoint));
    assert.deepEqual(await bStore.load(), { replid: REPLID, offset: 2000, db: 4, epoch: aTerm.epoch });
    await bStore.save({ replid: REPLID, offset: 3000, db: 4 });
    assert.deepEqual(await bStore.load(), { replid: REPLID, offset: 3000, db: 4, epoch: bTerm.epoch });
  });
});

test('zk checkpoint: a leader whose session was killed cannot save any more (CLUSTER_NOT_LEADER); the stored checkpoint stays', async () => {
  await onSharedZk('ckpt-lost', SESSION_MS, async (sessions, root) => {
    const paths = clusterPaths(root, 'src');
    const a = await startCandidate(sessions, root, 'a');
    const b = await startCandidate(sessions, root, 'b');
    const store = new ZkCheckpointStore(zkCheckpointAccess(a.session, a.election.term!, paths.checkpoint));
    await store.save({ replid: REPLID, offset: 10, db: 0 });
    const takeover = nextEvent(b.election, 'leader', 3 * SESSION_MS);
    await killSession(sessions.address, a.session);
    await takeover;
    await assert.rejects(store.save({ replid: REPLID, offset: 20, db: 0 }), hasCode('CLUSTER_NOT_LEADER'));
    const node = await b.session.getData(paths.checkpoint);
    assert.equal(JSON.parse(node!.data.toString()).offset, 10);
  });
});

test('zk checkpoint: the transaction itself refuses a writer whose election node is gone, even if its guard still says leader', async () => {
  await onSharedZk('ckpt-guard', SESSION_MS, async (sessions, root) => {
    const paths = clusterPaths(root, 'src');
    const a = await startCandidate(sessions, root, 'a');
    const store = new ZkCheckpointStore(zkCheckpointAccess(a.session, a.election.term!, paths.checkpoint));
    await store.save({ replid: REPLID, offset: 10, db: 0 });
    // a zombie's view: its guard has not noticed anything, but its candidacy no longer exists
    const zombie: LeaderTerm = {
      ...a.election.term!,
      electionNode: `${paths.election}/n_0000009999`,
      guard: new LeaderGuard(a.election.term!.epoch, a.session),
    };
    const zombieStore = new ZkCheckpointStore(zkCheckpointAccess(a.session, zombie, paths.checkpoint));
    assert.equal(zombie.guard.isLeader(), true);
    await assert.rejects(zombieStore.save({ replid: REPLID, offset: 99, db: 0 }), hasCode('CLUSTER_NOT_LEADER'));
    const node = await a.session.getData(paths.checkpoint);
    assert.equal(JSON.parse(node!.data.toString()).offset, 10);
  });
});

test('zk checkpoint: a checkpoint of a newer epoch fences the leader of an older one (CLUSTER_FENCED)', async () => {
  await onSharedZk('ckpt-fenced', SESSION_MS, async (sessions, root) => {
    const paths = clusterPaths(root, 'src');
    const a = await startCandidate(sessions, root, 'a');
    const term = a.election.term!;
    const store = new ZkCheckpointStore(zkCheckpointAccess(a.session, term, paths.checkpoint));
    await store.save({ replid: REPLID, offset: 10, db: 0 });
    const newer = JSON.stringify({ replid: REPLID, offset: 50, db: 0, epoch: term.epoch + 1 });
    await a.session.setData(paths.checkpoint, Buffer.from(newer), -1);
    await assert.rejects(store.save({ replid: REPLID, offset: 20, db: 0 }), hasCode('CLUSTER_FENCED'));
    // a store created afterwards (loading first) is refused as well
    const fresh = new ZkCheckpointStore(zkCheckpointAccess(a.session, term, paths.checkpoint));
    assert.equal((await fresh.load())?.epoch, term.epoch + 1);
    await assert.rejects(fresh.save({ replid: REPLID, offset: 30, db: 0 }), hasCode('CLUSTER_FENCED'));
    const node = await a.session.getData(paths.checkpoint);
    assert.equal(node!.data.toString(), newer);
  });
});

test('zk checkpoint: a stale compare-and-set is refused by ZooKeeper and version 0 never reaches a transaction (client bug #67)', async () => {
  await onSharedZk('ckpt-cas', SESSION_MS, async (sessions, root) => {
    const paths = clusterPaths(root, 'src');
    const a = await startCandidate(sessions, root, 'a');
    const access = zkCheckpointAccess(a.session, a.election.term!, paths.checkpoint);
    await new ZkCheckpointStore(access).save({ replid: REPLID, offset: 10, db: 0 });
    const current = (await access.read(paths.checkpoint))!.version;
    assert.equal(current, 2);
    const stale = await access.guardedSet(access.electionNode, paths.checkpoint, Buffer.from('{}'), current - 1);
    assert.deepEqual(stale, { ok: false, reason: 'stale-version' });
    // with version 0 the client would send "any version": the session refuses to build such a transaction
    await assert.rejects(
      a.session.multi([
        { op: 'check', path: access.electionNode, version: -1 },
        { op: 'setData', path: paths.checkpoint, data: Buffer.from('{}'), version: 0 },
      ]),
      hasCode('CLUSTER_BAD_ARGUMENT'),
    );
    const node = await a.session.getData(paths.checkpoint);
    assert.equal(JSON.parse(node!.data.toString()).offset, 10, 'neither attempt wrote');
    assert.equal(node!.stat.version, current);
  });
});
