// Shared pieces of the Redis -> Kafka integration tests: reading a whole topic back with a raw kafkajs
// consumer (no SDK logic: what is really in the partitions), the checks on it, and the SDK reading it.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { decodePack, jsonCodec } from '../../../src/events/envelope.js';
import { eventId } from '../../../src/events/identity.js';
import { readMessageMeta } from '../../../src/consumer/message-meta.js';
import { toJson } from '../../../src/events/json.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { RedisEventConsumer } from '../../../src/consumer/consumer.js';
import { streamOrder } from '../../helpers/stream-order.js';
import { uniqueName } from '../../helpers/wait-for.js';

export interface TopicRecord {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

/** Every record of the topic up to its current end, per partition in offset order. */
export async function readTopic(brokers: string[], topic: string, timeoutMs = 60_000, o: { readUncommitted?: boolean } = {}): Promise<TopicRecord[]> {
  const kafka = new Kafka({ clientId: 'rmqr-test-reader', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, Number(p.high));
  } finally {
    await admin.disconnect();
  }
  const out: TopicRecord[] = [];
  const remaining = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  if (remaining.size === 0) return out;
  const consumer = kafka.consumer({
    groupId: uniqueName('rmqr-test-reader'),
    maxBytesPerPartition: 8 * 1024 * 1024,
    allowAutoTopicCreation: false,
    readUncommitted: o.readUncommitted ?? false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    // A partition is read once a batch reaches its end. The batch's last offset counts the records the
    // consumer does not hand out (transaction markers, aborted records), which never reach eachMessage.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const end = ends.get(payload.partition);
      if (payload.topic !== topic || end === undefined || Number(payload.lastOffset) < end - 1) return;
      remaining.delete(payload.partition);
      if (remaining.size === 0) finish();
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        if (offset >= ends.get(partition)!) return;
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[0] : v);
        out.push({ partition, offset, key: message.key, value: message.value ?? Buffer.alloc(0), headers, timestamp: Number(message.timestamp) });
      },
    });
    const timeout = new AbortController();
    await Promise.race([
      finished,
      delay(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`reading ${topic}: partitions ${[...remaining].join(',')} not read to their end within ${timeoutMs} ms`);
      }),
    ]).finally(() => timeout.abort());
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

export interface DecodedRecord extends TopicRecord {
  event: ReplicationEvent;
  /** Copies of the event (k= / ce_copies), 1 when single. */
  copies: number;
  /** Events in the record (> 1 for a pack). */
  packed: number;
}

/** (event id, type) of a decoded event: unique per event (see the collision note in helpers/stream-order.ts). */
export function recordIdentity(r: DecodedRecord): string {
  return `${eventId(r.event)}|redis.${r.event.type}`;
}

/**
 * Decodes records (JSON codec, either header style) into one entry per event: a pack gives one entry
 * per packed event (same partition and offset), the parts of a split event (consecutive in their
 * partition) one entry. Checks that each record's header identity matches its decoded event.
 */
export function decodeRecords(records: TopicRecord[]): DecodedRecord[] {
  const out: DecodedRecord[] = [];
  let parts: TopicRecord[] = [];
  for (const r of records) {
    const meta = readMessageMeta(r.headers);
    if (meta.packed !== undefined) {
      assert.equal(parts.length, 0, `partition ${r.partition} offset ${r.offset}: pack inside a split event`);
      for (const event of decodePack(jsonCodec, r.value, meta.packed)) out.push({ ...r, event, copies: 1, packed: meta.packed });
      continue;
    }
    const whole = (value: Buffer, first: TopicRecord): void => {
      const event = jsonCodec.decode(value);
      assert.equal(meta.id, eventId(event), `partition ${r.partition} offset ${r.offset}: header identity`);
      assert.equal(meta.eventType, event.type);
      out.push({ ...first, event, copies: meta.copies, packed: 1 });
    };
    if (meta.part === undefined) {
      assert.equal(parts.length, 0, `partition ${r.partition} offset ${r.offset}: whole record inside a split event`);
      whole(r.value, r);
      continue;
    }
    const { i, n } = meta.part;
    assert.equal(i, parts.length, `partition ${r.partition} offset ${r.offset}: part ${i}/${n} out of order`);
    parts.push(r);
    if (i === n - 1) {
      whole(Buffer.concat(parts.map((p) => p.value)), parts[0]!);
      parts = [];
    }
  }
  assert.equal(parts.length, 0, 'a split event is missing its last parts');
  return out;
}

