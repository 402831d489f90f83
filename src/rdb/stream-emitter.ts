// Turns the parts of one stream key into events, whole or in chunks (the rule of chunked-emitter.ts).
// Items counted against maxChunkElements: entries, groups, group PEL entries, consumers and
// consumer PEL ids. When a chunk is cut inside a group (or inside a consumer), the next chunk
// repeats that group (or consumer) with the same name and attributes and continues its lists:
// merging chunks means concatenating entries, and merging groups and consumers by name.
// A PEL entry's consumer is resolved from the consumers' own PELs when both are in the same event;
// otherwise it is null there and a reader that merges the chunks resolves it the same way.
import type {
  HashEntry,
  KeyChunkEvent,
  KeyValueEvent,
  StreamConsumer,
  StreamGroup,
  StreamId,
  StreamMeta,
} from '../events/types.js';
import { ChunkedEmitter } from './chunked-emitter.js';
import { addKeyAttrs, type KeyAttrs } from './key-emitter.js';

export class StreamEmitter extends ChunkedEmitter {
  private attrs!: KeyAttrs;
  private entries: { id: StreamId; fields: HashEntry[] }[] = [];
  private groups: StreamGroup[] = [];
  private meta: StreamMeta | undefined;
  private group: StreamGroup | null = null;
  private consumer: StreamConsumer | null = null;

  begin(attrs: KeyAttrs): void {
    this.attrs = attrs;
    this.entries = [];
    this.groups = [];
    this.meta = undefined;
    this.group = null;
    this.consumer = null;
    this.startKey();
  }

  pushEntry(id: StreamId, fields: HashEntry[], size: number): void {
    this.before(size, false, false);
    this.entries.push({ id, fields });
  }

  setMeta(meta: StreamMeta): void {
    this.meta = meta;
  }

  startGroup(name: Buffer, lastDeliveredId: StreamId, entriesRead: number | null): void {
    this.before(name.length, false, false);
    this.group = { name, lastDeliveredId, entriesRead, pel: [], consumers: [] };
    this.consumer = null;
    this.groups.push(this.group);
  }

  pushPel(id: StreamId, deliveryTimeMs: number, deliveryCount: number): void {
    this.before(24, true, false);
    (this.group as StreamGroup).pel.push({ id, consumer: null, deliveryTimeMs, deliveryCount });
  }

  startConsumer(name: Buffer, seenTimeMs: number, activeTimeMs: number | null): void {
    this.before(name.length + 16, true, false);
    this.consumer = { name, seenTimeMs, activeTimeMs, pel: [] };
    (this.group as StreamGroup).consumers.push(this.consumer);
  }

  pushConsumerPel(id: StreamId): void {
    this.before(16, true, true);
    (this.consumer as StreamConsumer).pel.push(id);
  }

  /** Ends the key (streams are never skipped: an empty stream is a valid key). */
  finish(): void {
    this.sink.emit(this.event(this.index === 0 ? null : true), this.bytes);
  }

  /** Counts one item; cuts a chunk first when the pending ones are full. */
  private before(size: number, inGroup: boolean, inConsumer: boolean): void {
    if (this.mustCut(size)) {
      this.sink.emit(this.event(false), this.bytes);
      this.chunkCut();
      this.entries = [];
      this.groups = [];
      this.meta = undefined;
      // Continue the open group / consumer in the next chunk under the same name.
      if (inGroup && this.group) {
        const g = this.group;
        this.group = { name: g.name, lastDeliveredId: g.lastDeliveredId, entriesRead: g.entriesRead, pel: [], consumers: [] };
        this.groups.push(this.group);
        if (inConsumer && this.consumer) {
          const c = this.consumer;
          this.consumer = { name: c.name, seenTimeMs: c.seenTimeMs, activeTimeMs: c.activeTimeMs, pel: [] };
          this.group.consumers.push(this.consumer);
        }
      }
    }
    this.added(size);
  }

  private event(last: boolean | null): KeyValueEvent | KeyChunkEvent {
    resolvePelConsumers(this.groups);
    const a = this.attrs;
    let ev: KeyValueEvent | KeyChunkEvent;
    if (last === null) {
      const meta = this.meta as StreamMeta;
      ev = {
        type: 'key-value', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType,
        valueType: 'stream', value: { entries: this.entries, meta, groups: this.groups },
      };
    } else {
      const value = this.meta === undefined
        ? { entries: this.entries, groups: this.groups }
        : { entries: this.entries, meta: this.meta, groups: this.groups };
      ev = {
        type: 'key-chunk', replid: this.replid, offset: this.offset, db: a.db, rdbOffset: a.rdbOffset, key: a.key, rdbType: a.rdbType,
        valueType: 'stream', value, index: this.index, last,
      };
    }
    addKeyAttrs(ev, a);
    return ev;
  }
}

/** Sets each PEL entry's consumer from the consumers' own PEL lists (loaded after the group PEL). */
export function resolvePelConsumers(groups: StreamGroup[]): void {
  for (const g of groups) {
    if (g.pel.length === 0 || g.consumers.length === 0) continue;
    const owner = new Map<StreamId, Buffer>();
    for (const c of g.consumers) for (const id of c.pel) owner.set(id, c.name);
    for (const p of g.pel) {
      if (p.consumer === null) {
        const name = owner.get(p.id);
        if (name !== undefined) p.consumer = name;
      }
    }
  }
}
