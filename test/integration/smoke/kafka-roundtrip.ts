// kafkajs round trip shared by the Kafka smoke tests (3.9 shared broker, 4.x dedicated broker).
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { within } from './within.js';

/** Produces one message and consumes it with a fresh group. */
export async function produceAndConsume(bootstrap: string, topic: string, value: string): Promise<KafkaMessage> {
  const kafka = new Kafka({ clientId: 'rmqr-smoke', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'k1', value, headers: { origin: 'smoke' } }] });
  } finally {
    await producer.disconnect();
  }
  return consumeFirst(bootstrap, topic);
}

/** Reads the first message of the topic with a new consumer group. */
export async function consumeFirst(bootstrap: string, topic: string): Promise<KafkaMessage> {
  const kafka = new Kafka({ clientId: 'rmqr-smoke', brokers: [bootstrap], logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `rmqr-smoke-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const first = new Promise<KafkaMessage>((resolvePromise) => {
      void consumer.run({ eachMessage: async ({ message }) => resolvePromise(message) });
    });
    return await within(60_000, `consume from ${topic}`, first);
  } finally {
    await consumer.disconnect();
  }
}

