// isProducerFenced against the error shapes kafkajs 2.2.4 produces (built with its own error classes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { isProducerFenced } from '../../../../src/sinks/kafka/fencing.js';

const require = createRequire(import.meta.url);
type ErrorCtor = new (e: unknown, o?: unknown) => Error;
const errors = require('kafkajs/src/errors.js') as Record<string, ErrorCtor>;
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode: (code: number) => Error };

test('recognizes INVALID_PRODUCER_EPOCH and PRODUCER_FENCED however kafkajs wraps them, and nothing else', () => {
  const epoch = createErrorFromCode(47);
  const fenced90 = createErrorFromCode(90); // unknown to kafkajs 2.2.4: "Unknown error code 90"
  assert.equal(isProducerFenced(epoch), true);
  assert.equal(isProducerFenced(fenced90), true);
  assert.equal(isProducerFenced(new errors['KafkaJSNumberOfRetriesExceeded']!(epoch, { retryCount: 5, retryTime: 100 })), true);
  assert.equal(isProducerFenced(new errors['KafkaJSNonRetriableError']!(new Error('x'), { cause: fenced90 })), true);
  const aggregate = Object.assign(new Error('several'), { errors: [new Error('a'), epoch] });
  assert.equal(isProducerFenced(aggregate), true);

  assert.equal(isProducerFenced(createErrorFromCode(51)), false, 'CONCURRENT_TRANSACTIONS is retriable, not a fence');
  assert.equal(isProducerFenced(createErrorFromCode(6)), false, 'NOT_LEADER_FOR_PARTITION');
  assert.equal(isProducerFenced(Object.assign(new Error('socket'), { code: 47 })), false, 'a bare numeric code is not a Kafka error');
  assert.equal(isProducerFenced(new errors['KafkaJSConnectionError']!('Connection timeout')), false);
  assert.equal(isProducerFenced(undefined), false);
  const loop: Error & { cause?: unknown } = new Error('loop');
  loop.cause = loop;
  assert.equal(isProducerFenced(loop), false);
});
