import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H } from '../../../../src/events/envelope.js';
import type { CommandEvent, ReplicationEvent, StreamPosition } from '../../../../src/events/types.js';
import { Dispatcher } from '../../../../src/pipeline/dispatcher.js';
import { SinkError } from '../../../../src/sinks/errors.js';
import type { OutgoingMessage, ProducerFactory, RocketMqProducer } from '../../../../src/sinks/rocketmq/producer.js';
import { MESSAGE_TYPE_FIFO } from '../../../../src/sinks/rocketmq/producer.js';
import { RocketMqSink } from '../../../../src/sinks/rocketmq/rocketmq-sink.js';
import type { RocketMqSinkOptions } from '../../../../src/sinks/rocketmq/options.js';
import { prng } from '../../../helpers/chunkings.js';

const R = 'c'.repeat(40);
const b = (s: string): Buffer => Buffer.from(s, 'utf8');
const set = (offset: number, key: string): CommandEvent => ({
  type: 'command', replid: R, offset, db: 0, command: 'SET', args: [b('SET'), b(key), b(String(offset))], keys: [b(key)], known: true,
});
const mset = (offset: number, keys: string[]): CommandEvent => ({
  type: 'command', replid: R, offset, db: 0, command: 'MSET', args: [b('MSET'), ...keys.flatMap((k) => [b(k), b(String(offset))])], keys: keys.map(b), known: true,
});

interface Stored {
  group: string;
  offset: number;
  part: string | undefined;
}

