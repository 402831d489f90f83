// ClusterMember against a real ZooKeeper: it recovers from a lost session with a new one, and across
// ZooKeeper restarts there is never more than one instance whose guard says "leader".
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ZkCheckpointStore } from '../../../src/checkpoint/zookeeper.js';
import type { LeaderTerm } from '../../../src/cluster/election.js';
import { ClusterMember } from '../../../src/cluster/member.js';
import type { ClusterSettings } from '../../../src/cluster/settings.js';
import { ZkSession } from '../../../src/cluster/zk-session.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { startZookeeper, type ZookeeperServer } from '../../servers/zookeeper.js';
import { killSession, nextEvent, removeTrees, uniqueRoot, waitFor } from './zk-kit.js';

const REPLID = 'fedcba9876543210fedcba9876543210fedcba98';

function settings(address: string, root: string, instanceId: string, sessionTimeoutMs: number): ClusterSettings {
  return { address, root, sessionTimeoutMs, sourceId: 'src', instanceId };
}

/** Samples every 10 ms how many members' guards say leader; the maximum seen must stay 1. */
function watchSingleLeader(members: ClusterMember[]): { stop: () => number } {
  let max = 0;
  const timer = setInterval(() => {
    const leading = members.filter((m) => m.isLeader()).length;
    if (leading > max) max = leading;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return max;
    },
  };
}

/** Starts a, waits until it leads, then starts b (so which one leads does not depend on a race) and waits until b stands by. */
async function aLeadsThenBStandsBy(members: ClusterMember[]): Promise<LeaderTerm> {
  const [a, b] = members as [ClusterMember, ClusterMember];
  const aLeads = nextEvent<[LeaderTerm]>(a, 'leader', 15_000);
  a.start();
  const [term] = await aLeads;
  b.start();
  await waitFor('b standing by', 10_000, () => (b.term === undefined ? true : undefined));
  return term;
}

function leaderOf(members: ClusterMember[]): ClusterMember | undefined {
  return members.find((m) => m.isLeader());
}

async function saveAsLeader(member: ClusterMember, offset: number): Promise<LeaderTerm> {
  const term = member.term;
  assert.ok(term !== undefined);
  await new ZkCheckpointStore(member.checkpointAccess(term)).save({ replid: REPLID, offset, db: 0 });
  return term;
}

test('member: a leader whose session is killed ends its term, rejoins with a new session as standby, and the other member leads with a higher epoch', async () => {
  const zk = testServers().zookeeper;
  const root = uniqueRoot('member-kill');
  const a = new ClusterMember(settings(zk.connect, root, 'a', 4000));
  const b = new ClusterMember(settings(zk.connect, root, 'b', 4000));
  try {
    await withLogsOnFailure([{ name: 'zookeeper', logPath: zk.logPath }], async () => {
      const aLeads = nextEvent<[LeaderTerm]>(a, 'leader', 10_000);
      a.start();
      const [aTerm] = await aLeads;
      const bFollows = nextEvent(b, 'follower', 10_000);
      b.start();
      await bFollows;
      const single = watchSingleLeader([a, b]);
      const ended = nextEvent<[LeaderTerm, string]>(a, 'term-ended', 12_000);
      const bLeads = nextEvent<[LeaderTerm]>(b, 'leader', 12_000);
      const aFollowsAgain = nextEvent(a, 'follower', 15_000);
      const victim = a.session;
      assert.ok(victim !== undefined && victim.sessionId === aTerm.sessionId);
      await killSession(zk.connect, victim);
      const [endedTerm] = await ended;
      assert.equal(endedTerm.epoch, aTerm.epoch);
      const [bTerm] = await bLeads;
      assert.ok(bTerm.epoch > aTerm.epoch);
      await aFollowsAgain;
      assert.equal(single.stop(), 1, 'never two leaders at once');
      assert.notEqual(a.session?.sessionId, aTerm.sessionId, 'a new session');
      assert.equal(a.isLeader(), false);
      await saveAsLeader(b, 100);
    });
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await removeTrees(zk.connect, [root]);
  }
});

test('member: ZooKeeper restarted quickly — the leader keeps its term or hands over cleanly; the checkpoint survives and the leader can write (dedicated ZooKeeper)', async () => {
  testServers();
  const server = await startZookeeper({ name: 'zookeeper-restart' });
  const root = uniqueRoot('member-restart');
  const members = ['a', 'b'].map((id) => new ClusterMember(settings(server.connect, root, id, 10_000)));
  try {
    await withLogsOnFailure([server], async () => {
      const [a] = members as [ClusterMember, ClusterMember];
      const before = await aLeadsThenBStandsBy(members);
      await saveAsLeader(a, 500);
      const single = watchSingleLeader(members);
      await server.restart();
      const leader = await waitFor('a leader after the restart', 25_000, () => leaderOf(members));
      const after = await saveAsLeader(leader, 600);
      assert.equal(single.stop(), 1, 'never two leaders at once');
      if (after.epoch === before.epoch) {
        assert.equal(leader, a, 'same epoch = same term = same instance');
        assert.equal(before.guard.ended, false);
      } else {
        assert.ok(after.epoch > before.epoch);
        assert.equal(before.guard.ended, true, 'a handover ends the old term');
      }
      process.stderr.write(`# restart outcome: ${after.epoch === before.epoch ? 'leadership kept' : 'handed over'}\n`);
      const reader = await ZkSession.connect({ address: server.connect, sessionTimeoutMs: 4000 });
      try {
        const node = await reader.getData(`${root}/src/checkpoint`);
        assert.deepEqual(JSON.parse(node!.data.toString()), { replid: REPLID, offset: 600, db: 0, epoch: after.epoch });
      } finally {
        await reader.close();
      }
    });
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    await server.dispose();
  }
});

test('member: ZooKeeper down for longer than 2/3 of the session timeout — the old term ends; a new leader takes a higher epoch within a session timeout after ZooKeeper is back (dedicated ZooKeeper)', async () => {
  testServers();
  const server: ZookeeperServer = await startZookeeper({ name: 'zookeeper-outage' });
  const root = uniqueRoot('member-outage');
  // the restarted server restores the old sessions with a fresh timeout: if their candidacies were not
  // removed by their owners, no one could lead before they expire, a full session timeout after the start
  const sessionMs = 6000;
  const members = ['a', 'b'].map((id) => new ClusterMember(settings(server.connect, root, id, sessionMs), { maxRetryDelayMs: 500 }));
  try {
    await withLogsOnFailure([server], async () => {
      const before = await aLeadsThenBStandsBy(members);
      const single = watchSingleLeader(members);
      await server.stop();
      await waitFor('old term ended while ZooKeeper is down', sessionMs, () => (before.guard.ended ? true : undefined));
      await new Promise((r) => setTimeout(r, 1000));
      const backAt = Date.now();
      await server.start();
      const leader = await waitFor('a leader after the outage', 4 * sessionMs, () => leaderOf(members));
      const took = Date.now() - backAt;
      const after = await saveAsLeader(leader, 700);
      assert.ok(after.epoch > before.epoch);
      assert.equal(single.stop(), 1, 'never two leaders at once');
      assert.ok(took < sessionMs, `a leader only ${took} ms after ZooKeeper was back`);
    });
  } finally {
    await Promise.all(members.map((m) => m.stop()));
    await server.dispose();
  }
});
