// Turns events into Kafka records, in stream order, each with its topic and explicit partition.
//  - An event is encoded once (envelope.encodeEvent); oversized encodings are split into parts
//    (ce_part) that all go, in order, to each of the event's partitions.
//  - A keyed event goes once to each distinct (topic, partition) of its routing keys, with the routing
//    key that chose that partition as message key; a barrier (routeOf kind 'all') goes to every
//    partition of every topic this sink publishes to, without a key. Copies share ce_id and carry
//    ce_copies = number of copies. So every partition sees, in stream order, every event that touches
//    one of its keys and every barrier.
import { H, encodeEvent, partHeaders, type EventCodec } from '../../events/envelope.js';
import type { ReplicationEvent } from '../../events/types.js';
import { routeOf } from '../routing.js';
import { partitionForKey } from './partitioner.js';
import type { TopicResolver } from './topics.js';

export interface KafkaRecord {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
  /** Upper bound of the record's encoded size inside a record batch (v2 format), before compression. */
  size: number;
}

/** Bytes of a record batch (v2) besides its records: base offset ... record count. */
export const RECORD_BATCH_OVERHEAD = 61;
/** Varints and fixed fields of one record besides key, value and headers (upper bound). */
const RECORD_OVERHEAD = 32;
/** Room kept for the envelope headers when sizing parts (ids, positions, ce_part, ce_copies). */
const HEADER_HEADROOM = 1024;

export interface PlanContext {
  codec: EventCodec;
  sourceId: string;
  resolver: TopicResolver;
  /** The broker's per-partition record batch limit (message.max.bytes). */
  maxMessageBytes: number;
  /** Partition count of a topic, undefined when its metadata is not loaded. */
  partitionsOf(topic: string): number | undefined;
  /** Topics barriers go to (besides the barrier's own topic); the plan adds every topic it uses. */
  knownTopics: Set<string>;
}

export type Plan = { records: KafkaRecord[] } | { missingTopics: string[] };

interface Target {
  topic: string;
  partition: number;
  key: Buffer | null;
}

/** Records of the events in order, or the topics whose metadata must be loaded first. */
export function planRecords(events: readonly ReplicationEvent[], ctx: PlanContext): Plan {
  const records: KafkaRecord[] = [];
  const missing = new Set<string>();
  for (const e of events) {
    const targets = targetsOf(e, ctx, missing);
    if (missing.size > 0) continue; // keep scanning to report every missing topic at once
    appendRecords(e, targets, ctx, records);
  }
  return missing.size > 0 ? { missingTopics: [...missing] } : { records };
}

function targetsOf(e: ReplicationEvent, ctx: PlanContext, missing: Set<string>): Target[] {
  const route = routeOf(e);
  const targets: Target[] = [];
  if (route.kind === 'all') {
    const own = ctx.resolver.topicFor(e.type, e.db);
    ctx.knownTopics.add(own);
    for (const topic of ctx.knownTopics) {
      const n = ctx.partitionsOf(topic);
      if (n === undefined) {
        missing.add(topic);
        continue;
      }
      for (let p = 0; p < n; p++) targets.push({ topic, partition: p, key: null });
    }
    return targets;
  }
  const seen = new Set<string>();
  for (const rk of route.keys) {
    const topic = ctx.resolver.topicForRoutingKey(e, rk);
    const n = ctx.partitionsOf(topic);
    if (n === undefined) {
      missing.add(topic);
      continue;
    }
    ctx.knownTopics.add(topic);
    const partition = partitionForKey(rk, n);
    const id = `${partition}/${topic}`;
    if (seen.has(id)) continue;
    seen.add(id);
    targets.push({ topic, partition, key: rk });
  }
  return targets;
}

function appendRecords(e: ReplicationEvent, targets: Target[], ctx: PlanContext, out: KafkaRecord[]): void {
  if (targets.length === 0) return;
  let maxKey = 0;
  for (const t of targets) if (t.key && t.key.length > maxKey) maxKey = t.key.length;
  const maxValueBytes =
    ctx.maxMessageBytes - RECORD_BATCH_OVERHEAD - RECORD_OVERHEAD - HEADER_HEADROOM - ctx.sourceId.length * 2 - maxKey;
  if (maxValueBytes < 1024) {
    throw new Error(
      `a routing key of ${maxKey} bytes leaves no room for the value in a ${ctx.maxMessageBytes}-byte Kafka message; raise kafka.max.message.bytes (and the broker's message.max.bytes)`,
    );
  }
  const enc = encodeEvent(e, { codec: ctx.codec, sourceId: ctx.sourceId, maxValueBytes });
  const base = targets.length > 1 ? { ...enc.headers, [H.copies]: String(targets.length) } : enc.headers;
  const n = enc.parts.length;
  const headersOfPart: Array<Record<string, string>> = [];
  const headerBytes: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = partHeaders(base, i, n);
    headersOfPart.push(h);
    headerBytes.push(headersSize(h));
  }
  for (const t of targets) {
    const keyLen = t.key ? t.key.length : 0;
    for (let i = 0; i < n; i++) {
      const value = enc.parts[i]!;
      out.push({
        topic: t.topic,
        partition: t.partition,
        key: t.key,
        value,
        headers: headersOfPart[i]!,
        size: RECORD_OVERHEAD + keyLen + value.length + headerBytes[i]!,
      });
    }
  }
}

/** Encoded size of headers (names and values are ASCII; 3 bytes per char bounds any UTF-8). */
function headersSize(h: Record<string, string>): number {
  let n = 5;
  for (const k in h) {
    const v = h[k]!;
    n += k.length + (isAscii(v) ? v.length : v.length * 3) + 10;
  }
  return n;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
