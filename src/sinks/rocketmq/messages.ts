// Turns an event into the RocketMQ messages that carry it:
//  - order=key: one message per distinct routing key (message group = that key, see naming.ts); a
//    barrier (event that concerns no key: snapshot/stream begin and end, aux, functions, FLUSHDB ...)
//    is one message in group "rmqr:barrier". Every copy of a multi-key event has the same ce_id and
//    ce_copies = number of copies, so the SDK delivers it once.
//  - order=global: one message per event, all in group "rmqr:all".
// An encoding larger than the body limit is split into parts (ce_part "<i>/<n>") sent in order in the
// same group. Tag = event type; keys = the Redis key of the group (none for barriers); user properties =
// the envelope headers.
import { encodeEvent, H, partHeaders, type EventCodec } from '../../events/envelope.js';
import type { ReplicationEvent } from '../../events/types.js';
import { routeOf } from '../../events/routing.js';
import { BARRIER_GROUP, GLOBAL_GROUP, messageGroupOf, messageKeyOf } from './naming.js';
import type { RocketMqOrder } from './options.js';

export interface PlannedMessage {
  group: string;
  tag: string;
  keys: string[];
  properties: Map<string, string>;
  body: Buffer;
}

export interface PlanOptions {
  codec: EventCodec;
  sourceId: string;
  order: RocketMqOrder;
  /** Largest body; bigger encodings are split. */
  maxBodyBytes: number;
}

/** The messages of one event, in the order they must be sent within each group. */
export function planMessages(e: ReplicationEvent, o: PlanOptions): PlannedMessage[] {
  const { headers, parts } = encodeEvent(e, { codec: o.codec, sourceId: o.sourceId, maxValueBytes: o.maxBodyBytes });
  const route = routeOf(e);
  const targets: Array<{ group: string; keys: string[] }> = [];
  if (o.order === 'global') {
    // keys only help lookups in the console: a single-key event names its key
    const keys = route.kind === 'keys' && route.keys.length === 1 ? [messageKeyOf(route.keys[0]!)] : [];
    targets.push({ group: GLOBAL_GROUP, keys });
  } else if (route.kind === 'all') {
    targets.push({ group: BARRIER_GROUP, keys: [] });
  } else {
    const seen = new Set<string>();
    for (const rk of route.keys) {
      const group = messageGroupOf(rk);
      // two keys share a group only through a SHA-1 collision: one copy is enough there
      if (seen.has(group)) continue;
      seen.add(group);
      targets.push({ group, keys: [messageKeyOf(rk)] });
    }
  }
  // an event that routes to no key (an empty MULTI/EXEC) still travels: as a barrier
  if (targets.length === 0) targets.push({ group: BARRIER_GROUP, keys: [] });
  const copies = String(targets.length);
  const out: PlannedMessage[] = [];
  for (const t of targets) {
    for (let i = 0; i < parts.length; i++) {
      const props = new Map(Object.entries(partHeaders(headers, i, parts.length)));
      props.set(H.copies, copies);
      out.push({ group: t.group, tag: e.type, keys: t.keys, properties: props, body: parts[i]! });
    }
  }
  return out;
}
