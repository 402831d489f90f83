import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProduceRequest, splitIntoRequests } from '../../../../src/sinks/kafka/produce-request.js';
import { RECORD_BATCH_OVERHEAD, type KafkaRecord } from '../../../../src/sinks/kafka/record-plan.js';

const rec = (topic: string, partition: number, size: number, seq: number): KafkaRecord => ({
  topic,
  partition,
  key: null,
  value: Buffer.from(String(seq)),
  headers: { seq: String(seq) },
  size,
  events: 1,
});

test('requests keep each partition batch within the message limit and the records in order', () => {
  const limits = { maxMessageBytes: 10_000, maxRequestBytes: 1_000_000, maxRequestRecords: 100_000 };
  const records: KafkaRecord[] = [];
  let seq = 0;
  for (let i = 0; i < 500; i++) records.push(rec(i % 3 === 0 ? 'a' : 'b', i % 4, 100 + ((i * 37) % 3000), seq++));
  const requests = splitIntoRequests(records, limits);
  assert.ok(requests.length > 1);
  const seen: string[] = [];
  for (const req of requests) {
    const perPartition = new Map<string, number>();
    for (const tm of req.topicMessages()) {
      for (const m of tm.messages) {
        const r = records[Number(m.headers!['seq'])]!;
        const pk = `${tm.topic}/${m.partition}`;
        perPartition.set(pk, (perPartition.get(pk) ?? RECORD_BATCH_OVERHEAD) + r.size);
        assert.equal(m.partition, r.partition);
      }
    }
    for (const [pk, bytes] of perPartition) assert.ok(bytes <= limits.maxMessageBytes, `${pk}: ${bytes} bytes`);
    // order inside a request, per topic, is the records' order
    for (const tm of req.topicMessages()) for (const m of tm.messages) seen.push(`${tm.topic}:${String(m.headers!['seq'])}`);
  }
  const expected = records.map((r) => `${r.topic}:${r.headers['seq']}`);
  for (const topic of ['a', 'b']) {
    assert.deepEqual(
      seen.filter((s) => s.startsWith(`${topic}:`)),
      expected.filter((s) => s.startsWith(`${topic}:`)),
    );
  }
});

test('record-count and request-byte bounds split requests too; an empty request takes any record', () => {
  const byCount = splitIntoRequests(
    Array.from({ length: 25 }, (_, i) => rec('t', 0, 10, i)),
    { maxMessageBytes: 1_000_000, maxRequestBytes: 1_000_000, maxRequestRecords: 10 },
  );
  assert.deepEqual(byCount.map((r) => r.records), [10, 10, 5]);
  const byBytes = splitIntoRequests(
    Array.from({ length: 8 }, (_, i) => rec('t', i, 400, i)),
    { maxMessageBytes: 1_000_000, maxRequestBytes: 1000, maxRequestRecords: 100 },
  );
  assert.deepEqual(byBytes.map((r) => r.records), [2, 2, 2, 2]);
  const huge = new ProduceRequest({ maxMessageBytes: 100, maxRequestBytes: 100, maxRequestRecords: 1 });
  assert.equal(huge.tryAdd(rec('t', 0, 5000, 0)), true);
  assert.equal(huge.tryAdd(rec('t', 0, 1, 1)), false);
});
