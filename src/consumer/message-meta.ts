// What the SDK reads from a message's headers before (or instead of) decoding its value: identity for
// dedupe, epoch for fencing, the part for reassembly, copies and their lanes, packs, the codec. Both
// header styles of events/envelope.ts are read: the compact `rmqr` header when present, else ce_*.
import { CE_TYPE_PREFIX, COMPACT_HEADER, compactEventId, contentTypeOfToken, H, headerInt, parseCompactHeader, parsePart } from '../events/envelope.js';
import type { Identity } from '../events/identity.js';
import { ReplicatorError } from '../errors.js';
import { ConsumerError } from './errors.js';

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
  /** ce_copies / k=, 1 when absent. */
  copies: number;
  /** ce_lanes / l=: where the copies went (see events/envelope.ts), when the writer says. */
  lanes: string | undefined;
  /** n=: the record is a pack of this many events (identity etc. then come from the events). */
  packed: number | undefined;
  contentType: string | undefined;
}

/** Reads the envelope headers; throws SDK_BAD_HEADER when one is present but malformed. */
export function readMessageMeta(headers: Readonly<Record<string, string>>): MessageMeta {
  const compact = headers[COMPACT_HEADER];
  if (compact !== undefined) return readCompact(compact);
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
    lanes: headers[H.lanes],
    packed: undefined,
    contentType: headers[H.contentType],
  };
}

function readCompact(text: string): MessageMeta {
  let f;
  try {
    f = parseCompactHeader(text);
  } catch (err) {
    throw new ConsumerError('SDK_BAD_HEADER', (err as ReplicatorError).message, { cause: err });
  }
  let identity: Identity | undefined;
  if (f.packed === undefined && f.replid !== undefined && f.offset !== undefined) {
    identity = { offset: f.offset };
    if (f.rdbOffset !== undefined) identity.rdbOffset = f.rdbOffset;
    if (f.index !== undefined) identity.index = f.index;
  }
  if (f.packed !== undefined && (f.part !== undefined || (f.copies ?? 1) > 1)) {
    throw new ConsumerError('SDK_BAD_HEADER', `header ${COMPACT_HEADER}=${JSON.stringify(text.slice(0, 120))}: a pack (n=) cannot be a part or have copies`);
  }
  return {
    id: f.packed === undefined ? compactEventId(f) : undefined,
    eventType: f.type,
    replid: identity ? f.replid : undefined,
    identity,
    epoch: f.epoch,
    part: f.part,
    copies: Math.max(1, f.copies ?? 1),
    lanes: f.lanes,
    packed: f.packed,
    contentType: f.codec === undefined ? undefined : contentTypeOfToken(f.codec),
  };
}

function int(headers: Readonly<Record<string, string>>, name: string): number {
  const text = headers[name]!;
  const n = headerInt(text);
  if (n === undefined) throw new ConsumerError('SDK_BAD_HEADER', `header ${name}=${JSON.stringify(text.slice(0, 40))} is not an integer`);
  return n;
}

function part(text: string): { i: number; n: number } {
  const p = parsePart(text);
  if (p === undefined) {
    throw new ConsumerError('SDK_BAD_HEADER', `header ${H.part}=${JSON.stringify(text.slice(0, 40))} is not "<i>/<n>" with 0 <= i < n and n >= 2`);
  }
  return p;
}
