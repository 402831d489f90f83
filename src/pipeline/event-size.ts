// Rough in-memory size of an event, for back-pressure accounting. Counts the byte strings it holds
// (the dominant cost) plus a fixed overhead per event and per element; never walks more than needed.
import type { ReplicationEvent, StreamGroup } from '../events/types.js';

const EVENT_OVERHEAD = 200;
const ELEMENT_OVERHEAD = 48;

function bytesOf(list: readonly Buffer[]): number {
  let n = 0;
  for (const b of list) n += b.length + ELEMENT_OVERHEAD;
  return n;
}

function pairsOf(list: readonly (readonly [Buffer, Buffer | number])[]): number {
  let n = 0;
  for (const p of list) n += p[0].length + (typeof p[1] === 'number' ? 8 : p[1].length) + ELEMENT_OVERHEAD * 2;
  return n;
}

function groupsOf(groups: readonly StreamGroup[]): number {
  let n = 0;
  for (const g of groups) n += g.name.length + (g.pel.length + g.consumers.length) * ELEMENT_OVERHEAD * 2;
  return n;
}

export function eventSize(e: ReplicationEvent): number {
  switch (e.type) {
    case 'key-value':
    case 'key-chunk': {
      let n = EVENT_OVERHEAD + e.key.length;
      switch (e.valueType) {
        case 'string':
          return n + e.value.length;
        case 'list':
        case 'set':
          return n + bytesOf(e.value);
        case 'zset':
          return n + pairsOf(e.value);
        case 'hash':
          return n + pairsOf(e.value) + (e.fieldExpires ? pairsOf(e.fieldExpires) : 0);
        case 'stream':
          for (const entry of e.value.entries) n += pairsOf(entry.fields) + ELEMENT_OVERHEAD;
          return n + groupsOf(e.value.groups);
        case 'module':
          return n + e.value.raw.length;
        default: {
          const never: never = e;
          return never;
        }
      }
    }
    case 'command':
      return EVENT_OVERHEAD + bytesOf(e.args);
    case 'transaction': {
      let n = EVENT_OVERHEAD;
      for (const c of e.commands) n += EVENT_OVERHEAD + bytesOf(c.args);
      return n;
    }
    case 'aux':
      return EVENT_OVERHEAD + e.key.length + e.value.length;
    case 'function':
      return EVENT_OVERHEAD + e.code.length;
    case 'module-aux':
      return EVENT_OVERHEAD + e.raw.length;
    case 'snapshot-begin':
    case 'snapshot-end':
    case 'stream-begin':
    case 'stream-end':
      return EVENT_OVERHEAD;
    default: {
      const never: never = e;
      return never;
    }
  }
}
