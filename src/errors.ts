// Base error of the project. A leaf module: it imports nothing.
// Every error carries a stable `code` whose prefix names the stage (RDB_, RESP_, REPL_, CMD_, SINK_,
// CKPT_, CLUSTER_, CONFIG_, SDK_), whether retrying can help, and the underlying cause.

export type ErrorStage = 'RDB' | 'RESP' | 'REPL' | 'CMD' | 'AOF' | 'SINK' | 'CKPT' | 'CLUSTER' | 'CONFIG' | 'SDK' | 'CLI';

export interface ReplicatorErrorOptions {
  retriable?: boolean;
  cause?: unknown;
}

export class ReplicatorError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: ReplicatorErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** One line for a terminal: no stack, the code and the message. */
export function describeError(err: unknown): string {
  if (err instanceof ReplicatorError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
