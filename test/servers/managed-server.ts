// What every test server shares: a run directory (removed by dispose() when the server made it),
// start()/stop() that keep ports and data so restart() brings the same server back, and a startup that
// stops whatever it started when it fails. SingleProcessServer adds what a one-process server does
// (Redis, Kafka, ZooKeeper): pid, stop and kill through its ServerProcess.
import { mkdirSync } from 'node:fs';
import { makeServerDir, removeServerDir } from './paths.js';
import type { ServerProcess } from './server-process.js';

/** The run directory of a new server: `dir` when given (kept), else a fresh one that dispose() removes. */
export function serverDir(dir: string | undefined, kind: string): { dir: string; ownsDir: boolean } {
  const runDir = dir ?? makeServerDir(kind);
  mkdirSync(runDir, { recursive: true });
  return { dir: runDir, ownsDir: dir === undefined };
}

export abstract class ManagedServer {
  readonly dir: string;
  readonly #ownsDir: boolean;

  constructor(dir: string, ownsDir: boolean) {
    this.dir = dir;
    this.#ownsDir = ownsDir;
  }

  /** Starts (or starts again: same ports and data) and waits until the server serves. */
  abstract start(): Promise<void>;

  /** Stops gracefully; ports and data dir stay for start(). */
  abstract stop(): Promise<void>;

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Stops it and removes its dir when this object created it. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.#ownsDir) removeServerDir(this.dir);
  }
}

export abstract class SingleProcessServer extends ManagedServer {
  abstract readonly process: ServerProcess;

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** SIGTERM, SIGKILL after the process's stop timeout. */
  async stop(): Promise<void> {
    await this.process.stop();
  }

  /** A crash (SIGKILL) or another signal; SIGSTOP/SIGCONT freeze and resume it. Resolves on exit for fatal signals. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') {
      this.process.signal(signal);
      return;
    }
    await this.process.kill(signal);
  }
}

/** Starts a new server; when that fails, stops what did start before rethrowing. */
export async function startServer<S extends ManagedServer>(server: S): Promise<S> {
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
