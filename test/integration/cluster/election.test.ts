// Leader election against a real ZooKeeper: ordering, predecessor-only watches, takeover when the
// leader leaves or its session is killed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LeaderTerm } from '../../../src/cluster/election.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { fourLetterWord, startZookeeper } from '../../servers/zookeeper.js';
import { Sessions, killSession, nextEvent, onSharedZk, startCandidate, uniqueRoot, waitFor, type Candidate } from './zk-kit.js';

const SESSION_MS = 4000;

function nodeName(c: Candidate): string {
  const node = c.election.node;
  assert.ok(node !== undefined);
  return node.slice(node.lastIndexOf('/') + 1);
}

test('election: of 3 candidates the first leads (epoch 1); each standby watches only its predecessor; a leaving middle one is skipped', async () => {
  await onSharedZk('order', SESSION_MS, async (sessions, root) => {
    const a = await startCandidate(sessions, root, 'a');
    const b = await startCandidate(sessions, root, 'b');
    const c = await startCandidate(sessions, root, 'c');
    assert.equal(a.election.state, 'leader');
    assert.equal(a.terms.length, 1);
    assert.equal(a.terms[0]?.epoch, 1);
    assert.equal(a.terms[0]?.electionNode, a.election.node);
    assert.equal(a.election.watching, undefined);
    assert.equal(b.election.state, 'follower');
    assert.equal(b.election.watching, nodeName(a));
    assert.equal(c.election.state, 'follower');
    assert.equal(c.election.watching, nodeName(b));
    assert.ok(nodeName(a) < nodeName(b) && nodeName(b) < nodeName(c), 'sequence suffixes grow with join order');

    await b.election.resign();
    await waitFor('c watches a once b left', 5000, () => (c.election.watching === nodeName(a) ? true : undefined));
    assert.equal(c.election.state, 'follower');
    assert.equal(a.terms.length, 1, 'the leader was not disturbed');
    assert.equal(a.election.term?.guard.isLeader(), true);
  });
});

test('election: when the leader closes its session the next candidate leads within the session timeout, with the next epoch', async () => {
  await onSharedZk('close', SESSION_MS, async (sessions, root) => {
    const a = await startCandidate(sessions, root, 'a');
    const b = await startCandidate(sessions, root, 'b');
    const c = await startCandidate(sessions, root, 'c');
    const aTerm = a.election.term;
    assert.ok(aTerm !== undefined);
    const takeover = nextEvent<[LeaderTerm]>(b.election, 'leader', SESSION_MS);
    const started = Date.now();
    await a.session.close();
    const [bTerm] = await takeover;
    const elapsed = Date.now() - started;
    assert.ok(elapsed < SESSION_MS, `takeover took ${elapsed} ms`);
    assert.equal(bTerm.epoch, aTerm.epoch + 1);
    assert.equal(aTerm.guard.isLeader(), false);
    assert.equal(c.election.state, 'follower');
    assert.equal(c.election.watching, nodeName(b));
  });
});

test('election: a leader whose session is killed from outside loses its term before the next candidate leads, within the session timeout', async () => {
  await onSharedZk('kill', SESSION_MS, async (sessions, root) => {
    const a = await startCandidate(sessions, root, 'a');
    const b = await startCandidate(sessions, root, 'b');
    const aTerm = a.election.term;
    assert.ok(aTerm !== undefined);
    let aLedWhenBTookOver: boolean | undefined;
    let tookOverAt = 0;
    b.election.once('leader', () => {
      aLedWhenBTookOver = aTerm.guard.isLeader();
      tookOverAt = Date.now();
    });
    const lost = nextEvent<[string]>(a.election, 'lost', 3 * SESSION_MS);
    const takeover = nextEvent<[LeaderTerm]>(b.election, 'leader', 3 * SESSION_MS);
    const killedAt = await killSession(sessions.address, a.session);
    const [bTerm] = await takeover;
    const elapsed = tookOverAt - killedAt;
    assert.ok(elapsed < SESSION_MS, `takeover took ${elapsed} ms`);
    assert.equal(aLedWhenBTookOver, false, 'never two leaders at once');
    assert.equal(bTerm.epoch, aTerm.epoch + 1);
    const [reason] = await lost;
    assert.match(reason, /session (expired|in-doubt)/);
    assert.equal(a.session.alive, false);
    assert.equal(a.election.state, 'lost');
  });
});

test('election: herd-free — with 3 candidates the server holds exactly one watch per standby, on its predecessor (dedicated ZooKeeper)', async () => {
  testServers();
  const server = await startZookeeper({ name: 'zookeeper-watches' });
  const sessions = new Sessions(server.connect, SESSION_MS);
  try {
    await withLogsOnFailure([server], async () => {
      const root = sessions.track(uniqueRoot('watches'));
      const a = await startCandidate(sessions, root, 'a');
      const b = await startCandidate(sessions, root, 'b');
      const c = await startCandidate(sessions, root, 'c');
      const wchs = await fourLetterWord(server.port, 'wchs');
      assert.match(wchs, /2 connections watching 2 paths/, wchs);
      assert.match(wchs, /Total watches:2/, wchs);
      const takeover = nextEvent(b.election, 'leader', SESSION_MS);
      await a.session.close();
      await takeover;
      assert.equal(c.election.watching, nodeName(b), 'c kept its watch on b: the leader change did not wake it');
      const after = await fourLetterWord(server.port, 'wchs');
      assert.match(after, /Total watches:1/, after);
    });
  } finally {
    await sessions.closeAll();
    await server.dispose();
  }
});
