// The chunking rule shared by key-emitter.ts (lists, sets, zsets, hashes) and stream-emitter.ts: the
// items of one key are published whole, or as key-chunk events (index 0.., last flag) when there are too
// many. A chunk is cut when another item arrives and the pending ones already number maxElements or
// adding it would pass maxBytes of item bytes. So a value comes whole exactly when it has at most
// maxElements items and at most maxBytes of payload, chunk boundaries depend only on the data (not on
// how the input was split), and no chunk is ever empty.
import type { SnapshotEvent } from '../events/types.js';

export interface EventSink {
  /** Appends an event to the current batch; `bytes` estimates its payload for batch sizing. */
  emit(ev: SnapshotEvent, bytes: number): void;
}

export abstract class ChunkedEmitter {
  /** Items pending in the current chunk, and their bytes. */
  protected count = 0;
  protected bytes = 0;
  /** Chunks of the current key emitted so far. */
  protected index = 0;

  constructor(
    protected readonly sink: EventSink,
    protected readonly replid: string,
    protected readonly offset: number,
    private readonly maxElements: number,
    private readonly maxBytes: number,
  ) {}

  /** Number of chunks emitted for the current key. */
  get chunksEmitted(): number {
    return this.index;
  }

  /** A new key: no item, no chunk yet. */
  protected startKey(): void {
    this.count = 0;
    this.bytes = 0;
    this.index = 0;
  }

  /** True when an item of `size` bytes must go to a new chunk (see the header). */
  protected mustCut(size: number): boolean {
    return this.count > 0 && (this.count >= this.maxElements || this.bytes + size > this.maxBytes);
  }

  /** Counts an item added to the pending chunk. */
  protected added(size: number): void {
    this.count++;
    this.bytes += size;
  }

  /** After a non-final chunk was emitted: the next one starts empty. */
  protected chunkCut(): void {
    this.index++;
    this.count = 0;
    this.bytes = 0;
  }
}
