// Small util/ modules shared by the sinks and the consumer SDK: error chains, deadlines, cut-short sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { causeChainText, numericCodeOf } from '../../../src/util/error-chain.js';
import { Sleeps } from '../../../src/util/sleeps.js';
import { withTimeout } from '../../../src/util/with-timeout.js';

const coded = (message: string, code: unknown, cause?: unknown): Error => Object.assign(new Error(message, { cause }), { code });

test('numericCodeOf finds the first numeric code along the cause chain', () => {
  assert.equal(numericCodeOf(new Error('top', { cause: coded('grpc', 14) })), 14);
  assert.equal(numericCodeOf(coded('outer', 'ECONNRESET', coded('inner', 40402))), 40402, 'string codes are skipped');
  assert.equal(numericCodeOf(new Error('plain')), undefined);
  assert.equal(numericCodeOf('not an error'), undefined);
  const loop = new Error('a');
  loop.cause = loop;
  assert.equal(numericCodeOf(loop), undefined, 'a cycle ends');
});

test('causeChainText joins the messages, outermost first', () => {
  assert.equal(causeChainText(new Error('start failed', { cause: new Error('UNAVAILABLE', { cause: 'socket closed' }) })), 'start failed: UNAVAILABLE: socket closed');
  assert.equal(causeChainText('text'), 'text');
});

test('withTimeout passes the result through, or rejects with the timeout error', async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 1000, () => new Error('late')), 7);
  await assert.rejects(withTimeout(new Promise(() => undefined), 20, () => new Error('late')), /late/);
});

test('Sleeps: a sleep ends after its time, or at once on wakeAll()', { timeout: 10_000 }, async () => {
  const sleeps = new Sleeps();
  const t0 = Date.now();
  await sleeps.sleep(30);
  assert.ok(Date.now() - t0 >= 25);
  const t1 = Date.now();
  const pending = [sleeps.sleep(60_000), sleeps.sleep(60_000)];
  sleeps.wakeAll();
  await Promise.all(pending);
  assert.ok(Date.now() - t1 < 1000, 'woken, not timed out');
});
