// Which topic a Kafka record goes to.
//  - A key's copy: the topic of the longest configured prefix the Redis key starts with, else the
//    topic template.
//  - The template may hold {db} (the key's database; "none" for events without one, db -1) and {type}
//    (the event type, e.g. key-value, command): a topic per database or per event type.
//  - Keyless events (PUBLISH channels, FLUSHDB, snapshot begin/end ...) use the template.
// Per-key order holds within a topic: with {type}, a key's events of different types are in different
// topics and not ordered against each other.
import type { ReplicationEvent } from '../../events/types.js';
import type { KafkaTopicPrefix } from './options.js';

const PLACEHOLDER = /\{(db|type)\}/g;
/** Kafka's legal topic characters (Topic.java: [a-zA-Z0-9._-], at most 249). */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export const NO_DB_TOPIC_PART = 'none';

export class TopicResolver {
  private readonly prefixes: KafkaTopicPrefix[];
  private readonly templated: boolean;
  private readonly pattern: RegExp;

  constructor(
    readonly template: string,
    prefixes: readonly KafkaTopicPrefix[] = [],
  ) {
    // Longest prefix first, so the first match is the most specific.
    this.prefixes = [...prefixes].sort((a, b) => b.prefix.length - a.prefix.length);
    this.templated = /\{(db|type)\}/.test(template);
    const parts = template.split(PLACEHOLDER);
    // split with a capture group alternates literal, name, literal ...
    let re = '';
    for (let i = 0; i < parts.length; i++) re += i % 2 === 0 ? escapeRe(parts[i]!) : '[a-zA-Z0-9_-]+';
    this.pattern = new RegExp(`^${re}$`);
    for (const p of this.prefixes) checkTopicName(p.topic);
    if (!this.templated) checkTopicName(template);
  }

  /** Topics known from the configuration alone (the template without placeholders, prefix topics). */
  get fixedTopics(): string[] {
    const out = new Set<string>(this.prefixes.map((p) => p.topic));
    if (!this.templated) out.add(this.template);
    return [...out];
  }

  /** True when an existing topic could be an instance of the template (found at startup for barriers). */
  matchesTemplate(topic: string): boolean {
    return this.templated && this.pattern.test(topic);
  }

  /** Topic of the copy of `event` for routing key "<db>:<key>" (or "pubsub:<channel>"). */
  topicForRoutingKey(event: ReplicationEvent, routingKey: Buffer): string {
    const colon = routingKey.indexOf(0x3a);
    const db = colon > 0 ? parseDb(routingKey, colon) : -2;
    if (db === -2) return this.topicFor(event.type, event.db); // pubsub channel: keyless
    if (this.prefixes.length > 0) {
      const key = routingKey.subarray(colon + 1);
      for (const p of this.prefixes) {
        if (key.length >= p.prefix.length && key.compare(p.prefix, 0, p.prefix.length, 0, p.prefix.length) === 0) return p.topic;
      }
    }
    return this.topicFor(event.type, db);
  }

  /** The template resolved for an event type and database. */
  topicFor(type: string, db: number): string {
    if (!this.templated) return this.template;
    const t = this.template.replace(PLACEHOLDER, (_m, name: string) => (name === 'db' ? (db < 0 ? NO_DB_TOPIC_PART : String(db)) : type));
    checkTopicName(t);
    return t;
  }
}

/** The db digits before the colon of a routing key; -2 when the prefix is not a database number. */
function parseDb(rk: Buffer, colon: number): number {
  let n = 0;
  for (let i = 0; i < colon; i++) {
    const c = rk[i]!;
    if (c < 0x30 || c > 0x39) return -2;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function checkTopicName(t: string): void {
  if (!LEGAL_TOPIC.test(t) || t === '.' || t === '..') {
    throw new Error(`"${t}" is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
