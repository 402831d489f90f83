// Epochs against a real ZooKeeper: one per term, strictly increasing, only for a live candidacy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acquireEpoch, readEpoch } from '../../../src/cluster/epoch.js';
import { clusterPaths } from '../../../src/cluster/settings.js';
import { nextEvent, onSharedZk, startCandidate, type Candidate } from './zk-kit.js';

const SESSION_MS = 4000;

test('epoch: five successive leadership terms get epochs 1, 2, 3, 4, 5 and the epoch node is never at version 0 when used', async () => {
  await onSharedZk('epochs', SESSION_MS, async (sessions, root) => {
    const epochs: number[] = [];
    let leader: Candidate = await startCandidate(sessions, root, 'i0');
    epochs.push(leader.terms[0]!.epoch);
    for (let i = 1; i < 5; i++) {
      const next = await startCandidate(sessions, root, `i${i}`);
      const takeover = nextEvent(next.election, 'leader', SESSION_MS);
      await leader.session.close();
      await takeover;
      epochs.push(next.terms[0]!.epoch);
      leader = next;
    }
    assert.deepEqual(epochs, [1, 2, 3, 4, 5]);
    const paths = clusterPaths(root, 'src');
    const node = await leader.session.getData(paths.epoch);
    assert.equal(node?.data.toString(), '5');
    // created at version 0, moved to 1 by a plain setData, then one transaction per term
    assert.equal(node?.stat.version, 6);
  });
});

test('epoch: acquiring one for an election node that no longer exists is CLUSTER_NOT_LEADER and leaves the epoch unchanged', async () => {
  await onSharedZk('epoch-gone', SESSION_MS, async (sessions, root) => {
    const a = await startCandidate(sessions, root, 'a');
    const paths = clusterPaths(root, 'src');
    assert.equal(await readEpoch(a.session, paths.epoch), 1);
    await assert.rejects(acquireEpoch(a.session, paths.epoch, `${paths.election}/n_0000009999`), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'CLUSTER_NOT_LEADER');
      assert.match(err.message, /n_0000009999 is gone/);
      return true;
    });
    assert.equal(await readEpoch(a.session, paths.epoch), 1);
    assert.equal(await acquireEpoch(a.session, paths.epoch, a.election.node!), 2, 'a live candidacy may take the next one');
  });
});
