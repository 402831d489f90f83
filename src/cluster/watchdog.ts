// Client-side session watchdog. node-zookeeper-client has no read timeout (its issue #20): with a frozen
// server or a half-open connection it reports nothing, while the server may already have expired the
// session and let another instance lead. So we judge the session ourselves: the server restarts a
// session's expiry clock whenever it receives a request from it, so a request that got an answer proves
// the session was alive when it was SENT. Once nothing sent in the last 2/3 of the negotiated timeout has
// been answered, the session is in doubt (Curator's SUSPENDED/LOST timer, ZOOKEEPER-4508).
//
// Times are the send times, not the receive times: an answer that sat in the socket while this process
// was stopped (SIGSTOP) must not make an old session look fresh after SIGCONT.

/** Milliseconds on a monotonic clock (wall-clock jumps must not extend or cut a session). */
export type Clock = () => number;

export const monotonicClock: Clock = () => performance.now();

export class SessionWatchdog {
  #lastOkSentAt: number;
  #sessionTimeoutMs: number;

  /** `startedAt`: when the session was requested (before the connect request went out). */
  constructor(
    private readonly clock: Clock,
    sessionTimeoutMs: number,
    startedAt: number,
  ) {
    this.#sessionTimeoutMs = sessionTimeoutMs;
    this.#lastOkSentAt = startedAt;
  }

  /** The server may negotiate another timeout than the one asked for. */
  setSessionTimeout(ms: number): void {
    this.#sessionTimeoutMs = ms;
  }

  get sessionTimeoutMs(): number {
    return this.#sessionTimeoutMs;
  }

  /** Silence after which the session is in doubt: 2/3 of the session timeout. */
  get doubtAfterMs(): number {
    return Math.floor((this.#sessionTimeoutMs * 2) / 3);
  }

  /** Period of the keep-alive request: 1/3 of the session timeout. */
  get pingIntervalMs(): number {
    return Math.max(1, Math.floor(this.#sessionTimeoutMs / 3));
  }

  /** A request sent at `sentAt` got an answer from the server (success or a server-side error). */
  answered(sentAt: number): void {
    if (sentAt > this.#lastOkSentAt) this.#lastOkSentAt = sentAt;
  }

  get lastAnsweredSentAt(): number {
    return this.#lastOkSentAt;
  }

  /** The instant the session turns in doubt unless another request is answered. */
  get deadline(): number {
    return this.#lastOkSentAt + this.doubtAfterMs;
  }

  /** True once nothing sent within the last 2/3 of the session timeout has been answered. */
  stale(now: number = this.clock()): boolean {
    return now >= this.deadline;
  }
}
