// Turns what rocketmq-client-nodejs throws into SinkErrors that say what happened and what to do. The
// client throws ClientException subclasses carrying a RocketMQ status code (apache.rocketmq.v2.Code,
// 5 digits), gRPC ServiceErrors carrying a gRPC status (0-16), TypeErrors for its own checks, and
// plain Errors wrapping any of these in `cause` (startup).
import { causeChainText, numericCodeOf } from '../../util/error-chain.js';
import { SinkError } from '../errors.js';

/** apache.rocketmq.v2.Code values the sink explains. */
export const RMQ_CODE = {
  ILLEGAL_TOPIC: 40002,
  ILLEGAL_MESSAGE_KEY: 40005,
  ILLEGAL_MESSAGE_GROUP: 40006,
  MESSAGE_PROPERTY_CONFLICT_WITH_TYPE: 40014,
  UNAUTHORIZED: 40100,
  FORBIDDEN: 40300,
  TOPIC_NOT_FOUND: 40402,
  PAYLOAD_TOO_LARGE: 41300,
  MESSAGE_BODY_TOO_LARGE: 41301,
  MESSAGE_PROPERTIES_TOO_LARGE: 43101,
} as const;

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

export interface ErrorContext {
  topic: string;
  endpoints: string;
}

export function createTopicCommand(topic: string): string {
  return `mqadmin updateTopic -n <namesrv host:9876> -c <cluster> -t ${topic} -a +message.type=FIFO`;
}

export function notFifoError(ctx: ErrorContext, cause?: unknown): SinkError {
  return new SinkError(
    'SINK_ROCKETMQ_TOPIC_NOT_FIFO',
    `RocketMQ topic "${ctx.topic}" is not a FIFO topic (message groups need message.type=FIFO); ` +
      `create it as FIFO: ${createTopicCommand(ctx.topic)}, or set rocketmq.data.topic to a FIFO topic`,
    { cause },
  );
}

export function topicMissingError(ctx: ErrorContext, cause?: unknown): SinkError {
  return new SinkError(
    'SINK_ROCKETMQ_TOPIC_MISSING',
    `RocketMQ topic "${ctx.topic}" does not exist on ${ctx.endpoints}; create it (FIFO) first: ${createTopicCommand(ctx.topic)}`,
    { cause },
  );
}

/** A failure at open(): not reachable, no topic, not allowed ... */
export function openError(err: unknown, ctx: ErrorContext): SinkError {
  if (err instanceof SinkError) return err;
  const code = numericCodeOf(err);
  if (code === RMQ_CODE.TOPIC_NOT_FOUND) return topicMissingError(ctx, err);
  if (code === RMQ_CODE.UNAUTHORIZED || code === RMQ_CODE.FORBIDDEN) {
    return new SinkError('SINK_ROCKETMQ_DENIED', `RocketMQ proxy ${ctx.endpoints} refused access to topic "${ctx.topic}" (check rocketmq.access.key / rocketmq.secret.key and the ACL): ${causeChainText(err)}`, { cause: err });
  }
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) {
    return new SinkError('SINK_ROCKETMQ_UNREACHABLE', `cannot reach the RocketMQ proxy at ${ctx.endpoints} (rocketmq.endpoints: its gRPC port, 8081 by default): ${causeChainText(err)}`, { cause: err, retriable: true });
  }
  return new SinkError('SINK_ROCKETMQ_OPEN_FAILED', `cannot start the RocketMQ producer for topic "${ctx.topic}" at ${ctx.endpoints}: ${causeChainText(err)}`, { cause: err, retriable: true });
}

/** A failed send (after the client's attempts). */
export function sendError(err: unknown, ctx: ErrorContext, group: string): SinkError {
  if (err instanceof SinkError) return err;
  const code = numericCodeOf(err);
  const text = causeChainText(err);
  if (code === RMQ_CODE.MESSAGE_PROPERTY_CONFLICT_WITH_TYPE || (err instanceof TypeError && /message type not match/i.test(text))) {
    return notFifoError(ctx, err);
  }
  if (code === RMQ_CODE.TOPIC_NOT_FOUND) return topicMissingError(ctx, err);
  if (code === RMQ_CODE.MESSAGE_BODY_TOO_LARGE || code === RMQ_CODE.PAYLOAD_TOO_LARGE || /body size exceeds/i.test(text)) {
    return new SinkError('SINK_ROCKETMQ_TOO_LARGE', `a message to "${ctx.topic}" is larger than the broker accepts; set rocketmq.max.message.bytes to the proxy's maxMessageSize: ${text}`, { cause: err, retriable: true });
  }
  if (code === RMQ_CODE.ILLEGAL_MESSAGE_GROUP || code === RMQ_CODE.ILLEGAL_MESSAGE_KEY || code === RMQ_CODE.MESSAGE_PROPERTIES_TOO_LARGE) {
    return new SinkError('SINK_ROCKETMQ_REFUSED', `the proxy refused a message of group "${group}" (is its maxMessageGroupSize / maxUserPropertySize below the defaults 64 / 16384?): ${text}`, { cause: err, retriable: true });
  }
  return new SinkError('SINK_ROCKETMQ_SEND_FAILED', `sending to RocketMQ topic "${ctx.topic}" via ${ctx.endpoints} failed: ${text}`, { cause: err, retriable: true });
}
