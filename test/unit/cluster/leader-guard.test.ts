import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeaderGuard } from '../../../src/cluster/leader-guard.js';

test('leader guard (fake session health): leads only while the term is active, not suspended and the session not in doubt', () => {
  let doubt = false;
  const guard = new LeaderGuard(7, { inDoubt: () => doubt });
  assert.equal(guard.isLeader(), true);
  assert.doesNotThrow(() => guard.assertLeader());
  doubt = true;
  assert.equal(guard.isLeader(), false, 'session in doubt: stop at once');
  assert.throws(() => guard.assertLeader('ACK'), (err: Error & { code?: string }) => err.code === 'CLUSTER_NOT_LEADER' && /ACK .*epoch 7.*in doubt/.test(err.message));
  doubt = false;
  guard.suspend('reconnecting');
  assert.equal(guard.isLeader(), false);
  guard.resume();
  assert.equal(guard.isLeader(), true);
  guard.end('session expired');
  guard.resume();
  assert.equal(guard.isLeader(), false, 'an ended term never comes back');
  assert.equal(guard.ended, true);
  assert.match(guard.whyNot() ?? '', /term ended \(session expired\)/);
});
