// Timed waits that a stop cuts short: the retry backoffs of a component that is shutting down must not
// hold its stop() for a whole backoff.

export class Sleeps {
  private readonly wakers = new Set<() => void>();

  /** Resolves after `ms`, or at once when wakeAll() is called meanwhile. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** Ends every pending sleep now. */
  wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
