// Some client libraries reject promises nobody awaits (rocketmq-client-nodejs: timer callbacks and
// telemetry streams, rocketmq-clients #966), which would end the process. A guard logs the rejections
// it recognises instead. It is reference-counted: one process listener however many clients are open,
// removed when the last one closes. A rejection it does not recognise is rethrown when no other
// listener exists, so the process still stops as Node's default mode would.
import type { Logger } from './logger.js';

export type RejectionMatcher = (reason: unknown) => boolean;

interface Registration {
  match: RejectionMatcher;
  log: Logger;
  what: string;
}

const registrations = new Set<Registration>();
let installed = false;

function onUnhandledRejection(reason: unknown): void {
  for (const r of registrations) {
    if (!r.match(reason)) continue;
    r.log.warn(`ignored an unhandled rejection from ${r.what}: ${describe(reason)}`);
    return;
  }
  // Not ours: behave as if we were not listening (Node's default turns it into an uncaught exception).
  if (process.listenerCount('unhandledRejection') === 1) throw reason;
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return String(reason);
}

/**
 * Logs (instead of crashing on) unhandled rejections for which `match` returns true, until the
 * returned function is called.
 */
export function guardUnhandledRejections(what: string, match: RejectionMatcher, log: Logger): () => void {
  const reg: Registration = { match, log, what };
  registrations.add(reg);
  if (!installed) {
    process.on('unhandledRejection', onUnhandledRejection);
    installed = true;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    registrations.delete(reg);
    if (registrations.size === 0 && installed) {
      process.off('unhandledRejection', onUnhandledRejection);
      installed = false;
    }
  };
}

/** True when the error's stack runs through a file of the named npm package. */
export function fromPackage(reason: unknown, packageName: string): boolean {
  if (!(reason instanceof Error) || typeof reason.stack !== 'string') return false;
  return reason.stack.includes(`/node_modules/${packageName}/`) || reason.stack.includes(`\\node_modules\\${packageName}\\`);
}
