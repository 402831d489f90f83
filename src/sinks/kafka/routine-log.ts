// What kafkajs logs that is routine for the sink (logged at debug, see kafka/kafka-log.ts).
import type { RoutineKafkaLog } from '../../kafka/kafka-log.js';

/** Messages that are expected with this sink's settings and are not worth a warning. */
const EXPECTED = [
  // retries are bounded on purpose: after a failed send the sink replaces the producer (new producer id)
  'Limiting retries for the idempotent producer',
];
/** Retried errors that are routine: a transaction begun while the previous commit completes (CONCURRENT_TRANSACTIONS). */
const EXPECTED_RETRIES = ['another concurrent operation on the same transaction'];

export const routineSinkLog: RoutineKafkaLog = (namespace, message) =>
  EXPECTED.some((m) => message.startsWith(m)) ||
  EXPECTED_RETRIES.some((m) => message.includes(m)) ||
  // "Response <Api> ... error": one line per error response, which kafkajs then retries or throws
  // to us (a missing topic while the sink probes for it, a coordinator still loading)
  (namespace === 'Connection' && message.startsWith('Response '));
