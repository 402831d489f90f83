// Turns events into Kafka records, in stream order per partition, each with its topic and explicit
// partition.
//  - A keyed event goes once to each distinct (topic, partition) of its routing keys, with the routing
//    key that chose that partition as message key; a barrier (routeOf kind 'all') goes to every
//    partition of every topic this sink publishes to, without a key. Copies share the event's identity
//    and say how many there are and in which lanes (k= / l=, or ce_copies / ce_lanes), so every
//    partition sees, in stream order, every event that touches one of its keys and every barrier, and
//    the consumer SDK can deliver a multi-copy event once, after the earlier events of every copy's lane.
//  - An encoding larger than the record limit is split into parts (p= / ce_part) that all go, in order,
//    to each of the event's partitions.
//  - Packing (compact headers only): consecutive single-copy, unsplit events of one partition share one
//    record (a pack, key null) up to packMaxEvents / packMaxBytes. Multi-copy events and split events
//    travel alone and close the pack open in their partition first, which keeps stream order within
//    every partition (order across partitions does not matter). They stay alone because the SDK stops a
//    partition exactly at a copy until the other copies arrived, and Kafka addresses records, not events.
//    A pack of one event is written as that single event (its routing key as record key).
import {
  H,
  codecToken,
  compactHeader,
  COMPACT_HEADER,
  encodeEvent,
  encodePack,
  packHeader,
  packOverhead,
  partHeaders,
  withPart,
  type EventCodec,
  type HeaderStyle,
} from '../../events/envelope.js';
import type { ReplicationEvent } from '../../events/types.js';
import { routeOf } from '../../events/routing.js';
import { partitionForKey } from './partitioner.js';
import type { TopicResolver } from './topics.js';

export interface KafkaRecord {
  topic: string;
  partition: number;
  key: Buffer | null;
  /** Bytes, or (a JSON pack) text that kafkajs writes as UTF-8 straight into its request buffer. */
  value: Buffer | string;
  headers: Record<string, string>;
  /** Upper bound of the record's encoded size inside a record batch (v2 format), before compression. */
  size: number;
  /** Events the record carries whole (a pack's count; 1 for a single event; 0 for a part before the last). */
  events: number;
}

/** Bytes of a record batch (v2) besides its records: base offset ... record count. */
export const RECORD_BATCH_OVERHEAD = 61;
/** Varints and fixed fields of one record besides key, value and headers (upper bound). */
const RECORD_OVERHEAD = 32;
/** Room kept for the headers when sizing parts (ids, positions, part, copies), besides the lanes list. */
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
  /** Header style (default compact). */
  headers?: HeaderStyle;
  /** Most events per pack (default 1 = no packing); packing needs compact headers. */
  packMaxEvents?: number;
  /** Most value bytes per pack. */
  packMaxBytes?: number;
}

export type Plan = { records: KafkaRecord[] } | { missingTopics: string[] };

interface Target {
  topic: string;
  partition: number;
  key: Buffer | null;
}

interface Pack {
  topic: string;
  partition: number;
  /** Routing key of the first event: the record key if the pack ends up holding one event. */
  key: Buffer | null;
  events: ReplicationEvent[];
  /** Encoded events: Buffers, or JSON texts joined once when the pack closes (text codecs). */
  values: Array<Buffer | string>;
  bytes: number;
}

/** Records of the events in order, or the topics whose metadata must be loaded first. */
export function planRecords(events: readonly ReplicationEvent[], ctx: PlanContext): Plan {
  const out = new RecordWriter(ctx);
  const missing = new Set<string>();
  for (const e of events) {
    const targets = targetsOf(e, ctx, missing);
    if (missing.size > 0) continue; // keep scanning to report every missing topic at once
    out.add(e, targets);
  }
  if (missing.size > 0) return { missingTopics: [...missing] };
  out.closeAll();
  return { records: out.records };
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
  const single = route.keys.length === 1;
  const seen = single ? null : new Set<string>();
  for (const rk of route.keys) {
    const topic = ctx.resolver.topicForRoutingKey(e, rk);
    const n = ctx.partitionsOf(topic);
    if (n === undefined) {
      missing.add(topic);
      continue;
    }
    ctx.knownTopics.add(topic);
    const partition = partitionForKey(rk, n);
    if (seen) {
      const id = `${partition}/${topic}`;
      if (seen.has(id)) continue;
      seen.add(id);
    }
    targets.push({ topic, partition, key: rk });
  }
  return targets;
}

