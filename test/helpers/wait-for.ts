// Polling waits of the integration tests, and unique names for what a test creates on shared servers.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

/** Polls `check` every 50 ms until it is true; the error names `what` and, when given, describe(). */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `: ${describe()}` : ''}`);
    await delay(50);
  }
}

/** "<prefix>-<8 hex chars>": topics, groups and keys of one test run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