/** In-process fake of the RocketMQ producer: a "broker" log, per-group in-flight checks, injectable failures. */
class FakeBroker {
  readonly log: Stored[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly groupInFlight = new Map<string, number>();
  groupOverlap = 0;
  /** Returns an error to fail this send with (the message is then not stored). */
  failWhen: (m: OutgoingMessage, attempt: number) => Error | null = () => null;
  acceptedTypes: number[] = [MESSAGE_TYPE_FIFO];
  startError: Error | null = null;
  /** Delay of a send in ms (default: random up to maxDelayMs). */
  delayOf: ((m: OutgoingMessage) => number) | null = null;
  sends = 0;
  started = 0;
  shutdowns = 0;

  constructor(private readonly random: () => number, private readonly maxDelayMs = 3) {}

  factory: ProducerFactory = () => {
    const producer: RocketMqProducer = {
      start: async () => {
        this.started++;
        if (this.startError) throw this.startError;
      },
      acceptedMessageTypes: async () => this.acceptedTypes,
      send: (m) => this.send(m),
      shutdown: async () => {
        this.shutdowns++;
      },
    };
    return producer;
  };

  private async send(m: OutgoingMessage): Promise<void> {
    this.sends++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const g = (this.groupInFlight.get(m.group) ?? 0) + 1;
    this.groupInFlight.set(m.group, g);
    if (g > 1) this.groupOverlap++;
    try {
      const delay = this.delayOf ? this.delayOf(m) : Math.floor(this.random() * this.maxDelayMs);
      await new Promise((r) => setTimeout(r, delay));
      const err = this.failWhen(m, this.sends);
      if (err) throw err;
      this.log.push({ group: m.group, offset: Number(m.properties.get(H.offset)), part: m.properties.get(H.part) });
    } finally {
      this.inFlight--;
      this.groupInFlight.set(m.group, (this.groupInFlight.get(m.group) ?? 1) - 1);
    }
  }

  /** Per group, the offsets a watermark-deduplicating consumer would accept, in arrival order. */
  deduped(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (const s of this.log) {
      const list = out.get(s.group) ?? [];
      if (list.length === 0 || s.offset > list[list.length - 1]!) list.push(s.offset);
      out.set(s.group, list);
    }
    return out;
  }
}

const sinkOptions = (o: Partial<RocketMqSinkOptions> = {}): RocketMqSinkOptions => ({
  endpoints: '127.0.0.1:8081',
  topic: 'redis-events',
  sourceId: 'test:6379',
  ...o,
});

/** Runs events through the real Dispatcher into the sink, like the Replicator does. */
async function pump(sink: RocketMqSink, events: ReplicationEvent[], batch: number): Promise<{ errors: unknown[] }> {
  const errors: unknown[] = [];
  const d = new Dispatcher(
    { maxInFlight: sink.maxInFlight, maxEvents: batch, lingerMs: 0, maxPendingBytes: 1 << 30, retry: { initialMs: 2, maxMs: 10 } },
    { deliver: (b) => sink.publish(b), onDurable: () => undefined, onPressure: () => undefined, onDeliveryError: (e) => errors.push(e) },
    null,
  );
  for (const e of events) d.push([e], { replid: R, offset: e.offset, db: 0 } satisfies StreamPosition);
  await d.drain();
  d.stop();
  return { errors };
}

function expectedPerGroup(events: CommandEvent[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of events) {
    for (const k of new Set(e.keys.map((x) => x.toString()))) {
      const g = `0:${k}`;
      out.set(g, [...(out.get(g) ?? []), e.offset]);
    }
  }
  return out;
}

test('rocketmq sink (in-process fake producer): overlapping publishes keep each group in order, one message in flight per group', async () => {
  const random = prng(7); // deterministic: tests must not be flaky
  const broker = new FakeBroker(random);
  const sink = new RocketMqSink(sinkOptions({ sendConcurrency: 8, maxInFlight: 4 }), broker.factory);
  await sink.open();
  const keys = ['a', 'b', 'c', 'd', 'e'];
  const events: CommandEvent[] = [];
  for (let i = 1; i <= 600; i++) {
    events.push(random() < 0.15 ? mset(i, [keys[i % 5]!, keys[(i + 2) % 5]!]) : set(i, keys[Math.floor(random() * 5)]!));
  }
  const { errors } = await pump(sink, events, 7);
  await sink.close();
  assert.deepEqual(errors, []);
  assert.equal(broker.groupOverlap, 0, 'never two messages of one group in flight');
  assert.ok(broker.maxInFlight <= 8, `at most sendConcurrency in flight (saw ${broker.maxInFlight})`);
  assert.ok(broker.maxInFlight > 1, 'different groups are sent concurrently');
  const perGroup = new Map<string, number[]>();
  for (const s of broker.log) perGroup.set(s.group, [...(perGroup.get(s.group) ?? []), s.offset]);
  assert.deepEqual(perGroup, expectedPerGroup(events), 'each group received exactly its events, in stream order');
  assert.equal(sink.stats().events, events.length);
  assert.equal(broker.shutdowns, 1);
});

test('rocketmq sink (in-process fake producer): after a failed send nothing of its group overtakes it, and the retry restores order', async () => {
  const random = prng(11);
  const broker = new FakeBroker(random, 4);
  // fail a few sends of group 0:a, and one of 0:b, the first time they are tried
  const failedOnce = new Set<number>();
  const toFail = new Set([40, 41, 97, 180, 181, 182, 260]);
  broker.failWhen = (m) => {
    const off = Number(m.properties.get(H.offset));
    if (toFail.has(off) && !failedOnce.has(off)) {
      failedOnce.add(off);
      return new Error(`14 UNAVAILABLE: injected failure at offset ${off}`);
    }
    return null;
  };
  const sink = new RocketMqSink(sinkOptions({ sendConcurrency: 16, maxInFlight: 4 }), broker.factory);
  await sink.open();
  const events: CommandEvent[] = [];
  for (let i = 1; i <= 300; i++) events.push(i % 11 === 0 ? mset(i, ['a', 'b']) : set(i, i % 3 === 0 ? 'b' : i % 3 === 1 ? 'a' : `k${i % 17}`));
  const { errors } = await pump(sink, events, 5);
  await sink.close();
  assert.ok(errors.length >= 1, 'the failures reached the pipeline');
  // the pipeline reports one error per failed round, a send failure or a batch held back by it: either way
  // the report leads to the injected failure
  for (const e of errors) {
    assert.ok(e instanceof SinkError && e.retriable, String(e));
    const root = e.code === 'SINK_ROCKETMQ_HELD_BACK' ? e.cause : e;
    assert.ok(root instanceof SinkError && root.code === 'SINK_ROCKETMQ_SEND_FAILED', String(e));
    assert.match(e.message, /injected failure at offset \d+/);
  }
  assert.equal(broker.groupOverlap, 0);
  // what a consumer sees after dropping redelivered (not newer) events: every event of each group, in order
  assert.deepEqual(broker.deduped(), expectedPerGroup(events));
  // and nothing was lost: every event reached its groups at least once
  const stored = new Set(broker.log.map((s) => `${s.group}@${s.offset}`));
  for (const [g, offs] of expectedPerGroup(events)) for (const o of offs) assert.ok(stored.has(`${g}@${o}`), `${g}@${o}`);
});

test('rocketmq sink (in-process fake producer): a failure holds back later messages of every pending call without sending them', async () => {
  const broker = new FakeBroker(() => 0);
  broker.failWhen = (m) => (m.properties.get(H.offset) === '1' ? new Error('boom') : null);
  // offset 1 fails after 5 ms; offset 10 (group z) takes 150 ms, so the failure stays unsettled meanwhile
  broker.delayOf = (m) => (m.properties.get(H.offset) === '10' ? 150 : 5);
  const sink = new RocketMqSink(sinkOptions({ sendConcurrency: 2, maxInFlight: 4 }), broker.factory);
  await sink.open();
  const settle = (p: Promise<void>): Promise<unknown> => p.then(() => null, (e: unknown) => e);
  const first = settle(sink.publish([set(10, 'z'), set(1, 'a'), set(2, 'a'), set(3, 'b')]));
  const second = settle(sink.publish([set(4, 'a'), set(5, 'c')]));
  // a call made while the failure is not settled is refused at once, nothing sent
  await new Promise((r) => setTimeout(r, 50));
  const meanwhile = await settle(sink.publish([set(6, 'd')]));
  assert.ok(meanwhile instanceof SinkError && meanwhile.code === 'SINK_ROCKETMQ_HELD_BACK', String(meanwhile));
  assert.match(meanwhile.message, /earlier message failed \(.*boom\)/, 'the refusal names the failure behind it');
  const r1 = await first;
  const r2 = await second;
  assert.ok(r1 instanceof SinkError && r1.code === 'SINK_ROCKETMQ_SEND_FAILED', String(r1));
  assert.ok(r2 instanceof SinkError && r2.code === 'SINK_ROCKETMQ_HELD_BACK', String(r2));
  assert.equal(broker.sends, 2, 'only the failed message and the one already in flight were tried');
  assert.deepEqual(broker.log, [{ group: '0:z', offset: 10, part: undefined }], 'the message in flight completed');
  // once settled, the next call (the pipeline's retry) starts clean
  broker.failWhen = () => null;
  await sink.publish([set(10, 'z'), set(1, 'a'), set(2, 'a'), set(3, 'b')]);
  await sink.publish([set(4, 'a'), set(5, 'c')]);
  await sink.publish([set(6, 'd')]);
  assert.deepEqual(broker.deduped(), new Map([['0:z', [10]], ['0:a', [1, 2, 4]], ['0:b', [3]], ['0:c', [5]], ['0:d', [6]]]));
  await sink.close();
});

test('rocketmq sink (in-process fake producer): open() refuses a topic that is not FIFO or does not exist, with the command to create it', async () => {
  const normal = new FakeBroker(() => 0);
  normal.acceptedTypes = [1];
  const s1 = new RocketMqSink(sinkOptions({ topic: 'plain-topic' }), normal.factory);
  await assert.rejects(s1.open(), (e: unknown) => {
    assert.ok(e instanceof SinkError);
    assert.equal(e.code, 'SINK_ROCKETMQ_TOPIC_NOT_FIFO');
    assert.match(e.message, /"plain-topic" is not a FIFO topic/);
    assert.match(e.message, /mqadmin updateTopic .*-t plain-topic -a \+message\.type=FIFO/);
    return true;
  });
  assert.equal(normal.shutdowns, 1, 'the producer is shut down after a failed open');

  const missing = new FakeBroker(() => 0);
  // what rocketmq-client-nodejs throws: an Error whose cause chain ends in a NotFoundException (code 40402)
  const notFound = Object.assign(new Error('[request-id=x, response-code=40402] No topic route info in name server for the topic: nope'), { code: 40402 });
  missing.startError = new Error('Startup the rocketmq client failed', { cause: new Error('Failed to fetch topic routes after 3 attempts', { cause: notFound }) });
  const s2 = new RocketMqSink(sinkOptions({ topic: 'nope' }), missing.factory);
  await assert.rejects(s2.open(), (e: unknown) => e instanceof SinkError && e.code === 'SINK_ROCKETMQ_TOPIC_MISSING' && /"nope" does not exist/.test(e.message));

  const down = new FakeBroker(() => 0);
  down.startError = new Error('Startup failed', { cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }) });
  const s3 = new RocketMqSink(sinkOptions({ endpoints: '127.0.0.1:1' }), down.factory);
  await assert.rejects(s3.open(), (e: unknown) => e instanceof SinkError && e.code === 'SINK_ROCKETMQ_UNREACHABLE' && e.retriable && /127\.0\.0\.1:1/.test(e.message));