/** The lanes of a multi-copy event (l= / ce_lanes syntax, see events/envelope.ts). */
function lanesOf(targets: readonly Target[]): string {
  const topics = new Set(targets.map((t) => t.topic));
  // a barrier (no key) goes to every partition of every topic: "*" per topic
  if (targets[0]!.key === null) return topics.size === 1 ? '*' : [...topics].map((t) => `${t}/*`).join(',');
  return topics.size === 1 ? targets.map((t) => t.partition).join(',') : targets.map((t) => `${t.topic}/${t.partition}`).join(',');
}

class RecordWriter {
  readonly records: KafkaRecord[] = [];
  private readonly style: HeaderStyle;
  private readonly token: string;
  private readonly packMaxEvents: number;
  private readonly packMaxBytes: number;
  /** Open packs by topic, then partition. */
  private readonly open = new Map<string, Array<Pack | undefined>>();

  constructor(private readonly ctx: PlanContext) {
    this.style = ctx.headers ?? 'compact';
    this.token = codecToken(ctx.codec);
    this.packMaxEvents = this.style === 'compact' ? Math.max(1, ctx.packMaxEvents ?? 1) : 1;
    this.packMaxBytes = ctx.packMaxBytes ?? Math.floor(ctx.maxMessageBytes / 4);
  }

  add(e: ReplicationEvent, targets: Target[]): void {
    if (targets.length === 0) return;
    let maxKey = 0;
    for (const t of targets) if (t.key && t.key.length > maxKey) maxKey = t.key.length;
    const lanes = targets.length > 1 ? lanesOf(targets) : undefined;
    const maxValueBytes =
      this.ctx.maxMessageBytes - RECORD_BATCH_OVERHEAD - RECORD_OVERHEAD - HEADER_HEADROOM - (lanes?.length ?? 0) - this.ctx.sourceId.length * 2 - maxKey;
    if (maxValueBytes < 1024) {
      throw new Error(
        `a routing key of ${maxKey} bytes leaves no room for the value in a ${this.ctx.maxMessageBytes}-byte Kafka message; raise kafka.max.message.bytes (and the broker's message.max.bytes)`,
      );
    }
    if (this.style === 'cloudevents') {
      this.addCloudEvent(e, targets, lanes, maxValueBytes);
      return;
    }
    const codec = this.ctx.codec;
    const t0 = targets[0]!;
    if (targets.length === 1 && this.packMaxEvents > 1) {
      // text codecs: one Buffer per pack instead of one per event
      const text = codec.encodeText?.(e);
      const encoded = text ?? codec.encode(e);
      const size = typeof encoded === 'string' ? Buffer.byteLength(encoded, 'utf8') : encoded.length;
      if (size <= maxValueBytes) {
        // a pack also stays below the record limit, whatever packMaxBytes says
        this.addToPack(e, encoded, size, t0, Math.min(this.packMaxBytes, maxValueBytes));
        return;
      }
      this.addAlone(e, targets, lanes, maxValueBytes, typeof encoded === 'string' ? Buffer.from(encoded, 'utf8') : encoded);
      return;
    }
    this.addAlone(e, targets, lanes, maxValueBytes, codec.encode(e));
  }

  /** An event in records of its own, after whatever is open in each of its partitions. */
  private addAlone(e: ReplicationEvent, targets: Target[], lanes: string | undefined, maxValueBytes: number, value: Buffer): void {
    for (const t of targets) this.close(t.topic, t.partition);
    const header = compactHeader(e, this.token, targets.length, lanes);
    if (value.length <= maxValueBytes) {
      const headers = { [COMPACT_HEADER]: header };
      const hb = headersSize(headers);
      for (const t of targets) this.push(t, value, headers, hb, 1);
      return;
    }
    const parts = split(value, maxValueBytes);
    const n = parts.length;
    const partHeaderList = parts.map((_, i) => ({ [COMPACT_HEADER]: withPart(header, i, n) }));
    for (const t of targets) {
      for (let i = 0; i < n; i++) {
        const h = partHeaderList[i]!;
        this.push(t, parts[i]!, h, headersSize(h), i === n - 1 ? 1 : 0);
      }
    }
  }

