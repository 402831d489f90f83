// The shared RocketMQ 5 (NameServer + proxy in local mode) is real: rocketmq-client-nodejs sends and a
// SimpleConsumer receives, on a NORMAL topic and, in order, on a FIFO topic with an orderly group; the
// topics carry their message types; a test can create a topic of its own with the admin tool.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Producer, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import { testServers, withLogsOnFailure } from '../../helpers/servers.js';
import { createRocketmqTopics } from '../../servers/rocketmq-admin.js';

const { rocketmq } = testServers();
const serverLogs = rocketmq.logPaths.map((logPath, i) => ({ name: i === 0 ? 'rocketmq-namesrv' : 'rocketmq-proxy', logPath }));

// The client's default logger writes to ~/logs; keep its lines in memory and show them on failure.
const clientLines: string[] = [];
const logger = {
  info: (...args: unknown[]): void => void clientLines.push(`INFO ${args.map(String).join(' ')}`),
  warn: (...args: unknown[]): void => void clientLines.push(`WARN ${args.map(String).join(' ')}`),
  error: (...args: unknown[]): void => void clientLines.push(`ERROR ${args.map(String).join(' ')}`),
  debug: (): void => undefined,
};

// Known client bug (rocketmq-clients #966): timer callbacks reject without a handler. Record, don't crash.
process.on('unhandledRejection', (reason) => clientLines.push(`UNHANDLED ${String(reason)}`));

const topicOf = (type: 'NORMAL' | 'FIFO'): string => {
  const topic = rocketmq.topics.find((t) => t.type === type && t.name.startsWith('rmqr-smoke-'));
  assert.ok(topic !== undefined, `the test bed creates a ${type} smoke topic`);
  return topic.name;
};

let producer: Producer;

before(async () => {
  producer = new Producer({ endpoints: rocketmq.proxy, namespace: '', logger, maxAttempts: 3 });
  await producer.startup();
});

after(async () => {
  await producer.shutdown();
});

/**
 * Receives until `wanted` bodies have been seen (acking everything, also leftovers of earlier runs);
 * returns the wanted bodies in arrival order. Retries receive errors: right after startup the proxy
 * may not have the client's settings yet (apache/rocketmq #8714).
 */
async function receiveBodies(consumer: SimpleConsumer, wanted: Set<string>, timeoutMs: number): Promise<string[]> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (seen.length < wanted.size) {
    if (Date.now() > deadline) {
      throw new Error(`received ${seen.length}/${wanted.size} messages in ${timeoutMs} ms; last receive error: ${String(lastError)}`);
    }
    let views: MessageView[];
    try {
      views = await consumer.receive(16, 5000);
    } catch (err) {
      lastError = err;
      await delay(500);
      continue;
    }
    for (const view of views) {
      const body = view.getBody().toString();
      await consumer.ack(view);
      if (wanted.has(body)) seen.push(body);
    }
  }
  return seen;
}

async function explain<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await withLogsOnFailure(serverLogs, fn);
  } catch (err) {
    process.stderr.write(`rocketmq client log:\n${clientLines.slice(-40).join('\n')}\n`);
    throw err;
  }
}

test('rocketmq: send and receive on a NORMAL topic', async () => {
  await explain(async () => {
    const topic = topicOf('NORMAL');
    const body = `normal-${randomUUID()}`;
    const consumer = new SimpleConsumer({
      endpoints: rocketmq.proxy,
      namespace: '',
      logger,
      consumerGroup: `rmqr-smoke-normal-${process.pid}`,
      subscriptions: new Map([[topic, '*']]),
      awaitDuration: 2000,
    });
    await consumer.startup();
    try {
      const receipt = await producer.send({
        topic,
        tag: 'smoke',
        keys: ['k1'],
        body: Buffer.from(body),
        properties: new Map([['origin', 'smoke']]),
      });
      assert.ok(receipt.messageId.length > 0);
      assert.deepEqual(await receiveBodies(consumer, new Set([body]), 60_000), [body]);
    } finally {
      await consumer.shutdown();
    }
  });
});

test('rocketmq: a FIFO topic with an orderly group holds back a message until the previous one is acked', async () => {
  await explain(async () => {
    const topic = topicOf('FIFO');
    const group = rocketmq.fifoGroups.find((g) => g.startsWith('rmqr-smoke-'));
    assert.ok(group !== undefined, 'the test bed creates a FIFO smoke group');
    const run = randomUUID();
    const bodies = Array.from({ length: 3 }, (_, i) => `fifo-${run}-${i}`);
    const consumer = new SimpleConsumer({
      endpoints: rocketmq.proxy,
      namespace: '',
      logger,
      consumerGroup: group,
      subscriptions: new Map([[topic, '*']]),
      awaitDuration: 2000,
    });
    await consumer.startup();
    try {
      for (const body of bodies) {
        await producer.send({ topic, body: Buffer.from(body), messageGroup: `group-${run}` });
      }
      // take the first message and keep it un-acked
      let first: MessageView | undefined;
      const deadline = Date.now() + 60_000;
      while (first === undefined && Date.now() < deadline) {
        const views = await consumer.receive(1, 15_000).catch(() => [] as MessageView[]);
        first = views.find((v) => v.getBody().toString() === bodies[0]);
      }
      assert.ok(first !== undefined, 'the first message of the group arrives');
      // an orderly group delivers nothing more of this group while it is in flight
      const meanwhile = await consumer.receive(16, 15_000).catch(() => [] as MessageView[]);
      assert.deepEqual(meanwhile.map((v) => v.getBody().toString()).filter((b) => bodies.includes(b)), []);
      await consumer.ack(first);
      assert.deepEqual(await receiveBodies(consumer, new Set(bodies.slice(1)), 60_000), bodies.slice(1));
    } finally {
      await consumer.shutdown();
    }
  });
});

test('rocketmq: the topics carry their message type (a group is refused on NORMAL, its absence on FIFO)', async () => {
  await explain(async () => {
    // the client checks against the accepted types the proxy publishes for the topic
    const mismatch = /message type not match/;
    await assert.rejects(producer.send({ topic: topicOf('NORMAL'), body: Buffer.from('x'), messageGroup: 'g' }), mismatch);
    await assert.rejects(producer.send({ topic: topicOf('FIFO'), body: Buffer.from('x') }), mismatch);
  });
});

test('rocketmq: a test can create its own FIFO topic with the admin tool, then use it', async () => {
  await explain(async () => {
    const topic = `rmqr-smoke-own-${process.pid}-${Date.now()}`;
    await createRocketmqTopics(rocketmq, [{ name: topic, type: 'FIFO', queues: 2 }]);
    const receipt = await producer.send({ topic, body: Buffer.from('own topic'), messageGroup: 'g1' });
    assert.ok(receipt.messageId.length > 0);
    await assert.rejects(producer.send({ topic, body: Buffer.from('no group') }), /message type not match/);
  });
});
