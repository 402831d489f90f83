// Secrets never reach logs, errors or metrics: URIs and option objects are redacted before printing.

const SECRET_KEY = /(pass(word)?|secret|token|credential|sasl\.password|accesssecret)/i;

/** redis://user:pw@host:6379/0 -> redis://user:***@host:6379/0 */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@/i, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return colon < 0 ? `${scheme}***@` : `${scheme}${auth.slice(0, colon)}:***@`;
  });
}

/** Copy of a flat or nested options object with every secret-looking value replaced by '***'. */
export function redactObject<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => redactObject(v)) as T;
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '') out[k] = '***';
    else if (typeof v === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) out[k] = redactUri(v);
    else out[k] = redactObject(v);
  }
  return out as T;
}

/** True when a config key names a secret (used to mask values in messages). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}