  /** Writes every open pack (end of the batch). */
  closeAll(): void {
    for (const [topic, list] of this.open) for (let p = 0; p < list.length; p++) if (list[p]) this.close(topic, p);
  }

  private addToPack(e: ReplicationEvent, value: Buffer | string, size: number, t: Target, maxBytes: number): void {
    let list = this.open.get(t.topic);
    if (!list) {
      list = [];
      this.open.set(t.topic, list);
    }
    let pack = list[t.partition];
    if (
      pack &&
      (pack.events.length >= this.packMaxEvents ||
        pack.bytes + size + packOverhead(this.ctx.codec, pack.events.length + 1) > maxBytes)
    ) {
      this.close(t.topic, t.partition);
      pack = undefined;
    }
    if (!pack) {
      pack = { topic: t.topic, partition: t.partition, key: t.key, events: [], values: [], bytes: 0 };
      list[t.partition] = pack;
    }
    pack.events.push(e);
    pack.values.push(value);
    pack.bytes += size;
  }

  private close(topic: string, partition: number): void {
    const list = this.open.get(topic);
    const pack = list?.[partition];
    if (!list || !pack) return;
    list[partition] = undefined;
    const t: Target = { topic, partition, key: pack.key };
    if (pack.events.length === 1) {
      const headers = { [COMPACT_HEADER]: compactHeader(pack.events[0]!, this.token) };
      this.push(t, pack.values[0]!, headers, headersSize(headers), 1, pack.bytes);
      return;
    }
    const headers = { [COMPACT_HEADER]: packHeader(pack.events.length, this.token) };
    const n = pack.events.length;
    // a JSON pack stays text: kafkajs encodes it into its request buffer, one Buffer and one copy fewer
    if (typeof pack.values[0] === 'string') {
      this.push({ topic, partition, key: null }, textPack(pack.values as string[]), headers, headersSize(headers), n, pack.bytes + n + 1);
      return;
    }
    const value = encodePack(this.ctx.codec, pack.values as Buffer[], pack.bytes);
    this.push({ topic, partition, key: null }, value, headers, headersSize(headers), n, value.length);
  }

  private addCloudEvent(e: ReplicationEvent, targets: Target[], lanes: string | undefined, maxValueBytes: number): void {
    const enc = encodeEvent(e, { codec: this.ctx.codec, sourceId: this.ctx.sourceId, maxValueBytes });
    const base = targets.length > 1 ? { ...enc.headers, [H.copies]: String(targets.length), [H.lanes]: lanes! } : enc.headers;
    const n = enc.parts.length;
    const headersOfPart: Array<Record<string, string>> = [];
    const headerBytes: number[] = [];
    for (let i = 0; i < n; i++) {
      const h = partHeaders(base, i, n);
      headersOfPart.push(h);
      headerBytes.push(headersSize(h));
    }
    for (const t of targets) {
      for (let i = 0; i < n; i++) this.push(t, enc.parts[i]!, headersOfPart[i]!, headerBytes[i]!, i === n - 1 ? 1 : 0);
    }
  }

  private push(t: Target, value: Buffer | string, headers: Record<string, string>, headerBytes: number, events: number, valueBytes?: number): void {
    this.records.push({
      topic: t.topic,
      partition: t.partition,
      key: t.key,
      value,
      headers,
      size: RECORD_OVERHEAD + (t.key ? t.key.length : 0) + (valueBytes ?? (value as Buffer).length) + headerBytes,
      events,
    });
  }
}

/** The JSON array text of a pack (events/envelope.ts encodeTextPack, without the Buffer). */
function textPack(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

function split(value: Buffer, max: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < value.length; i += max) parts.push(value.subarray(i, i + max));
  return parts;
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