  // a send refused for its type (the topic changed under us) gets the same explanation
  const changed = new FakeBroker(() => 0);
  changed.failWhen = () => new TypeError('Current message type not match with topic accept message types, topic=redis-events');
  const s4 = new RocketMqSink(sinkOptions(), changed.factory);
  await s4.open();
  await assert.rejects(s4.publish([set(1, 'a')]), (e: unknown) => e instanceof SinkError && e.code === 'SINK_ROCKETMQ_TOPIC_NOT_FIFO');
  await s4.close();
  await assert.rejects(s4.publish([set(2, 'a')]), (e: unknown) => e instanceof SinkError && e.code === 'SINK_NOT_OPEN');
});

test('rocketmq sink (in-process fake producer): option errors are named', () => {
  assert.throws(() => new RocketMqSink(sinkOptions({ endpoints: '' })), /endpoints is required/);
  assert.throws(() => new RocketMqSink(sinkOptions({ endpoints: 'http://x:8081' })), /not host:port/);
  assert.throws(() => new RocketMqSink(sinkOptions({ accessKey: 'ak' })), /go together/);
  assert.throws(() => new RocketMqSink(sinkOptions({ topic: 'bad topic' })), /not a valid RocketMQ topic/);
  assert.throws(() => new RocketMqSink(sinkOptions({ maxMessageBytes: 1000 })), /maxMessageBytes/);
});

