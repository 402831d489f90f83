// One replicator instance as a real OS process (the compiled CLI, `replicate` in cluster mode) with its
// JSON log lines parsed as they arrive, so a test can wait for a log line, time it, and signal the
// process (kill -9, SIGSTOP/SIGCONT, SIGTERM).
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { CLI_MAIN } from '../../helpers/cli.js';

/** A line of `log.format=json`: time, level, msg and the fields of the record. */
export interface LogRecord {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ReplicatorProcess {
  readonly child: ChildProcess;
  /** Every log line so far; a line that is not JSON (a Node warning) becomes { msg: <line> }. */
  readonly records: LogRecord[] = [];
  readonly exited: Promise<ExitStatus>;
  #partial = '';
  #exit: ExitStatus | null = null;

  constructor(
    /** cluster.instance.id */
    readonly name: string,
    args: readonly string[],
  ) {
    this.child = spawn(process.execPath, [CLI_MAIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => this.#onData(d.toString('utf8')));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.#exit === null;
  }

  /** Index to pass as `from` to look only at lines logged after this moment. */
  get mark(): number {
    return this.records.length;
  }

  /** The log lines with message `msg`, from index `from` on. */
  find(msg: string, from = 0): LogRecord[] {
    return this.records.slice(from).filter((r) => r.msg === msg);
  }

  /** Resolves with the first line from `from` on that matches; fails on timeout or when the process exits first. */
  async waitForLog(msg: string, timeoutMs: number, from = 0, match: (r: LogRecord) => boolean = () => true): Promise<LogRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.find(msg, from).find(match);
      if (hit !== undefined) return hit;
      if (!this.alive) throw new Error(`${this.name} exited (${JSON.stringify(this.#exit)}) before logging "${msg}"\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log "${msg}" within ${timeoutMs} ms\n${this.logTail()}`);
      await delay(20);
    }
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) this.child.kill(sig);
  }

  /** kill -9, resolved once the process is gone. */
  async kill9(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful stop); resolves with the exit status, SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<ExitStatus> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last lines of the log, for failure messages. */
  logTail(lines = 40): string {
    const tail = this.records.slice(-lines).map((r) => JSON.stringify(r));
    return `--- ${this.name} (pid ${this.child.pid}) last ${tail.length} log lines ---\n${tail.join('\n')}`;
  }

  #onData(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      this.records.push(parseLine(line));
    }
  }
}

function parseLine(line: string): LogRecord {
  try {
    const doc: unknown = JSON.parse(line);
    if (typeof doc === 'object' && doc !== null && typeof (doc as LogRecord).msg === 'string') return doc as LogRecord;
  } catch {
    // not JSON: kept as text below
  }
  return { time: new Date().toISOString(), level: 'text', msg: line };
}

/** Time of a log line, in Date.now() units. */
export function timeOf(r: LogRecord): number {
  return Date.parse(r.time);
}

/** A numeric field of a log line; throws when absent (a log format change must not pass silently). */
export function numberField(r: LogRecord, field: string): number {
  const v = r[field];
  if (typeof v !== 'number') throw new Error(`log line "${r.msg}" has no numeric "${field}": ${JSON.stringify(r)}`);
  return v;
}
