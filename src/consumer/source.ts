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

export interface MessageSource {
  readonly name: string;
  /**
   * Starts consuming. `deliver` receives messages of one lane in order; calls for different lanes may
   * overlap. The source commits / acks the messages of a call only after its promise resolves; when it
   * rejects, the source does not acknowledge them and delivers them again later (after a backoff).
   */
  start(deliver: (messages: SourceMessage[]) => Promise<void>): Promise<void>;
  /** Stops fetching, waits for the deliveries in progress, commits what they acknowledged. */
  stop(): Promise<void>;
}
