// RocketMQ names for Redis keys. Message groups and message keys are strings, and the proxy refuses
// some of them (SendMessageActivity.validateMessageGroup / validateMessageKey, rocketmq 5.3):
//  - a message group must be shorter than maxMessageGroupSize (64) UTF-8 bytes, not blank, and free of
//    ISO control characters (U+0000-U+001F, U+007F-U+009F);
//  - a message key must not be blank nor contain control characters; the broker joins keys with a space
//    (MessageConst.KEY_SEPARATOR) to index them, so a key containing a space could not be queried as one;
//  - keys, tag and user properties together must stay under maxUserPropertySize (16 KiB).
// So a routing key "<db>:<key>" (or "pubsub:<channel>") becomes:
//  - "<db>:<key>" when the key bytes are valid UTF-8 without control characters and do not start
//    with one of our markers ("b64:", "sha1:"): the common case, readable in the console;
//  - "<db>:b64:<base64 of the key bytes>" otherwise;
//  - "<db>:sha1:<40 hex digits of SHA-1 over the key bytes>" when the result would be 64 bytes or
//    more (message groups) or more than MAX_MESSAGE_KEY_BYTES (message keys).
// Distinct keys give distinct groups except for SHA-1 collisions, and a shared group only costs order
// between the two keys' events, never correctness of either key's order.
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';

/** The proxy rejects a message group of this many UTF-8 bytes or more (ProxyConfig.maxMessageGroupSize). */
export const MAX_MESSAGE_GROUP_BYTES = 64;
/** Longest message key we send as is; longer ones are hashed so keys stay far below the 16 KiB limit. */
export const MAX_MESSAGE_KEY_BYTES = 1024;
/** Group of barrier events (snapshot/stream begin and end, aux, functions, keyless commands) with rocketmq.order=key. */
export const BARRIER_GROUP = 'rmqr:barrier';
/** The single group of every message with rocketmq.order=global. */
export const GLOBAL_GROUP = 'rmqr:all';

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const WHITESPACE = /\s/;
const MARKERS = ['b64:', 'sha1:'];

/** Splits a routing key at its first ':' into the prefix ("<db>" or "pubsub") and the key bytes. */
function splitRoutingKey(routingKey: Buffer): { prefix: string; key: Buffer } {
  const colon = routingKey.indexOf(0x3a);
  if (colon < 0) return { prefix: '', key: routingKey };
  return { prefix: routingKey.toString('latin1', 0, colon), key: routingKey.subarray(colon + 1) };
}

function text(key: Buffer, allowWhitespace: boolean): string | null {
  if (!isUtf8(key)) return null;
  const s = key.toString('utf8');
  if (CONTROL.test(s)) return null;
  if (!allowWhitespace && (s === '' || WHITESPACE.test(s))) return null;
  for (const m of MARKERS) if (s.startsWith(m)) return null;
  return s;
}

function sha1Hex(key: Buffer): string {
  return createHash('sha1').update(key).digest('hex');
}

function withPrefix(prefix: string, rest: string): string {
  return prefix === '' ? rest : `${prefix}:${rest}`;
}

/** The message group of a routing key ("<db>:<key>" bytes from events/routing.ts). */
export function messageGroupOf(routingKey: Buffer): string {
  const { prefix, key } = splitRoutingKey(routingKey);
  const t = text(key, true);
  const readable = withPrefix(prefix, t ?? `b64:${key.toString('base64')}`);
  if (Buffer.byteLength(readable, 'utf8') < MAX_MESSAGE_GROUP_BYTES) return readable;
  return withPrefix(prefix, `sha1:${sha1Hex(key)}`);
}

/** The message key (for lookups by key in the console / mqadmin queryMsgByKey): the Redis key alone. */
export function messageKeyOf(routingKey: Buffer): string {
  const { key } = splitRoutingKey(routingKey);
  const t = text(key, false) ?? `b64:${key.toString('base64')}`;
  if (Buffer.byteLength(t, 'utf8') <= MAX_MESSAGE_KEY_BYTES) return t;
  return `sha1:${sha1Hex(key)}`;
}
