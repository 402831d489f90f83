// kafkajs logs through our logger, for the Kafka sink and the SDK's Kafka source alike. kafkajs reports
// every attempt it will retry at ERROR; the caller reports the outcome, so kafkajs errors and warnings
// become warnings and the rest debug. Only primitive fields are passed on (no buffers, no config
// objects), and the logger masks secret-named fields.
import { logLevel, type logCreator } from 'kafkajs';
import type { LogFields, Logger } from '../util/logger.js';

/** Says whether a kafkajs message is routine for the caller (then logged at debug whatever its level). */
export type RoutineKafkaLog = (namespace: string, message: string) => boolean;

export function kafkaLogCreator(logger: Logger, isRoutine?: RoutineKafkaLog): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _t, logger: _l, stack: _s, ...rest } = log as { message: string; [k: string]: unknown };
      const fields: LogFields = { kafka: namespace };
      for (const [k, v] of Object.entries(rest)) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
        else if (v instanceof Error) fields[k] = v.message;
      }
      if ((level === logLevel.ERROR || level === logLevel.WARN) && !isRoutine?.(namespace, message)) logger.warn(message, fields);
      else logger.debug(message, fields);
    };
}
