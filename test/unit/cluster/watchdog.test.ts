import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionWatchdog } from '../../../src/cluster/watchdog.js';

function fakeClock(start = 1000): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

test('watchdog (fake clock): in doubt exactly once nothing sent in the last 2/3 of the session timeout was answered', () => {
  const clock = fakeClock(0);
  const w = new SessionWatchdog(clock.now, 3000, 0);
  assert.equal(w.doubtAfterMs, 2000);
  assert.equal(w.pingIntervalMs, 1000);
  clock.set(1999);
  assert.equal(w.stale(), false);
  clock.set(2000);
  assert.equal(w.stale(), true);
  w.answered(1500); // a request sent at 1500 got its answer
  assert.equal(w.stale(), false);
  assert.equal(w.deadline, 3500);
  clock.set(3499);
  assert.equal(w.stale(), false);
  clock.set(3500);
  assert.equal(w.stale(), true);
});

test('watchdog (fake clock): an answer to a request sent before a long pause does not make the session fresh', () => {
  // the SIGSTOP case: the ping went out at 900, its answer is processed only after SIGCONT at 9000
  const clock = fakeClock(0);
  const w = new SessionWatchdog(clock.now, 3000, 0);
  clock.set(9000);
  w.answered(900);
  assert.equal(w.stale(), true, 'freshness counts from the send time, not the receive time');
  w.answered(500); // older answers never move it back
  assert.equal(w.lastAnsweredSentAt, 900);
});

test('watchdog (fake clock): the negotiated session timeout replaces the requested one', () => {
  const clock = fakeClock(0);
  const w = new SessionWatchdog(clock.now, 30_000, 0);
  w.setSessionTimeout(6000);
  assert.equal(w.doubtAfterMs, 4000);
  assert.equal(w.pingIntervalMs, 2000);
  clock.set(4000);
  assert.equal(w.stale(), true);
});
