// Replaces a client whose connection is stuck. Some clients (rocketmq-client-nodejs) give no access to
// their gRPC channel, which after losing its server reconnects on grpc-js's backoff (up to 2 minutes
// between attempts) and fails every call meanwhile; a fresh client has a fresh channel. So after
// connection failures with no success for `afterMs`, a new client is started in the background, at most
// once per `afterMs`, and handed to `install` once it is up (the owner retires the old one). A new client
// that does not start is shut down and the next failure tries again.
import { causeChainText } from './error-chain.js';
import type { Logger } from './logger.js';

export interface ShutdownCapable {
  shutdown(): Promise<unknown>;
}

export interface ClientRebuildHooks<C extends ShutdownCapable> {
  /** For messages: "RocketMQ producer". */
  what: string;
  create(): C;
  start(client: C): Promise<void>;
  /** The client in use; null when the owner is closing or closed (the new client is then dropped). */
  current(): C | null;
  /** Puts the started client in place of `old`. */
  install(fresh: C, old: C): void;
  log: Logger;
}

export class ClientRebuild<C extends ShutdownCapable> {
  private inFlight: Promise<void> | null = null;
  private lastAt = 0;

  constructor(
    private readonly afterMs: number,
    private readonly hooks: ClientRebuildHooks<C>,
  ) {}

  /** The rebuild in progress, if any (close() waits for it). */
  get running(): Promise<void> | null {
    return this.inFlight;
  }

  /** After a connection failure: starts a rebuild unless one runs, or a success or rebuild is recent. */
  maybe(lastSuccessAt: number): void {
    if (this.inFlight) return;
    const now = Date.now();
    if (now - lastSuccessAt < this.afterMs || now - this.lastAt < this.afterMs) return;
    this.lastAt = now;
    this.inFlight = this.rebuild().finally(() => {
      this.inFlight = null;
    });
  }

  private async rebuild(): Promise<void> {
    const h = this.hooks;
    const fresh = h.create();
    try {
      await h.start(fresh);
    } catch (err) {
      h.log.debug(`new ${h.what} not started (proxy still unreachable?): ${causeChainText(err)}`);
      await fresh.shutdown().catch(() => undefined);
      return;
    }
    const old = h.current();
    if (!old) {
      await fresh.shutdown().catch(() => undefined);
      return;
    }
    h.install(fresh, old);
  }
}
