// Recognizes the answer Kafka gives a transactional producer whose transactional id was taken over: a
// newer producer called InitProducerId with the same id, which bumped the epoch and aborted our open
// transaction. Brokers answer INVALID_PRODUCER_EPOCH (47) to the request versions kafkajs 2.2.4 uses and
// PRODUCER_FENCED (90) to newer ones, which kafkajs does not know ("Unknown error code 90"). kafkajs
// wraps errors (retries exceeded, aggregates), so the whole cause chain is searched.

const FENCED_TYPES = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);
const FENCED_CODES = new Set([47, 90]);

export function isProducerFenced(err: unknown): boolean {
  const stack: unknown[] = [err];
  const seen = new Set<unknown>();
  while (stack.length > 0) {
    const e = stack.pop();
    if (e === null || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const o = e as { type?: unknown; code?: unknown; message?: unknown; cause?: unknown; errors?: unknown; originalError?: unknown };
    if (typeof o.type === 'string' && FENCED_TYPES.has(o.type)) return true;
    // a kafkajs protocol error carries a type with its code; a bare numeric code may be anything else
    if (typeof o.code === 'number' && FENCED_CODES.has(o.code) && typeof o.type === 'string') return true;
    if (typeof o.message === 'string' && /Unknown error code 90\b/.test(o.message)) return true;
    stack.push(o.cause, o.originalError);
    if (Array.isArray(o.errors)) stack.push(...(o.errors as unknown[]));
  }
  return false;
}
