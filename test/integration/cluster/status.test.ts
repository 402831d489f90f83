// `redis-mq-replicator status` and fetchClusterStatus against a real ZooKeeper with live candidates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostname } from 'node:os';
import { ZkCheckpointStore } from '../../../src/checkpoint/zookeeper.js';
import { zkCheckpointAccess } from '../../../src/cluster/checkpoint-access.js';
import { clusterPaths } from '../../../src/cluster/settings.js';
import { fetchClusterStatus, type ClusterStatus } from '../../../src/cluster/status.js';
import { runCli } from '../../helpers/cli.js';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { Sessions, startCandidate, uniqueRoot } from './zk-kit.js';

const REPLID = '00112233445566778899aabbccddeeff00112233';

test('status: names the leader (instance, host, pid, node), the epoch, the checkpoint and the standbys; the CLI prints it as text and JSON', async () => {
  const zk = testServers().zookeeper;
  const sessions = new Sessions(zk.connect, 4000);
  await withLogsOnFailure([{ name: 'zookeeper', logPath: zk.logPath }], async () => {
    try {
      const root = sessions.track(uniqueRoot('status'));
      const sourceId = '10.1.2.3:6379';
      const empty = await fetchClusterStatus({ address: zk.connect, root, sourceId });
      assert.deepEqual(empty, { sourceId, path: `${root}/${sourceId}`, leader: undefined, epoch: null, checkpoint: null, candidates: [] });

      const a = await startCandidate(sessions, root, 'inst-a', sourceId);
      const b = await startCandidate(sessions, root, 'inst-b', sourceId);
      const term = a.election.term!;
      await new ZkCheckpointStore(zkCheckpointAccess(a.session, term, clusterPaths(root, sourceId).checkpoint)).save({ replid: REPLID, offset: 77, db: 1 });

      const status = await fetchClusterStatus({ address: zk.connect, root, sourceId });
      assert.equal(status.leader?.instanceId, 'inst-a');
      assert.equal(status.leader?.host, hostname());
      assert.equal(status.leader?.pid, process.pid);
      assert.equal(`${root}/${sourceId}/election/${status.leader?.node}`, a.election.node);
      assert.equal(status.leader?.session, a.session.sessionId);
      assert.equal(status.epoch, term.epoch);
      assert.deepEqual(status.checkpoint, { replid: REPLID, offset: 77, db: 1, epoch: term.epoch });
      assert.deepEqual(status.candidates.map((c) => c.instanceId), ['inst-a', 'inst-b']);
      assert.equal(`${root}/${sourceId}/election/${status.candidates[1]?.node}`, b.election.node);

      const args = ['status', '--set', `zookeeper.address=${zk.connect}`, '--set', `zookeeper.root=${root}`, '--set', 'redis.uri=redis://10.1.2.3:6379'];
      const json = await runCli([...args, '--json']);
      assert.equal(json.code, 0, json.stderr);
      const parsed = JSON.parse(json.stdout.toString()) as ClusterStatus;
      assert.equal(parsed.sourceId, sourceId, 'the source id defaults to the redis.uri host:port');
      assert.equal(parsed.leader?.instanceId, 'inst-a');
      assert.equal(parsed.epoch, term.epoch);
      const text = await runCli(args);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout.toString(), new RegExp(`^leader {6}inst-a host .* pid ${process.pid} `, 'm'));
      assert.match(text.stdout.toString(), new RegExp(`^epoch {7}${term.epoch}$`, 'm'));
      assert.match(text.stdout.toString(), /^checkpoint {2}replid 00112233445566778899aabbccddeeff00112233 offset 77 db 1 epoch \d+$/m);
      assert.match(text.stdout.toString(), /^ {2}n_\d{10} {2}standby {2}inst-b /m);
    } finally {
      await sessions.closeAll();
    }
  });
});

test('status: an unreachable zookeeper.address is a one-line error naming it, exit code 1', async () => {
  testServers();
  const r = await runCli(['status', '--set', 'zookeeper.address=127.0.0.1:1', '--set', 'zookeeper.session.timeout.ms=1500']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^redis-mq-replicator: CLUSTER_CONNECT_FAILED: cannot connect to ZooKeeper at zookeeper\.address = 127\.0\.0\.1:1 within 1500 ms/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});
