// Tracks which batches the sink has acknowledged and yields the durable position: the position of the
// last batch that is acknowledged together with every batch registered before it. Batches can be
// acknowledged out of order (several publish calls in flight); the watermark only moves over a
// contiguous acknowledged prefix.

import type { StreamPosition } from '../events/types.js';

interface Slot {
  position: StreamPosition | null;
  acked: boolean;
}

export class Watermark {
  private readonly slots = new Map<number, Slot>();
  private nextId = 0;
  private head = 0;
  private durablePosition: StreamPosition | null;

  constructor(initial: StreamPosition | null = null) {
    this.durablePosition = initial;
  }

  /** Registers the next batch in stream order. `position` null: the batch ends at no resumable point
   *  (inside a snapshot). Returns the id to acknowledge. */
  register(position: StreamPosition | null): number {
    const id = this.nextId++;
    this.slots.set(id, { position, acked: false });
    return id;
  }

  /** Marks a batch durable; returns true when the durable position moved. */
  ack(id: number): boolean {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`watermark: unknown or already released batch ${id}`);
    slot.acked = true;
    let moved = false;
    for (;;) {
      const s = this.slots.get(this.head);
      if (!s || !s.acked) break;
      if (s.position) {
        this.durablePosition = s.position;
        moved = true;
      }
      this.slots.delete(this.head);
      this.head++;
    }
    return moved;
  }

  /** The last position whose events, and all before them, are durable. */
  get durable(): StreamPosition | null {
    return this.durablePosition;
  }

  /** Batches registered and not yet part of the durable prefix. */
  get pending(): number {
    return this.nextId - this.head;
  }

  /** Forgets every pending batch (after a sink failure the pipeline restarts from `durable`). */
  reset(): void {
    this.slots.clear();
    this.head = this.nextId;
  }
}