/**
 * Checks the partitions as they are: per partition, each event is newer than every event before it
 * (stream order), except, only with `allowDuplicates`, what a restart from a checkpoint republishes:
 * repeats of events already in the partition, and the restart's own stream-begin (mode partial, at
 * the checkpoint offset, so older than what the previous run had published). Each message key is in
 * one partition. Returns the repeats and the restart markers.
 */
export function assertPartitionOrder(records: DecodedRecord[], allowDuplicates: boolean): DecodedRecord[] {
  const high = new Map<number, ReplicationEvent>();
  const seen = new Map<number, Set<string>>();
  const partitionOfKey = new Map<string, number>();
  const repeats: DecodedRecord[] = [];
  for (const r of records) {
    const id = recordIdentity(r);
    let ids = seen.get(r.partition);
    if (!ids) seen.set(r.partition, (ids = new Set()));
    if (r.key) {
      const k = r.key.toString('latin1');
      const p = partitionOfKey.get(k);
      assert.ok(p === undefined || p === r.partition, `key ${JSON.stringify(k)} in partitions ${p} and ${r.partition}`);
      partitionOfKey.set(k, r.partition);
    }
    if (ids.has(id)) {
      assert.ok(allowDuplicates, `partition ${r.partition} offset ${r.offset}: ${id} published twice`);
      repeats.push(r);
      continue;
    }
    const prev = high.get(r.partition);
    if (allowDuplicates && prev && r.event.type === 'stream-begin' && r.event.mode === 'partial' && streamOrder(prev, r.event) > 0) {
      repeats.push(r);
      ids.add(id);
      continue;
    }
    if (prev && prev.replid === r.event.replid) {
      assert.ok(streamOrder(prev, r.event) < 0, `partition ${r.partition} offset ${r.offset}: ${r.event.type}@${r.event.offset} after ${prev.type}@${prev.offset}`);
    }
    high.set(r.partition, r.event);
    ids.add(id);
  }
  return repeats;
}

/** One entry per ce_id, in stream order. */
export function distinctEvents(records: DecodedRecord[]): ReplicationEvent[] {
  const byId = new Map<string, ReplicationEvent>();
  for (const r of records) byId.set(recordIdentity(r), r.event);
  return [...byId.values()].sort(streamOrder);
}

export function jsonLines(events: readonly ReplicationEvent[]): string[] {
  return events.map((e) => JSON.stringify(toJson(e)));
}

/** Consumes the topic with the SDK from the beginning, collecting events, until `enough` says so. */
export async function consumeWithSdk(
  brokers: string[],
  topic: string,
  enough: (events: ReplicationEvent[]) => boolean,
  options: { concurrency?: number; timeoutMs?: number; onEvent?: (e: ReplicationEvent) => void } = {},
): Promise<{ events: ReplicationEvent[]; stats: ReturnType<RedisEventConsumer['stats']> }> {
  const events: ReplicationEvent[] = [];
  const consumer = new RedisEventConsumer({
    kafka: { brokers },
    topic,
    group: uniqueName('rmqr-test-sdk'),
    fromBeginning: true,
    concurrency: options.concurrency ?? 4,
  });
  consumer.on('event', (e) => {
    events.push(e);
    options.onEvent?.(e);
  });
  const errors: Error[] = [];
  consumer.on('error', (err) => errors.push(err));
  await consumer.start();
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (!enough(events)) {
      if (errors.length > 0) throw new Error(`SDK error: ${errors.map((e) => e.message).join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`SDK: only ${events.length} events after ${options.timeoutMs ?? 60_000} ms`);
      await delay(50);
    }
    return { events, stats: consumer.stats() };
  } finally {
    await consumer.stop();
  }
}
