// What the SDK reads from a message's headers before (or instead of) decoding its value: identity for
// dedupe, epoch for fencing, ce_part for reassembly, ce_copies, content-type. Header names and
// formats are those of events/envelope.ts.
import { CE_TYPE_PREFIX, H } from '../events/envelope.js';
import { ConsumerError } from './errors.js';

/** Position of an event in its replication history (see events/identity.ts compareEvents). */
export interface Identity {
  offset: number;
  /** Snapshot records only. */
  rdbOffset?: number;
  /** key-chunk events only. */
  index?: number;
}

export interface MessageMeta {
  /** ce_id, when present. */
  id: string | undefined;
  /** Event type from ce_type ("redis.<type>"), when present. */
  eventType: string | undefined;
  /** Replication id and position, when ce_replid and ce_offset are present. */
  replid: string | undefined;
  identity: Identity | undefined;
  epoch: number | undefined;
  /** ce_part "<i>/<n>", when the event is split. */
  part: { i: number; n: number } | undefined;
  /** ce_copies, 1 when absent. */
  copies: number;
  contentType: string | undefined;
}

/** Reads the envelope headers; throws SDK_BAD_HEADER when one is present but malformed. */
export function readMessageMeta(headers: Readonly<Record<string, string>>): MessageMeta {
  const replid = headers[H.replid];
  const offset = headers[H.offset];
  let identity: Identity | undefined;
  if (replid !== undefined && offset !== undefined) {
    identity = { offset: int(headers, H.offset) };
    if (headers[H.rdbOffset] !== undefined) identity.rdbOffset = int(headers, H.rdbOffset);
    if (headers[H.chunkIndex] !== undefined) identity.index = int(headers, H.chunkIndex);
  }
  const ceType = headers[H.type];
  return {
    id: headers[H.id],
    eventType: ceType !== undefined && ceType.startsWith(CE_TYPE_PREFIX) ? ceType.slice(CE_TYPE_PREFIX.length) : undefined,
    replid: identity ? replid : undefined,
    identity,
    epoch: headers[H.epoch] === undefined ? undefined : int(headers, H.epoch),
    part: headers[H.part] === undefined ? undefined : part(headers[H.part]),
    copies: headers[H.copies] === undefined ? 1 : Math.max(1, int(headers, H.copies)),
    contentType: headers[H.contentType],
  };
}

/** Orders two identities of one history like compareEvents: offset, then rdbOffset (absent last), then index (absent first). */
export function compareIdentity(a: Identity, b: Identity): number {
  if (a.offset !== b.offset) return a.offset - b.offset;
  const ra = a.rdbOffset ?? Infinity;
  const rb = b.rdbOffset ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return (a.index ?? -1) - (b.index ?? -1);
}

function int(headers: Readonly<Record<string, string>>, name: string): number {
  const text = headers[name]!;
  // A digit loop rather than Number(text) alone, which accepts " 1", "1e3", "0x1f"; runs per message.
  const neg = text.charCodeAt(0) === 0x2d;
  let ok = text.length > (neg ? 1 : 0) && text.length <= 17;
  for (let i = neg ? 1 : 0; ok && i < text.length; i++) {
    const c = text.charCodeAt(i);
    ok = c >= 0x30 && c <= 0x39;
  }
  const n = ok ? Number(text) : NaN;
  if (!Number.isSafeInteger(n)) throw new ConsumerError('SDK_BAD_HEADER', `header ${name}=${JSON.stringify(text.slice(0, 40))} is not an integer`);
  return n;
}

const PART = /^(\d{1,9})\/(\d{1,9})$/;

function part(text: string): { i: number; n: number } {
  const m = PART.exec(text);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 2 || i >= n) {
    throw new ConsumerError('SDK_BAD_HEADER', `header ${H.part}=${JSON.stringify(text.slice(0, 40))} is not "<i>/<n>" with 0 <= i < n and n >= 2`);
  }
  return { i, n };
}
