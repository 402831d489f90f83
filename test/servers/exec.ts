// Runs a short-lived tool (mvn, pip, java StorageTool, mqadmin) and collects its output.
import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, as a person would read them. */
  output: string;
}

export function execTool(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs?: number;
    /**
     * Once the output matches, the work is done: SIGTERM the tool instead of waiting for its own
     * shutdown (mqadmin spends ~3 s joining its Netty threads after it printed its result).
     */
    doneWhen?: RegExp;
  } = {},
): Promise<ExecResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, cwd: options.cwd });
    const chunks: Buffer[] = [];
    let doneSeen = false;
    const onData = (d: Buffer): void => {
      chunks.push(d);
      if (options.doneWhen !== undefined && !doneSeen && options.doneWhen.test(Buffer.concat(chunks).toString('utf8'))) {
        doneSeen = true;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            chunks.push(Buffer.from(`\n[killed after ${options.timeoutMs} ms]\n`));
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.once('error', (err) => {
      if (timer !== undefined) clearTimeout(timer);
      reject(new Error(`cannot run ${command}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      // stopped on purpose after its result: that is a success
      resolvePromise({ code: doneSeen ? 0 : code, signal: doneSeen ? null : signal, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/** Last lines of a tool's output, for error messages. */
export function lastLines(text: string, n = 30): string {
  return text.trimEnd().split('\n').slice(-n).join('\n');
}
