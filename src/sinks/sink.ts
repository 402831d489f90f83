// The contract between the pipeline and every destination (stdout, files, Kafka, RocketMQ, listeners).
// A sink acknowledges a batch only when the destination holds it durably; the pipeline checkpoints and
// ACKs the master only up to the last batch that is acknowledged together with all batches before it.
import type { ReplicationEvent } from '../events/types.js';

export interface Sink {
  /** Short name for logs and metrics ('stdout', 'file', 'kafka', 'rocketmq'). */
  readonly name: string;
  /** How many publish() calls may be outstanding at once; 1 = strictly one after the other. */
  readonly maxInFlight: number;
  open(): Promise<void>;
  /**
   * Publishes the events in order. Resolves once all of them are durably acknowledged. Calls may overlap
   * (up to maxInFlight) and the sink keeps per-key order across overlapping calls. A rejection means the
   * batch may be partially published: the pipeline stops and resumes from its last checkpoint, so the
   * events after it are published again (duplicates identifiable by replid/offset), never lost.
   */
  publish(batch: readonly ReplicationEvent[]): Promise<void>;
  /** Flushes what is pending and releases resources. */
  close(): Promise<void>;
}

/** Turns an event into one line of text (the JSON form by default). */
export type LineEncoder = (event: ReplicationEvent) => string;
