// The part of a RocketMQ producer the sink uses, and its implementation with rocketmq-client-nodejs
// (5.x gRPC client, talks to the proxy). Unit tests substitute an in-process fake.
import { Producer } from 'rocketmq-client-nodejs';
import type { PrintfLogger } from '../../util/printf-logger.js';

export interface OutgoingMessage {
  topic: string;
  group: string;
  tag: string;
  keys: string[];
  properties: Map<string, string>;
  body: Buffer;
}

export interface RocketMqProducer {
  /** Connects and fetches the topic's route (fails when the topic does not exist). */
  start(): Promise<void>;
  /** Message types (RocketMQ MessageType numbers) the topic's queues accept, from the route. */
  acceptedMessageTypes(topic: string): Promise<number[]>;
  /** Resolves when the broker stored the message; rejects after the client's attempts. */
  send(message: OutgoingMessage): Promise<void>;
  shutdown(): Promise<void>;
}

export interface ProducerSettings {
  endpoints: string;
  namespace: string;
  topic: string;
  ssl: boolean;
  accessKey?: string;
  secretKey?: string;
  requestTimeoutMs: number;
  maxAttempts: number;
  logger: PrintfLogger;
}

export type ProducerFactory = (settings: ProducerSettings) => RocketMqProducer;

/** apache.rocketmq.v2.MessageType.FIFO */
export const MESSAGE_TYPE_FIFO = 2;

/** Producer with access to the route the client fetched (protected in the library). */
class RoutedProducer extends Producer {
  async acceptedMessageTypes(topic: string): Promise<number[]> {
    const route = await this.getRouteData(topic);
    const types = new Set<number>();
    for (const q of route.messageQueues) for (const t of q.acceptMessageTypesList) types.add(t);
    return [...types];
  }
}

export const clientProducerFactory: ProducerFactory = (s) => {
  const producer = new RoutedProducer({
    endpoints: s.endpoints,
    namespace: s.namespace,
    sslEnabled: s.ssl,
    requestTimeout: s.requestTimeoutMs,
    maxAttempts: s.maxAttempts,
    logger: s.logger,
    topics: [s.topic],
    ...(s.accessKey && s.secretKey ? { sessionCredentials: { accessKey: s.accessKey, accessSecret: s.secretKey } } : {}),
  });
  return {
    start: () => producer.startup(),
    acceptedMessageTypes: (topic) => producer.acceptedMessageTypes(topic),
    send: async (m) => {
      await producer.send({
        topic: m.topic,
        messageGroup: m.group,
        ...(m.tag === '' ? {} : { tag: m.tag }),
        keys: m.keys,
        properties: m.properties,
        body: m.body,
      });
    },
    shutdown: () => producer.shutdown(),
  };
};
