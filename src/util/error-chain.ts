// Errors as client libraries throw them: wrapped in `cause` (startup, retries), the status code on one
// of the inner errors. rocketmq-client-nodejs puts a RocketMQ status (5 digits) or a gRPC status (0-16)
// in a numeric `code`. Chains are followed 8 levels deep at most (a cycle cannot loop).
const MAX_DEPTH = 8;

/** The first numeric `code` along the cause chain, if any. */
export function numericCodeOf(err: unknown): number | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < MAX_DEPTH; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** The messages of the error and its causes, outermost first: "a: b: c". */
export function causeChainText(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < MAX_DEPTH; depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}
