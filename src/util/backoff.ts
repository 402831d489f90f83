// Exponential backoff with full jitter, capped; reset after a success.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
}

export const DEFAULT_BACKOFF_OPTIONS: Required<BackoffOptions> = { initialMs: 200, maxMs: 30_000, factor: 2 };

export class Backoff {
  private attempt = 0;
  private readonly opts: Required<BackoffOptions>;

  constructor(options: BackoffOptions = {}, private readonly random: () => number = Math.random) {
    this.opts = { ...DEFAULT_BACKOFF_OPTIONS, ...options };
  }

  /** Delay before the next attempt; grows with each call until reset(). */
  next(): number {
    const ceiling = Math.min(this.opts.maxMs, this.opts.initialMs * this.opts.factor ** this.attempt);
    this.attempt++;
    // Half fixed, half random: never zero, spreads simultaneous reconnects.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
