import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candidateOrder, standingOf } from '../../../src/cluster/election-order.js';
import { decodeCandidate, encodeCandidate, localCandidate } from '../../../src/cluster/candidate.js';

test('election order: candidates sorted by their 10-digit sequence, not by name or listing order; foreign children ignored', () => {
  const order = candidateOrder(['n_0000000010', 'lock', 'n_0000000002', 'x_0000000001', 'n_0000000009', 'n_12', 'n_0000000002x']);
  assert.deepEqual(order.map((c) => c.name), ['n_0000000002', 'n_0000000009', 'n_0000000010']);
  assert.deepEqual(order.map((c) => c.sequence), [2, 9, 10]);
});

test('election order: the lowest leads, every other candidate follows exactly its predecessor, a missing node is absent', () => {
  const order = candidateOrder(['n_0000000007', 'n_0000000003', 'n_0000000005']);
  assert.deepEqual(standingOf(order, 'n_0000000003'), { kind: 'leader' });
  assert.deepEqual(standingOf(order, 'n_0000000005'), { kind: 'follower', predecessor: 'n_0000000003', position: 1 });
  assert.deepEqual(standingOf(order, 'n_0000000007'), { kind: 'follower', predecessor: 'n_0000000005', position: 2 });
  assert.deepEqual(standingOf(order, 'n_0000000004'), { kind: 'absent' });
});

test('candidate info: round-trips through the node data; foreign data decodes to null', () => {
  const info = localCandidate('inst-1', new Date('2026-01-02T03:04:05.000Z'));
  assert.equal(info.pid, process.pid);
  assert.deepEqual(decodeCandidate(encodeCandidate(info)), info);
  assert.equal(decodeCandidate(Buffer.from('not json')), null);
  assert.equal(decodeCandidate(Buffer.from('{"instanceId":1}')), null);
  assert.equal(decodeCandidate(Buffer.alloc(0)), null);
});
