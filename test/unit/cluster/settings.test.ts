import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { clusterPaths, resolveClusterSettings, type ClusterSettingsInput } from '../../../src/cluster/settings.js';

const base: ClusterSettingsInput = {
  address: '127.0.0.1:2181',
  root: '/redis-mq-replicator',
  sessionTimeoutMs: 10_000,
  redisHost: '10.0.0.5',
  redisPort: 6380,
};

test('cluster settings: source id defaults to the Redis host:port, instance id to hostname-pid', () => {
  const s = resolveClusterSettings(base);
  assert.equal(s.sourceId, '10.0.0.5:6380');
  assert.equal(s.instanceId, `${hostname()}-${process.pid}`);
  const t = resolveClusterSettings({ ...base, sourceId: 'orders', instanceId: 'a1', address: 'zk1:2181,zk2:2181/chroot' });
  assert.equal(t.sourceId, 'orders');
  assert.equal(t.instanceId, 'a1');
  assert.deepEqual(clusterPaths(t.root, t.sourceId), {
    base: '/redis-mq-replicator/orders',
    election: '/redis-mq-replicator/orders/election',
    epoch: '/redis-mq-replicator/orders/epoch',
    checkpoint: '/redis-mq-replicator/orders/checkpoint',
  });
  assert.equal(clusterPaths('/', 'x').election, '/x/election');
});

test('cluster settings: bad values are CLUSTER_BAD_SETTING errors naming the configuration key', () => {
  const cases: Array<[Partial<ClusterSettingsInput>, RegExp]> = [
    [{ address: undefined }, /^zookeeper\.address .*required/],
    [{ address: '' }, /^zookeeper\.address/],
    [{ address: 'zk1' }, /^zookeeper\.address .*"zk1" is not host:port/],
    [{ address: 'zk1:2181,zk2:99999' }, /^zookeeper\.address/],
    [{ root: 'relative' }, /^zookeeper\.root/],
    [{ root: '/a/' }, /^zookeeper\.root/],
    [{ root: '/a//b' }, /^zookeeper\.root/],
    [{ root: '/zookeeper' }, /^zookeeper\.root .*reserved/],
    [{ sourceId: 'a/b' }, /^zookeeper\.source\.id/],
    [{ sourceId: '..' }, /^zookeeper\.source\.id/],
    [{ sessionTimeoutMs: 999 }, /^zookeeper\.session\.timeout\.ms/],
  ];
  for (const [patch, message] of cases) {
    assert.throws(
      () => resolveClusterSettings({ ...base, ...patch }),
      (err: Error & { code?: string }) => err.code === 'CLUSTER_BAD_SETTING' && message.test(err.message),
      JSON.stringify(patch),
    );
  }
});
