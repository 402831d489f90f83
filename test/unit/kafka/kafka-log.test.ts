// kafka/kafka-log.ts: kafkajs log entries through our logger (the sink and the SDK's Kafka source).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from '../../../src/kafka/kafka-log.js';
import { routineSinkLog } from '../../../src/sinks/kafka/routine-log.js';
import { createLogger } from '../../../src/util/logger.js';

/** Logs one kafkajs entry through the bridge; returns the JSON records our logger wrote. */
function bridge(level: logLevel, namespace: string, log: Record<string, unknown>, routine?: typeof routineSinkLog): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', format: 'json', write: (l) => lines.push(l) });
  kafkaLogCreator(logger, routine)(logLevel.DEBUG)({ namespace, level, label: 'x', log: { timestamp: 't', logger: 'kafkajs', ...log } as never });
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('kafkajs errors and warnings become warnings, the rest debug; only primitive fields pass, errors as their message', () => {
  const [w] = bridge(logLevel.ERROR, 'Producer', { message: 'failed', broker: 'b:9092', retry: 2, buf: Buffer.from('x'), error: new Error('boom') });
  assert.equal(w!['level'], 'warn');
  assert.equal(w!['msg'], 'failed');
  assert.deepEqual([w!['kafka'], w!['broker'], w!['retry'], w!['error'], 'buf' in w!], ['Producer', 'b:9092', 2, 'boom', false]);
  assert.equal(bridge(logLevel.WARN, 'Consumer', { message: 'slow' })[0]!['level'], 'warn');
  assert.equal(bridge(logLevel.INFO, 'Consumer', { message: 'joined' })[0]!['level'], 'debug');
});

test('what the sink calls routine is logged at debug even at ERROR; the SDK source (no predicate) still warns', () => {
  const response = { message: 'Response Metadata(key: 3, version: 6)' };
  assert.equal(bridge(logLevel.ERROR, 'Connection', response, routineSinkLog)[0]!['level'], 'debug');
  assert.equal(bridge(logLevel.ERROR, 'Connection', response)[0]!['level'], 'warn');
  assert.equal(bridge(logLevel.WARN, 'Producer', { message: 'Limiting retries for the idempotent producer to 1' }, routineSinkLog)[0]!['level'], 'debug');
  assert.equal(bridge(logLevel.ERROR, 'Producer', { message: 'x: another concurrent operation on the same transaction' }, routineSinkLog)[0]!['level'], 'debug');
  assert.equal(bridge(logLevel.ERROR, 'Producer', { message: 'Response Produce failed' }, routineSinkLog)[0]!['level'], 'warn', 'only Connection responses');
});
