// Shared pieces of the Redis -> RocketMQ integration tests: topics and FIFO groups of their own, reading
// a topic back message by message with the RocketMQ source alone (no SDK logic: what is really in the
// message groups), and the checks on it.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { RocketMqSource } from '../../../src/consumer/sources/rocketmq.js';
import type { SourceMessage } from '../../../src/consumer/source.js';
import { CE_TYPE_PREFIX, H, jsonCodec } from '../../../src/events/envelope.js';
import type { ReplicationEvent } from '../../../src/events/types.js';
import { RocketMqSink } from '../../../src/sinks/rocketmq/rocketmq-sink.js';
import { createLogger, type Logger } from '../../../src/util/logger.js';
import { withLogsOnFailure, type HasLog } from '../../helpers/servers.js';
import { tieRank } from '../../helpers/stream-order.js';

/** Logs of the clients under test, kept in memory and printed when a test fails (RMQR_TEST_LOG=1: live). */
export class MemoryLog {
  readonly lines: string[] = [];
  readonly logger: Logger = createLogger({
    level: 'debug',
    write: (line) => {
      this.lines.push(line);
      if (this.lines.length > 4000) this.lines.splice(0, 1000);
      if (process.env['RMQR_TEST_LOG'] === '1') process.stderr.write(line + '\n');
    },
  });

  tail(n = 60): string {
    return this.lines.slice(-n).join('\n');
  }
}

/** Runs fn; when it throws, prints the servers' log tails and the clients' last log lines. */
export async function explained<T>(servers: HasLog[], clients: MemoryLog, fn: () => Promise<T>): Promise<T> {
  try {
    return await withLogsOnFailure(servers, fn);
  } catch (err) {
    process.stderr.write(`client log (last lines):\n${clients.tail(100)}\n`);
    throw err;
  }
}

/**
 * Waits until a producer can get the topic's route: a topic just created on a dedicated broker reaches
 * the NameServer with the broker's next registration, seconds later.
 */
export async function waitForTopicRoute(endpoints: string, topic: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new RocketMqSink({ endpoints, topic, sourceId: 'route-probe' });
    try {
      await probe.open();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await delay(1000);
    } finally {
      await probe.close();
    }
  }
}

/** A message as stored in the topic, with its position in arrival order. */
export interface ReadMessage extends SourceMessage {
  seq: number;
}

/**
 * Reads a topic with the RocketMQ source and a group of its own, acknowledging everything: the raw
 * messages in arrival order (duplicates included).
 */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private readonly source: RocketMqSource;

  constructor(endpoints: string, topic: string, group: string, logger: Logger) {
    this.source = new RocketMqSource({ endpoints, topics: topic, group, awaitDurationMs: 2000, invisibleDurationMs: 20_000, logger });
  }

  async start(): Promise<void> {
    await this.source.start(async (batch) => {
      for (const m of batch) this.messages.push({ ...m, seq: this.messages.length });
    });
  }

  stop(): Promise<void> {
    return this.source.stop();
  }
}

/** Position of a message's event from its headers, ordered like compareEvents (+ the stream-begin/end tie-break). */
export interface HeaderPosition {
  replid: string;
  offset: number;
  rdbOffset: number;
  index: number;
  rank: number;
}

export function headerPosition(h: Record<string, string>): HeaderPosition {
  const type = h[H.type];
  return {
    replid: h[H.replid] ?? '',
    offset: Number(h[H.offset]),
    rdbOffset: h[H.rdbOffset] === undefined ? Infinity : Number(h[H.rdbOffset]),
    index: h[H.chunkIndex] === undefined ? -1 : Number(h[H.chunkIndex]),
    // stream-end and a partial resync's stream-begin share the offset of the command before them
    rank: type === undefined ? 0 : tieRank(type.slice(CE_TYPE_PREFIX.length)),
  };
}

function comparePosition(a: HeaderPosition, b: HeaderPosition): number {
  if (a.offset !== b.offset) return a.offset - b.offset;
  if (a.rdbOffset !== b.rdbOffset) return a.rdbOffset < b.rdbOffset ? -1 : 1;
  if (a.index !== b.index) return a.index - b.index;
  return a.rank - b.rank;
}

/** The group of a message: the lane is "<topic>/<group>". */
export function groupOf(m: SourceMessage): string {
  return m.lane.slice(m.lane.indexOf('/') + 1);
}

const eventKey = (m: SourceMessage): string => `${m.headers[H.id]}|${m.headers[H.type]}`;

/**
 * Checks the message groups as they are. Per group: the parts of a split event come together, 0..n-1;
 * each event is newer than every event before it in the group (stream order), except repeats of an
 * event already in the group (a republished batch), allowed only with `allowRepeats` and returned.
 */
export function assertGroupOrder(messages: readonly ReadMessage[], allowRepeats: boolean): ReadMessage[] {
  interface GroupState { max: HeaderPosition; seen: Set<string>; open: { key: string; next: number; n: number } | null }
  const groups = new Map<string, GroupState>();
  const repeats: ReadMessage[] = [];
  for (const m of messages) {
    const g = groupOf(m);
    const [i, n] = (m.headers[H.part] ?? '0/1').split('/').map(Number) as [number, number];
    const st = groups.get(g);
    if (i > 0) {
      assert.ok(st?.open && st.open.key === eventKey(m) && st.open.next === i, `group ${g}: part ${i}/${n} of ${eventKey(m)} is not right after part ${i - 1}`);
      st.open = i === n - 1 ? null : { key: st.open.key, next: i + 1, n };
      continue;
    }
    assert.ok(!st?.open, `group ${g}: ${st?.open?.key} stops at part ${(st?.open?.next ?? 0) - 1} of ${st?.open?.n}`);
    const pos = headerPosition(m.headers);
    const open = n > 1 ? { key: eventKey(m), next: 1, n } : null;
    if (!st) {
      groups.set(g, { max: pos, seen: new Set([eventKey(m)]), open });
      continue;
    }
    st.open = open;
    if (pos.replid !== st.max.replid || comparePosition(pos, st.max) > 0) {
      st.max = pos;
      st.seen.add(eventKey(m));
      continue;
    }
    assert.ok(allowRepeats, `group ${g}: ${eventKey(m)} arrived after a newer event (out of stream order)`);
    assert.ok(st.seen.has(eventKey(m)), `group ${g}: ${eventKey(m)} is older than an event before it and was not in the group yet: out of stream order`);
    repeats.push(m);
  }
  for (const [g, st] of groups) assert.equal(st.open, null, `group ${g}: the last split event is incomplete`);
  return repeats;
}

/** Decodes the raw messages (JSON), joining split events, one entry per message group copy. */
export function decodeMessages(messages: readonly ReadMessage[]): Array<{ group: string; event: ReplicationEvent; headers: Record<string, string> }> {
  const out: Array<{ group: string; event: ReplicationEvent; headers: Record<string, string> }> = [];
  const partial = new Map<string, Buffer[]>();
  for (const m of messages) {
    const g = groupOf(m);
    const part = m.headers[H.part];
    if (part === undefined) {
      out.push({ group: g, event: jsonCodec.decode(m.value), headers: m.headers });
      continue;
    }
    const [i, n] = part.split('/').map(Number) as [number, number];
    const key = `${g}|${m.headers[H.id]}`;
    const list = i === 0 ? [] : partial.get(key) ?? [];
    list.push(m.value);
    partial.set(key, list);
    if (i === n - 1 && list.length === n) {
      partial.delete(key);
      out.push({ group: g, event: jsonCodec.decode(Buffer.concat(list)), headers: m.headers });
    }
  }
  return out;
}
