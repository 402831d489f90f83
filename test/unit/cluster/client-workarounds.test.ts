// node-zookeeper-client workarounds against an in-process fake TCP server that accepts connections and
// never answers (what a ZooKeeper still starting up does).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { ZkSession } from '../../../src/cluster/zk-session.js';

test('zk session (in-process fake server that never answers): a given-up connect sends nothing more and opens no new connection', async () => {
  const connections: Socket[] = [];
  const bytes: number[] = [];
  const server = createServer((socket) => {
    const index = connections.push(socket) - 1;
    bytes[index] = 0;
    socket.on('data', (d: Buffer) => (bytes[index] = (bytes[index] ?? 0) + d.length));
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  try {
    await assert.rejects(
      ZkSession.connect({ address: `127.0.0.1:${address.port}`, sessionTimeoutMs: 4000, connectTimeoutMs: 500 }),
      (err: Error & { code?: string }) => err.code === 'CLUSTER_CONNECT_FAILED',
    );
    assert.equal(connections.length, 1);
    const sentBeforeGivingUp = bytes[0];
    assert.ok(sentBeforeGivingUp !== undefined && sentBeforeGivingUp > 0, 'the connect request went out');
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1500));
    // a plain client.close() would queue a close-session packet on this socket and later retry: the
    // answer to such a retry is what crashes the client (it parses it as a reply while CLOSING)
    assert.equal(bytes[0], sentBeforeGivingUp, 'nothing sent after giving up');
    assert.equal(connections.length, 1, 'no new connection after giving up');
    assert.equal(connections[0]?.readableEnded || connections[0]?.destroyed, true, 'the attempt was closed');
  } finally {
    for (const c of connections) c.destroy();
    server.close();
  }
});
