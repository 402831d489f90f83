// What the pipeline asks, synchronously, before publishing a batch or ACKing an offset: do we still lead?
// False for good once the term ended; false for the moment while the ZooKeeper session is in doubt
// (disconnected, or silent for 2/3 of the session timeout: see watchdog.ts) or suspended until the
// election has re-checked our node after a reconnect.
import { ClusterError } from './errors.js';

export interface SessionHealth {
  inDoubt(): boolean;
}

export class LeaderGuard {
  #ended: string | undefined;
  #suspended: string | undefined;

  constructor(
    /** Epoch of this leadership term. */
    readonly epoch: number,
    private readonly session: SessionHealth,
  ) {}

  isLeader(): boolean {
    return this.#ended === undefined && this.#suspended === undefined && !this.session.inDoubt();
  }

  /** Throws CLUSTER_NOT_LEADER (not retriable for this term) when isLeader() is false. */
  assertLeader(action = 'publish'): void {
    if (this.isLeader()) return;
    throw new ClusterError('CLUSTER_NOT_LEADER', `refusing to ${action} for leadership epoch ${this.epoch}: ${this.whyNot()}`);
  }

  /** Why isLeader() is false, for logs; undefined while it is true. */
  whyNot(): string | undefined {
    if (this.#ended !== undefined) return `term ended (${this.#ended})`;
    if (this.#suspended !== undefined) return `suspended (${this.#suspended})`;
    if (this.session.inDoubt()) return 'ZooKeeper session in doubt';
    return undefined;
  }

  get ended(): boolean {
    return this.#ended !== undefined;
  }

  /** Ends the term; irreversible. */
  end(reason: string): void {
    this.#ended ??= reason;
  }

  suspend(reason: string): void {
    this.#suspended ??= reason;
  }

  resume(): void {
    this.#suspended = undefined;
  }
}
