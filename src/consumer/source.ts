// What the consumer SDK needs from a broker client: messages of one lane (a Kafka partition, a RocketMQ
// receive batch) in order, acknowledged only after the SDK has finished with them.
export interface SourceMessage {
  /** Ordering domain the message came from: "<topic>/<partition>" (Kafka), "<topic>/<queue or group>" (RocketMQ). */
  lane: string;
  /** Kafka message key / RocketMQ message group ("<db>:<key>"), when there is one. */
  key: Buffer | null;
  value: Buffer;
  /** Kafka headers / RocketMQ properties (see events/envelope.ts). */
  headers: Record<string, string>;
}

/**
 * What the SDK answers for one deliver() call. A source may ignore it (and commit the whole call), at
 * the cost of losing a split event whose first parts were committed when the process dies before its
 * last part arrives.
 */
export interface DeliveryReceipt {
  /**
   * Indexes (ascending) of messages of the call that the SDK holds unprocessed: parts of a split event
   * (ce_part) whose later parts have not arrived yet. They become processed when the call that brings
   * the last part resolves. Do not commit/ack them before; keep fetching past them.
   */
  held: number[];
  /**
   * How many leading messages are processed with nothing held before them (messages.length when
   * `held` is empty). A source that commits a prefix (Kafka offsets) commits up to
   * messages[safePrefix - 1]; parts of one event are contiguous in a Kafka partition, so a later call
   * completing the event reports a safePrefix that covers them.
   */
  safePrefix: number;
  /**
   * How many leading messages the SDK took (absent = all). The SDK stops at an event published as
   * several copies (a multi-key command, a barrier) until the copies in the other lanes it consumes
   * arrived, so that the event runs after the earlier events of every one of those lanes: it takes the
   * message of that copy (listed in `held`) and leaves messages[taken..] untouched. The source delivers
   * those again, in order, after `resume` settled (Kafka: resolve the fetch position only up to
   * messages[taken - 1] and pause the partition; RocketMQ: make them visible again).
   */
  taken?: number;
  /**
   * Present when the lane must wait: deliver nothing more of it until this settles. Resolves, once the
   * held copy was processed, with the number of leading messages of this call now processed (commit up
   * to it); rejects when they were not (the wait was cancelled: commit nothing more, just resume).
   */
  resume?: Promise<number>;
}

export interface MessageSource {
  readonly name: string;
  /**
   * Starts consuming. `deliver` receives messages of one lane in order; calls for different lanes may
   * overlap. The source commits / acks the messages of a call only after its promise resolves; when it
   * rejects, the source does not acknowledge them and delivers them again later (after a backoff).
   * The promise resolves with a DeliveryReceipt (older sources may treat it as void).
   */
  start(deliver: (messages: SourceMessage[]) => Promise<DeliveryReceipt | void>): Promise<void>;
  /** Stops fetching, waits for the deliveries in progress, commits what they acknowledged. */
  stop(): Promise<void>;
  /** Optional: last known lag (messages not yet delivered) per lane, for RedisEventConsumer.stats(). */
  lag?(): Record<string, number>;
  /**
   * Optional: the lanes this consumer currently owns (Kafka: "<topic>/<partition>" of its assignment),
   * or undefined while unknown. Without it, every lane a copy was sent to counts as consumed here.
   */
  assignment?(): ReadonlySet<string> | undefined;
  /** Optional: registers a callback run after the assignment changed (a rebalance). */
  onAssignment?(listener: () => void): void;
}
