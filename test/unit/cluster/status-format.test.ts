import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatClusterStatus } from '../../../src/cli/status-command.js';
import type { ClusterStatus } from '../../../src/cluster/status.js';

test('status output: names the leader, the epoch, the checkpoint and every standby in order', () => {
  const status: ClusterStatus = {
    sourceId: '10.0.0.5:6379',
    path: '/rmq/10.0.0.5:6379',
    leader: { node: 'n_0000000004', sequence: 4, session: '0100000000000001', instanceId: 'a', host: 'h1', pid: 11, startedAt: '2026-01-01T00:00:00.000Z' },
    epoch: 3,
    checkpoint: { replid: 'ab'.repeat(20), offset: 1234, db: 2, epoch: 3 },
    candidates: [],
  };
  status.candidates = [status.leader!, { node: 'n_0000000006', sequence: 6, session: '0100000000000002', instanceId: 'b', host: 'h2', pid: 22, startedAt: '2026-01-01T00:00:01.000Z' }];
  const text = formatClusterStatus(status, 'zk:2181');
  assert.match(text, /^source {6}10\.0\.0\.5:6379 {2}\(\/rmq\/10\.0\.0\.5:6379 on ZooKeeper zk:2181\)$/m);
  assert.match(text, /^leader {6}a host h1 pid 11 .*node n_0000000004/m);
  assert.match(text, /^epoch {7}3$/m);
  assert.match(text, /^checkpoint {2}replid (ab){20} offset 1234 db 2 epoch 3$/m);
  assert.match(text, /^candidates {2}2\n {2}n_0000000004 {2}leader {3}a .*\n {2}n_0000000006 {2}standby {2}b host h2 pid 22/m);

  const empty = formatClusterStatus({ ...status, leader: undefined, epoch: null, checkpoint: null, candidates: [] }, 'zk:2181');
  assert.match(empty, /^leader {6}none/m);
  assert.match(empty, /^epoch {7}none yet$/m);
  assert.match(empty, /^checkpoint {2}none yet$/m);
});
