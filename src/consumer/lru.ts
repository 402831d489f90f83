// A Map bounded by entry count that forgets the least recently touched entry first. The SDK keeps
// per-lane and per-event state for an unbounded set of lanes (RocketMQ message groups) and events
// (copies of multi-key commands); forgetting the oldest costs at most a duplicate, never a loss.
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  /** The most recently used key: touching it again needs no reordering (a lane's messages come in runs). */
  private newest: K | undefined;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LRU capacity must be >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value, marked as most recently used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined && key !== this.newest) {
      // Re-insertion moves the key to the end of the Map's iteration order.
      this.map.delete(key);
      this.map.set(key, v);
      this.newest = key;
    }
    return v;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Sets the value; returns the entry evicted to make room, if any. */
  set(key: K, value: V): [K, V] | undefined {
    this.map.delete(key);
    this.map.set(key, value);
    this.newest = key;
    if (this.map.size <= this.capacity) return undefined;
    const oldest = this.map.entries().next().value as [K, V];
    this.map.delete(oldest[0]);
    return oldest;
  }

  delete(key: K): boolean {
    if (key === this.newest) this.newest = undefined;
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.newest = undefined;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
}
