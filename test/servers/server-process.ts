// One server OS process: spawned with its stdout+stderr appended to a log file, stopped with
// SIGTERM then SIGKILL. Processes still running when this Node process exits are killed, unless
// released (servers:start hands them over to a later servers:stop).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

export interface ServerProcessOptions {
  /** Short name for messages, e.g. "kafka" or "redis-6.0.9". */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here, so the log survives this Node process. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Own process group: Ctrl-C in the terminal does not reach it, its owner stops it. */
  detached?: boolean;
  /** Time between SIGTERM and SIGKILL in stop(); default 10 s. */
  stopTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const live = new Set<ServerProcess>();
let exitHookInstalled = false;
const spawnListeners = new Set<(p: ServerProcess) => void>();

/**
 * Calls `listener` for every server process spawned from now on, right after spawn: the test bed
 * records pids at once, so an interrupted startup still leaves nothing it cannot stop.
 * Returns the function that removes the listener.
 */
export function onServerSpawn(listener: (p: ServerProcess) => void): () => void {
  spawnListeners.add(listener);
  return () => spawnListeners.delete(listener);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort (crash, process.exit): never leave an owned server behind.
  process.on('exit', () => {
    for (const p of live) p.signal('SIGKILL');
  });
}

let signalHookInstalled = false;

/**
 * For servers a test process starts itself (not detached): SIGINT/SIGTERM would end the process
 * without 'exit' hooks, orphaning them. Exit through process.exit instead, which runs the hooks.
 * Not installed for detached servers: their owner (test/run.ts) has its own, gentler handlers.
 */
function installSignalHook(): void {
  if (signalHookInstalled) return;
  signalHookInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(128 + (constants.signals[signal] ?? 15)));
  }
}

export class ServerProcess {
  readonly name: string;
  readonly logPath: string;
  readonly detached: boolean;
  #child: ChildProcess | undefined;
  #exited: Promise<ExitInfo> = Promise.resolve({ code: null, signal: null });
  #exitInfo: ExitInfo | undefined;
  #startTicks: number | undefined;

  constructor(private readonly options: ServerProcessOptions) {
    this.name = options.name;
    this.logPath = options.logPath;
    this.detached = options.detached ?? false;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Kernel start time of the process (/proc/<pid>/stat field 22), to recognise it from another process. */
  get startTicks(): number | undefined {
    return this.#startTicks;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#exitInfo === undefined;
  }

  /** How the last run ended; undefined while running or never started. */
  get exitInfo(): ExitInfo | undefined {
    return this.#exitInfo;
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${String(this.pid)})`);
    const { command, args } = this.options;
    const fd = openSync(this.logPath, 'a');
    let child: ChildProcess;
    try {
      writeSync(fd, `\n--- ${new Date().toISOString()} starting ${this.name}: ${command} ${args.join(' ')}\n`);
      child = spawn(command, args, {
        stdio: ['ignore', fd, fd],
        detached: this.detached,
        env: this.options.env ?? process.env,
        cwd: this.options.cwd,
      });
    } finally {
      closeSync(fd);
    }
    this.#child = child;
    this.#exitInfo = undefined;
    this.#exited = new Promise<ExitInfo>((resolvePromise) => {
      const finish = (info: ExitInfo): void => {
        if (this.#exitInfo !== undefined) return;
        this.#exitInfo = info;
        live.delete(this);
        resolvePromise(info);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      // spawn failures (ENOENT...) emit 'error' and no 'exit'
      child.once('error', (err) => {
        writeLine(this.logPath, `--- ${this.name}: spawn error: ${err.message}`);
        if (child.pid === undefined) finish({ code: null, signal: null });
      });
    });
    // A detached server must not keep this Node process alive (servers:start exits, servers stay).
    if (this.detached) child.unref();
    if (child.pid !== undefined) {
      live.add(this);
      installExitHook();
      if (!this.detached) installSignalHook();
      this.#startTicks = processStartTicks(child.pid);
      for (const listener of spawnListeners) listener(this);
    }
  }

  /** Sends a signal (to the whole process group when detached). SIGSTOP/SIGCONT pause and resume it. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(this.detached ? -pid : pid, signal);
    } catch {
      // already gone
    }
  }

  /** Resolves when the process has exited (at once when it is not running). */
  waitForExit(): Promise<ExitInfo> {
    // a detached child is unref'd: without this, Node would exit while we wait for it
    this.#child?.ref();
    return this.#exited;
  }

  /** SIGTERM, then SIGKILL when it has not exited after `graceMs` (default: the stopTimeoutMs option). */
  async stop(graceMs?: number): Promise<ExitInfo | undefined> {
    if (!this.running) return this.#exitInfo;
    const grace = graceMs ?? this.options.stopTimeoutMs ?? 10_000;
    this.signal('SIGCONT'); // a paused process cannot handle SIGTERM
    this.signal('SIGTERM');
    const timer = new AbortController();
    const timedOut = delay(grace, 'timeout' as const, { signal: timer.signal }).catch(() => 'aborted' as const);
    const first = await Promise.race([this.waitForExit(), timedOut]);
    timer.abort();
    if (first !== 'timeout' && first !== 'aborted') return first;
    writeLine(this.logPath, `--- ${this.name}: no exit ${grace} ms after SIGTERM, SIGKILL`);
    this.signal('SIGKILL');
    return this.waitForExit();
  }

  /** Hard kill (a crash, for failure tests); resolves on exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    this.signal(signal);
    return this.waitForExit();
  }

  /** Leave the process running when this Node process exits (no kill in the exit hook). */
  release(): void {
    live.delete(this);
  }
}

function writeLine(path: string, line: string): void {
  try {
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, `${line}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the log dir may already be gone
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined when gone or a zombie. */
export function processStartTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) is in parentheses and may contain spaces: split after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z') return undefined;
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** True when pid is alive and is the same process as when startTicks was read (no pid reuse). */
export function isSameProcessAlive(pid: number, startTicks: number | undefined): boolean {
  const now = processStartTicks(pid);
  return now !== undefined && (startTicks === undefined || now === startTicks);
}

/**
 * Stops a server started by another Node process (servers:stop): SIGTERM to its process group,
 * SIGKILL after timeoutMs. Does nothing when that pid now belongs to another process.
 */
export async function stopForeignProcess(
  pid: number,
  startTicks: number | undefined,
  options: { group: boolean; timeoutMs?: number },
): Promise<'gone' | 'stopped' | 'killed'> {
  if (!isSameProcessAlive(pid, startTicks)) return 'gone';
  const send = (signal: NodeJS.Signals): void => {
    try {
      process.kill(options.group ? -pid : pid, signal);
    } catch {
      // gone meanwhile
    }
  };
  send('SIGCONT');
  send('SIGTERM');
  const end = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < end) {
    await delay(100);
    if (!isSameProcessAlive(pid, startTicks)) {
      await waitReaped(pid);
      return 'stopped';
    }
  }
  send('SIGKILL');
  for (let i = 0; i < 50 && isSameProcessAlive(pid, startTicks); i++) await delay(100);
  await waitReaped(pid);
  return 'killed';
}

/** An orphan's zombie lingers until init reaps it; wait (up to 10 s) so `pgrep` shows nothing after stop. */
async function waitReaped(pid: number): Promise<void> {
  for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++) await delay(100);
}
