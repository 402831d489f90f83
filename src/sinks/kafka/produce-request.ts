// Groups records into one kafkajs sendBatch call. kafkajs puts all records of a partition into one
// record batch and does not split it, and the broker rejects a batch above its message.max.bytes
// (MESSAGE_TOO_LARGE); so a request stops taking records once a partition's batch would exceed that
// limit, or the request its byte or record bound.
import type { Message, TopicMessages } from 'kafkajs';
import { RECORD_BATCH_OVERHEAD, type KafkaRecord } from './record-plan.js';

export interface RequestLimits {
  /** Per-partition record batch limit (the broker's message.max.bytes). */
  maxMessageBytes: number;
  maxRequestBytes: number;
  maxRequestRecords: number;
}

export class ProduceRequest {
  private readonly partitionBytes = new Map<string, number>();
  private readonly byTopic = new Map<string, Message[]>();
  private bytes = 0;
  private count = 0;
  private eventCount = 0;

  constructor(private readonly limits: RequestLimits) {}

  get records(): number {
    return this.count;
  }

  /** Events carried whole by the records (see KafkaRecord.events). */
  get events(): number {
    return this.eventCount;
  }

  get size(): number {
    return this.bytes;
  }

  /** Adds the record unless that would break a limit; an empty request takes any record. */
  tryAdd(r: KafkaRecord): boolean {
    const pk = `${r.partition}/${r.topic}`;
    const inPartition = this.partitionBytes.get(pk) ?? RECORD_BATCH_OVERHEAD;
    if (this.count > 0) {
      if (this.count >= this.limits.maxRequestRecords) return false;
      if (this.bytes + r.size > this.limits.maxRequestBytes) return false;
      if (inPartition + r.size > this.limits.maxMessageBytes) return false;
    }
    this.partitionBytes.set(pk, inPartition + r.size);
    this.bytes += r.size;
    this.count++;
    this.eventCount += r.events;
    let list = this.byTopic.get(r.topic);
    if (!list) {
      list = [];
      this.byTopic.set(r.topic, list);
    }
    list.push(r); // a KafkaRecord is a kafkajs Message (key, value, headers, partition) with two extra fields
    return true;
  }

  topicMessages(): TopicMessages[] {
    return [...this.byTopic].map(([topic, messages]) => ({ topic, messages }));
  }
}

/** Splits records (in order) into consecutive requests within the limits. */
export function splitIntoRequests(records: readonly KafkaRecord[], limits: RequestLimits): ProduceRequest[] {
  const out: ProduceRequest[] = [];
  let current = new ProduceRequest(limits);
  for (const r of records) {
    if (!current.tryAdd(r)) {
      out.push(current);
      current = new ProduceRequest(limits);
      current.tryAdd(r);
    }
  }
  if (current.records > 0) out.push(current);
  return out;
}
