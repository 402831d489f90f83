// Adapts our Logger to the printf-style logger interface client libraries expect
// (`info('sent %s to %s', a, b)`), and lets the caller lower a chatty library's levels.
import { format } from 'node:util';
import type { Logger, LogLevel } from './logger.js';

export interface PrintfLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export interface PrintfLevels {
  debug: LogLevel;
  info: LogLevel;
  warn: LogLevel;
  error: LogLevel;
}

/**
 * Everything a library says goes to our debug level: the caller reports the failures that matter in
 * its own words, and a retried outage would otherwise print a library error line per message.
 */
export const LIBRARY_AT_DEBUG: PrintfLevels = { debug: 'silent', info: 'debug', warn: 'debug', error: 'debug' };

/** `secrets`: strings masked wherever they appear in a line (a library may print its settings). */
export function printfLogger(log: Logger, levels: PrintfLevels = LIBRARY_AT_DEBUG, secrets: readonly string[] = []): PrintfLogger {
  const masked = secrets.filter((s) => s.length > 0);
  const at = (level: LogLevel) => (...args: unknown[]): void => {
    if (level === 'silent') return;
    let line = format(...args);
    for (const s of masked) line = line.split(s).join('***');
    log[level](line);
  };
  return { debug: at(levels.debug), info: at(levels.info), warn: at(levels.warn), error: at(levels.error) };
}
