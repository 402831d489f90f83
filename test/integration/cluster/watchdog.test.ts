// The client-side watchdog against a real ZooKeeper: node-zookeeper-client reports nothing while the
// server is frozen, so ZkSession must find out by itself, and must not be fooled by a frozen client.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LeaderGuard } from '../../../src/cluster/leader-guard.js';
import { ZkSession } from '../../../src/cluster/zk-session.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { fourLetterWord, startZookeeper } from '../../servers/zookeeper.js';
import { waitFor } from './zk-kit.js';

const SESSION_MS = 3000; // in doubt after 2000 ms of silence

function recordEvents(session: ZkSession): string[] {
  const events: string[] = [];
  session.on('disconnected', () => events.push('disconnected'));
  session.on('reconnected', () => events.push('reconnected'));
  session.on('lost', (reason) => events.push(`lost:${reason}`));
  return events;
}

test('watchdog: a SIGSTOPped ZooKeeper puts the session in doubt within 2/3 of the session timeout, with no event from the client (dedicated ZooKeeper)', async () => {
  testServers();
  const server = await startZookeeper({ name: 'zookeeper-sigstop' });
  let stopped = false;
  try {
    await withLogsOnFailure([server], async () => {
      const session = await ZkSession.connect({ address: server.connect, sessionTimeoutMs: SESSION_MS });
      try {
        assert.equal(session.sessionTimeoutMs, SESSION_MS);
        const events = recordEvents(session);
        const guard = new LeaderGuard(1, session);
        await session.exists('/'); // fresh answer just before the freeze
        assert.equal(session.inDoubt(), false);
        await server.kill('SIGSTOP');
        stopped = true;
        const frozenAt = performance.now();
        await waitFor('session in doubt', 2 * SESSION_MS, () => (session.inDoubt() ? true : undefined));
        const after = performance.now() - frozenAt;
        assert.ok(after <= (2 * SESSION_MS) / 3 + 250, `in doubt only after ${Math.round(after)} ms`);
        assert.ok(after >= (2 * SESSION_MS) / 3 - SESSION_MS / 3 - 100, `in doubt already after ${Math.round(after)} ms`);
        assert.equal(guard.isLeader(), false);
        assert.deepEqual(events, ['lost:in-doubt'], 'the client itself said nothing (no disconnect, no expiry)');
        assert.equal(session.alive, false);
        await assert.rejects(session.exists('/'), (err: Error & { code?: string }) => err.code === 'CLUSTER_SESSION_LOST');
      } finally {
        if (stopped) await server.kill('SIGCONT');
        stopped = false;
        await session.close();
      }
    });
  } finally {
    if (stopped) await server.kill('SIGCONT');
    await server.dispose();
  }
});

test('watchdog: after this process was frozen for longer than 2/3 of the session timeout, the very first synchronous check says in doubt', async () => {
  const zk = testServers().zookeeper;
  await withLogsOnFailure([{ name: 'zookeeper', logPath: zk.logPath }], async () => {
    const session = await ZkSession.connect({ address: zk.connect, sessionTimeoutMs: SESSION_MS });
    try {
      const events = recordEvents(session);
      const guard = new LeaderGuard(1, session);
      await session.exists('/');
      assert.equal(guard.isLeader(), true);
      // a SIGSTOP of this process as the event loop sees it: nothing runs for 2.3 s; a keep-alive answer
      // may arrive meanwhile and wait in the socket
      const pending = session.exists('/').catch((err: Error & { code?: string }) => err.code);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, (2 * SESSION_MS) / 3 + 300);
      assert.equal(guard.isLeader(), false, 'stale at the first check, before any timer or socket callback ran');
      assert.equal(session.inDoubt(), true);
      await new Promise((resolvePromise) => setImmediate(resolvePromise));
      assert.equal(session.inDoubt(), true, 'the answer processed after the freeze does not revive it');
      assert.deepEqual(events, ['lost:in-doubt']);
      assert.equal(await pending, 'CLUSTER_SESSION_LOST', 'requests in flight fail with the session');
    } finally {
      await session.close();
    }
  });
});

test('watchdog: an unreachable zookeeper.address fails the connect after the timeout with a message naming it', async () => {
  testServers();
  const started = Date.now();
  await assert.rejects(ZkSession.connect({ address: '127.0.0.1:1', sessionTimeoutMs: SESSION_MS, connectTimeoutMs: 1500 }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'CLUSTER_CONNECT_FAILED');
    assert.match(err.message, /zookeeper\.address = 127\.0\.0\.1:1 within 1500 ms/);
    return true;
  });
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 1400 && elapsed < 5000, `gave up after ${elapsed} ms`);
});

test('watchdog: connect attempts given up while ZooKeeper is down stay given up when it comes back (no stray session, no crash) (dedicated ZooKeeper)', async () => {
  testServers();
  const server = await startZookeeper({ name: 'zookeeper-abandon' });
  try {
    await withLogsOnFailure([server], async () => {
      await server.stop();
      for (let i = 0; i < 3; i++) {
        await assert.rejects(
          ZkSession.connect({ address: server.connect, sessionTimeoutMs: SESSION_MS, connectTimeoutMs: 700 }),
          (err: Error & { code?: string }) => err.code === 'CLUSTER_CONNECT_FAILED',
        );
      }
      // a session that was connected, then lost in doubt while the server is away
      await server.start();
      const session = await ZkSession.connect({ address: server.connect, sessionTimeoutMs: SESSION_MS });
      await server.stop();
      await waitFor('in doubt while the server is down', 2 * SESSION_MS, () => (session.alive ? undefined : true));
      assert.equal(session.lostReason, 'in-doubt');
      await server.start();
      // the given-up clients would retry, send a connect request and crash parsing its answer (client bug)
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 2000));
      const mntr = await fourLetterWord(server.port, 'mntr');
      assert.match(mntr, /zk_num_alive_connections\s+1\b/, `only this mntr connection\n${mntr}`);
      assert.match(mntr, /zk_global_sessions\s+1\b/, `only the lost session, restored from the log until it expires\n${mntr}`);
    });
  } finally {
    await server.dispose();
  }
});
