// kafkajs logs through our logger. kafkajs reports every attempt it will retry at ERROR; the sink
// reports the outcome (a failed publish is logged by the pipeline), so kafkajs errors become warnings
// and its INFO chatter becomes debug. Only primitive fields are passed on (no buffers, no config
// objects), and the logger masks secret-named fields.
import { logLevel, type logCreator } from 'kafkajs';
import type { LogFields, Logger } from '../../util/logger.js';

/** Messages that are expected with this sink's settings and are not worth a warning. */
const EXPECTED = [
  // retries are bounded on purpose: after a failed send the sink replaces the producer (new producer id)
  'Limiting retries for the idempotent producer',
];
/** Retried errors that are routine: a transaction begun while the previous commit completes (CONCURRENT_TRANSACTIONS). */
const EXPECTED_RETRIES = ['another concurrent operation on the same transaction'];

export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _t, logger: _l, stack: _s, ...rest } = log as { message: string; [k: string]: unknown };
      const fields: LogFields = { kafka: namespace };
      for (const [k, v] of Object.entries(rest)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
        else if (v instanceof Error) fields[k] = v.message;
      }
      // "Response <Api> ... error": one line per error response, which kafkajs then retries or throws
      // to us (a missing topic while the sink probes for it, a coordinator still loading)
      if (
        EXPECTED.some((m) => message.startsWith(m)) ||
        EXPECTED_RETRIES.some((m) => message.includes(m)) ||
        (namespace === 'Connection' && message.startsWith('Response '))
      ) {
        logger.debug(message, fields);
        return;
      }
      switch (level) {
        case logLevel.ERROR:
        case logLevel.WARN:
          logger.warn(message, fields);
          return;
        default:
          logger.debug(message, fields);
      }
    };
}
