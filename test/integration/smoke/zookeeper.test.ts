// The shared ZooKeeper is real: node-zookeeper-client creates an ephemeral znode, another session
// reads it and watches it, and the znode goes away (with a NODE_DELETED event) when its session closes.
// A dedicated ZooKeeper restarts on the same port and keeps its data.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import * as zookeeper from 'node-zookeeper-client';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { startZookeeper } from '../../servers/zookeeper.js';
import { within } from './within.js';

function connectClient(connect: string): Promise<zookeeper.Client> {
  const client = zookeeper.createClient(connect, { sessionTimeout: 4000, retries: 0 });
  const connected = new Promise<zookeeper.Client>((resolvePromise) => client.once('connected', () => resolvePromise(client)));
  client.connect();
  return within(20_000, `connect to ZooKeeper ${connect}`, connected);
}

function call<T>(fn: (cb: (err: Error | zookeeper.Exception | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    fn((err, value) => (err === null ? resolvePromise(value) : reject(err instanceof Error ? err : new Error(err.toString()))));
  });
}

test('zookeeper: create, read and watch an ephemeral znode', async () => {
  const { zookeeper: zk } = testServers();
  assert.equal(zk.version, '3.8.0');
  await withLogsOnFailure([{ name: 'zookeeper', logPath: zk.logPath }], async () => {
    const owner = await connectClient(zk.connect);
    const watcher = await connectClient(zk.connect);
    try {
      const root = '/rmqr-smoke';
      await call<void>((cb) => owner.mkdirp(root, (err) => cb(err, undefined)));
      const path = `${root}/ephemeral-${randomUUID()}`;
      const created = await call<string>((cb) => owner.create(path, Buffer.from('hello zk'), zookeeper.CreateMode.EPHEMERAL, cb));
      assert.equal(created, path);

      const data = await call<Buffer>((cb) => watcher.getData(path, (err, d) => cb(err, d)));
      assert.equal(data.toString(), 'hello zk');

      let onEvent: (e: zookeeper.Event) => void = () => undefined;
      const event = new Promise<zookeeper.Event>((resolvePromise) => (onEvent = resolvePromise));
      const stat = await call<zookeeper.Stat>((cb) => watcher.exists(path, (e) => onEvent(e), cb));
      assert.ok(stat !== null, 'the znode exists');
      assert.deepEqual(stat.ephemeralOwner, owner.getSessionId(), 'owned by the creating session');

      owner.close(); // a clean close ends the session: its ephemerals go at once
      const fired = await within(10_000, 'NODE_DELETED watch', event);
      assert.equal(fired.getType(), zookeeper.Event.NODE_DELETED);
      assert.equal(fired.getPath(), path);
      const after = await call<zookeeper.Stat | null>((cb) => watcher.exists(path, cb));
      assert.equal(after, null);
    } finally {
      owner.close();
      watcher.close();
    }
  });
});

test('zookeeper: a dedicated server restarts on the same port with its data', async () => {
  testServers(); // run only under the runner, like every integration test
  const server = await startZookeeper();
  try {
    await withLogsOnFailure([server], async () => {
      const client = await connectClient(server.connect);
      await call<string>((cb) => client.create('/kept', Buffer.from('across restarts'), cb));
      client.close();
      const port = server.port;
      await server.restart();
      assert.equal(server.port, port);
      const again = await connectClient(server.connect);
      try {
        const data = await call<Buffer>((cb) => again.getData('/kept', (err, d) => cb(err, d)));
        assert.equal(data.toString(), 'across restarts');
      } finally {
        again.close();
      }
    });
  } finally {
    await server.dispose();
  }
  assert.equal(server.process.running, false);
});