test('rocketmq sink (in-process fake producer): after connection failures it starts a new producer and sends through it', async () => {
  const made: Array<{ id: number; sent: number; shutdown: boolean }> = [];
  let proxyUp = false;
  const factory: ProducerFactory = () => {
    const me = { id: made.length, sent: 0, shutdown: false };
    made.push(me);
    // the first producer's channel stays broken (the client's reconnect backoff); later ones connect
    const broken = me.id === 0;
    return {
      start: async () => {
        if (!proxyUp && me.id > 0) throw Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { code: 14 });
      },
      acceptedMessageTypes: async () => [MESSAGE_TYPE_FIFO],
      send: async () => {
        if (broken && me.sent >= 1) throw Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
        me.sent++;
      },
      shutdown: async () => {
        me.shutdown = true;
      },
    };
  };
  const sink = new RocketMqSink(sinkOptions({ reconnectAfterMs: 50 }), factory);
  await sink.open();
  await sink.publish([set(1, 'a')]);
  const attempt = (o: number): Promise<unknown> => sink.publish([set(o, 'a')]).then(() => null, (e: unknown) => e);
  // failures right after a success do not replace the producer
  assert.ok(((await attempt(2)) as SinkError).code === 'SINK_ROCKETMQ_SEND_FAILED');
  assert.equal(made.length, 1);
  // failing for longer than reconnectAfterMs while the proxy is still down: a new producer is tried, and dropped
  await new Promise((r) => setTimeout(r, 60));
  await attempt(2);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(made.length, 2);
  assert.equal(made[1]!.shutdown, true, 'a producer that could not start is shut down');
  assert.equal(sink.stats().reconnects, 0);
  // the proxy is back; the old channel still fails: the next attempt (after reconnectAfterMs) brings a working producer
  proxyUp = true;
  await new Promise((r) => setTimeout(r, 60));
  await attempt(2);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(made.length, 3);
  assert.equal(sink.stats().reconnects, 1);
  assert.equal(await attempt(2), null, 'sends go through the new producer');
  assert.equal(await attempt(3), null);
  assert.equal(made[2]!.sent, 2);
  await sink.close();
  assert.ok(made.every((m) => m.shutdown), 'close() shuts down the replaced producer too');
});
