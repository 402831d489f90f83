// Reads a whole topic back as events, every record of every partition in partition order, with the
// SDK doing all the decoding (its Kafka source and codecs, whatever the record format is).
// The SDK would drop records of an older epoch after a newer one (fencing) and redeliveries (dedupe):
// the tests want to SEE those records and judge the order themselves, so each record is handed to
// the SDK as its own lane ("<topic>/<partition>#<n>"): nothing is fenced or deduplicated, and the lane
// name still says where the record was. Events split over several records are not supported here
// (the cluster tests write small values only); such a record fails the read.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { RedisEventConsumer } from '../../../src/consumer/consumer.js';
import type { DeliveryReceipt, MessageSource, SourceMessage } from '../../../src/consumer/source.js';
import { KafkaMessageSource } from '../../../src/consumer/sources/kafka.js';
import type { ReplicationEvent } from '../../../src/events/types.js';

export interface TopicEvent {
  partition: number;
  /** Position of the record among the records of its partition (0, 1, 2 ...). */
  record: number;
  event: ReplicationEvent;
}

type Deliver = (messages: SourceMessage[]) => Promise<DeliveryReceipt | void>;

/** Wraps the SDK's Kafka source so that each record becomes a lane of its own (see the header). */
class RecordPerLane implements MessageSource {
  readonly name = 'kafka (one lane per record)';
  readonly #next = new Map<string, number>();
  /** What made a delivery fail: the source would retry it forever, the reader gives up at once. */
  readonly failures: Error[] = [];

  constructor(private readonly inner: KafkaMessageSource) {}

  start(deliver: Deliver): Promise<void> {
    return this.inner.start(async (messages) => {
      try {
        for (const m of messages) {
          const n = this.#next.get(m.lane) ?? 0;
          this.#next.set(m.lane, n + 1);
          const receipt = await deliver([{ ...m, lane: `${m.lane}#${n}` }]);
          if (receipt && receipt.held.length > 0) throw new Error(`record ${n} of ${m.lane} is part of a split event: not supported by this reader`);
        }
      } catch (err) {
        this.failures.push(err instanceof Error ? err : new Error(String(err)));
        throw err;
      }
      return { held: [], safePrefix: messages.length };
    });
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  lag(): Record<string, number> {
    return this.inner.lag();
  }
}

const LANE = /^(.*)\/(\d+)#(\d+)$/;

/** Every event of the topic as it is now (call it once nothing publishes any more). */
export async function readTopicEvents(bootstrap: string, topic: string, timeoutMs = 60_000): Promise<TopicEvent[]> {
  const ends = await partitionEnds(bootstrap, topic);
  const group = `rmqr-test-ce2e-reader-${randomUUID().slice(0, 8)}`;
  const source = new RecordPerLane(new KafkaMessageSource({ brokers: [bootstrap], groupId: group, topics: [topic], fromBeginning: true }));
  const consumer = new RedisEventConsumer({ source, topic, group, dedupe: 'off', copies: 'every', onBadMessage: 'stop', onListenerError: 'stop' });
  const out: TopicEvent[] = [];
  const errors: Error[] = [];
  consumer.on('event', (event, ctx) => {
    const m = LANE.exec(ctx.lane);
    if (m === null) throw new Error(`unexpected lane ${ctx.lane}`);
    out.push({ partition: Number(m[2]), record: Number(m[3]), event });
  });
  consumer.on('error', (err) => errors.push(err));
  await consumer.start();
  try {
    const deadline = Date.now() + timeoutMs;
    let lastCount = -1;
    let stableSince = Date.now();
    for (;;) {
      errors.push(...source.failures.splice(0));
      if (errors.length > 0) throw new Error(`reading ${topic}: ${errors.map((e) => e.message).join(' | ')}`);
      if (out.length !== lastCount) {
        lastCount = out.length;
        stableSince = Date.now();
      }
      const lag = source.lag();
      const atEnd = [...ends].every(([p, high]) => high === 0 || lag[`${topic}/${p}`] === 0);
      const quiet = Date.now() - stableSince;
      // at the end of every partition; or, when the last records are not data (transaction markers
      // keep the lag above 0), nothing new for a while
      if ((atEnd && quiet >= 300) || (out.length > 0 && quiet >= 5000)) break;
      if (Date.now() > deadline) throw new Error(`reading ${topic}: not at the end within ${timeoutMs} ms (lag ${JSON.stringify(lag)}, ${out.length} events)`);
      await delay(50);
    }
  } finally {
    await consumer.stop();
    await deleteGroup(bootstrap, group).catch(() => undefined); // best effort: leave nothing behind
  }
  return out.sort((a, b) => a.partition - b.partition || a.record - b.record);
}

async function deleteGroup(bootstrap: string, group: string): Promise<void> {
  const admin = new Kafka({ clientId: 'rmqr-test-ce2e', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteGroups([group]);
  } finally {
    await admin.disconnect();
  }
}

/** High watermark of every partition. */
async function partitionEnds(bootstrap: string, topic: string): Promise<Map<number, number>> {
  const admin = new Kafka({ clientId: 'rmqr-test-ce2e', brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
  } finally {
    await admin.disconnect();
  }
}
