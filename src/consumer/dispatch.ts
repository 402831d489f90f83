// Per-key ordered concurrency: runs up to `concurrency` jobs at once, never two that share a key, and
// each key's jobs in submission order. A barrier job (keys = null) starts only after every job
// submitted before it has finished, and every job submitted after it waits for it.
//
// A job that fails fails the jobs waiting on it, without running them: nothing of a key runs after an
// event of that key that was not processed (the consumer only fails jobs when it stops).
//
// Each job waits on its predecessors: the previous unfinished job of each of its keys, or the last
// barrier; a barrier waits on every unfinished job. Chained that way, order per key is transitive and
// submission costs O(keys), except for barriers (rare: snapshot/stream boundaries, FLUSHDB ...).

export type JobRun = () => void | Promise<void>;
/** Called once per job: failed = false when it completed, true (with the error) when it threw / rejected or was aborted. */
export type JobDone = (failed: boolean, err: unknown) => void;

interface Job {
  readonly keys: readonly string[] | null;
  readonly run: JobRun;
  readonly done: JobDone;
  /** Unfinished predecessors. */
  deps: number;
  dependents: Job[];
  /** Submission serial of the last job that registered itself as a dependent (avoids double counting). */
  lastDependentSerial: number;
  readonly serial: number;
  state: 'waiting' | 'ready' | 'running' | 'finished';
}

export class KeyedScheduler {
  private readonly lastByKey = new Map<string, Job>();
  private lastBarrier: Job | null = null;
  private readonly unfinished = new Set<Job>();
  private ready: Job[] = [];
  private readyHead = 0;
  private running = 0;
  private serial = 0;
  private pumping = false;

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  }

  /** Jobs started and not finished. */
  get inFlight(): number {
    return this.running;
  }

  /** Jobs submitted and not started. */
  get queued(): number {
    return this.unfinished.size - this.running;
  }

  /** Queues a job; `keys` null = barrier. */
  submit(keys: readonly string[] | null, run: JobRun, done: JobDone): void {
    const job: Job = { keys, run, done, deps: 0, dependents: [], lastDependentSerial: -1, serial: this.serial++, state: 'waiting' };
    if (keys === null) {
      for (const j of this.unfinished) this.dependOn(job, j);
      this.lastBarrier = job;
    } else {
      if (this.lastBarrier) this.dependOn(job, this.lastBarrier);
      for (const k of keys) {
        const prev = this.lastByKey.get(k);
        if (prev) this.dependOn(job, prev);
        this.lastByKey.set(k, job);
      }
    }
    this.unfinished.add(job);
    if (job.deps === 0) this.makeReady(job);
    this.pump();
  }

  /** Fails every job not started yet with `err` (running jobs finish normally). */
  abort(err: unknown): void {
    const dropped = [...this.unfinished].filter((j) => j.state !== 'running');
    for (const j of dropped) {
      j.state = 'finished';
      this.unfinished.delete(j);
    }
    this.ready = [];
    this.readyHead = 0;
    this.lastByKey.clear();
    this.lastBarrier = null;
    for (const j of this.unfinished) j.dependents = [];
    for (const j of dropped) j.done(true, err);
  }

  private dependOn(job: Job, prev: Job): void {
    if (prev.state === 'finished' || prev.lastDependentSerial === job.serial) return;
    prev.lastDependentSerial = job.serial;
    prev.dependents.push(job);
    job.deps++;
  }

  private makeReady(job: Job): void {
    job.state = 'ready';
    this.ready.push(job);
  }

  private pump(): void {
    // Iterative: a synchronous job finishing releases dependents without recursing into pump().
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.running < this.concurrency && this.readyHead < this.ready.length) {
        const job = this.ready[this.readyHead++]!;
        if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
          this.ready = this.ready.slice(this.readyHead);
          this.readyHead = 0;
        }
        this.start(job);
      }
    } finally {
      this.pumping = false;
    }
  }

  private start(job: Job): void {
    job.state = 'running';
    this.running++;
    let result: void | Promise<void>;
    try {
      result = job.run();
    } catch (err) {
      this.finish(job, err, true);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(
        () => this.finish(job, undefined, false),
        (err: unknown) => this.finish(job, err, true),
      );
    } else {
      this.finish(job, undefined, false);
    }
  }

  private finish(job: Job, err: unknown, failed: boolean): void {
    if (job.state === 'finished') return;
    this.running--;
    const cascade = failed ? this.collectDependents(job) : [];
    this.retire(job);
    if (!failed) for (const d of job.dependents) if (--d.deps === 0 && d.state === 'waiting') this.makeReady(d);
    job.dependents = [];
    for (const d of cascade) this.retire(d);
    job.done(failed, err);
    for (const d of cascade) d.done(true, err);
    this.pump();
  }

  /** The unfinished jobs that wait on `job`, directly or not. */
  private collectDependents(job: Job): Job[] {
    const out: Job[] = [];
    const seen = new Set<Job>();
    const stack = [...job.dependents];
    while (stack.length > 0) {
      const d = stack.pop()!;
      if (seen.has(d) || d.state === 'finished' || d.state === 'running') continue;
      seen.add(d);
      out.push(d);
      stack.push(...d.dependents);
    }
    return out.sort((a, b) => a.serial - b.serial);
  }

  private retire(job: Job): void {
    job.state = 'finished';
    this.unfinished.delete(job);
    if (job.keys) for (const k of job.keys) if (this.lastByKey.get(k) === job) this.lastByKey.delete(k);
    if (this.lastBarrier === job) this.lastBarrier = null;
  }
}
