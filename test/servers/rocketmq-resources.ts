// The RocketMQ topics and FIFO consumer groups the test bed creates before any client asks for a
// route (the proxy caches "topic does not exist"). Later issues add their entries here, and to the
// rocketmq-init service of docker-compose.yml.

export type RocketmqTopicType = 'NORMAL' | 'FIFO' | 'DELAY' | 'TRANSACTION';

export interface RocketmqTopic {
  name: string;
  type: RocketmqTopicType;
  /** Read and write queues; default 8 (mqadmin's default). */
  queues?: number;
}

export const ROCKETMQ_TOPICS: readonly RocketmqTopic[] = [
  { name: 'rmqr-smoke-normal', type: 'NORMAL' },
  { name: 'rmqr-smoke-fifo', type: 'FIFO' },
  { name: 'rmqr-events', type: 'FIFO' },
  // the sink's default rocketmq.data.topic, so a default configuration works against the bed
  { name: 'redis-events', type: 'FIFO' },
];

/** Groups with consumeMessageOrderly=true: only those get FIFO delivery (an auto-created group does not). */
export const ROCKETMQ_FIFO_GROUPS: readonly string[] = ['rmqr-smoke-fifo-group', 'rmqr-sdk', 'rmqr-sdk-2'];
