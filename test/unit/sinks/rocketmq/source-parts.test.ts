import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H } from '../../../../src/events/envelope.js';
import { trailingPartsToDefer } from '../../../../src/consumer/sources/rocketmq.js';

const whole = (id: string): Map<string, string> => new Map([[H.id, id]]);
const part = (id: string, i: number, n: number): Map<string, string> => new Map([[H.id, id], [H.part, `${i}/${n}`]]);

test('rocketmq source: the first parts of a split event cut by the end of a receive batch are handed back, not delivered', () => {
  assert.equal(trailingPartsToDefer([]), 0);
  assert.equal(trailingPartsToDefer([whole('a'), whole('b')]), 0, 'whole events');
  assert.equal(trailingPartsToDefer([whole('a'), part('x', 0, 2), part('x', 1, 2)]), 0, 'a complete split event');
  assert.equal(trailingPartsToDefer([whole('a'), part('x', 0, 3)]), 1, 'part 0 of 3 at the end');
  assert.equal(trailingPartsToDefer([whole('a'), part('x', 0, 3), part('x', 1, 3)]), 2, 'parts 0-1 of 3 at the end');
  assert.equal(trailingPartsToDefer([part('x', 0, 3), part('x', 1, 3)]), 2, 'the whole slice');
  assert.equal(trailingPartsToDefer([part('w', 0, 2), part('w', 1, 2), part('x', 0, 2)]), 1, 'only the unfinished event');
  // the rest of an event that is being delivered part by part (too many parts for one batch): deliver
  assert.equal(trailingPartsToDefer([part('x', 3, 9), part('x', 4, 9)]), 0);
});
