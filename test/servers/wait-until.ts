// Readiness polling: a real client call repeated until it succeeds; never a fixed sleep.
import { setTimeout as delay } from 'node:timers/promises';
import { formatLogTail } from './log-tail.js';
import type { ServerProcess } from './server-process.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Fail at once, with its log, when this process exits while we wait. */
  process?: ServerProcess;
}

export async function waitUntil<T>(what: string, probe: () => Promise<T>, options: WaitOptions): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    const proc = options.process;
    if (proc !== undefined && !proc.running) {
      const info = proc.exitInfo;
      throw new Error(
        `${what}: ${proc.name} exited (code ${String(info?.code)}, signal ${String(info?.signal)}) before it was ready\n` +
          formatLogTail(proc.name, proc.logPath),
      );
    }
    try {
      return await probe();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() - started > options.timeoutMs) {
      const last = lastError instanceof Error ? lastError.message : String(lastError);
      const log = proc === undefined ? '' : `\n${formatLogTail(proc.name, proc.logPath)}`;
      throw new Error(`${what}: not ready after ${options.timeoutMs} ms (last error: ${last})${log}`);
    }
    await delay(options.intervalMs ?? 250);
  }
}
