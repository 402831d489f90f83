import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { murmur2, partitionForKey } from '../../../../src/sinks/kafka/partitioner.js';

test('murmur2 gives the values of the Java client (Kafka UtilsTest vectors)', () => {
  const vectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  for (const [s, h] of vectors) assert.equal(murmur2(Buffer.from(s)), h, s);
});

test('partitionForKey matches kafkajs DefaultPartitioner for 20000 random keys and partition counts', () => {
  const partitioner = Partitioners.DefaultPartitioner();
  for (let i = 0; i < 20_000; i++) {
    const key = randomBytes(i % 97); // every tail length, empty keys, bytes >= 0x80
    const n = 1 + (i % 64);
    const partitionMetadata: PartitionMetadata[] = Array.from({ length: n }, (_, p) => ({
      partitionErrorCode: 0,
      partitionId: p,
      leader: 1,
      replicas: [1],
      isr: [1],
    }));
    const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
    assert.equal(partitionForKey(key, n), expected, `key ${key.toString('hex')} over ${n} partitions`);
  }
});

test('partitionForKey of routing keys spreads over all partitions', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(partitionForKey(Buffer.from(`0:key:${i}`), 8));
  assert.equal(seen.size, 8);
});
