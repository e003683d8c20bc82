/**
 * A small least-recently-used map: a hit moves the entry to the newest end, and past `capacity` entries the least
 * recently used one is dropped. The store keeps parsed records in one (by key, with the etag they were read at) and
 * the API keeps downsampled cell series in one (docs/BENCHMARKS.md has the cold and warm figures).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {}

  /** The value of `key` (now the most recently used), or undefined. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Store `value` under `key` as the most recently used, dropping the least recently used past capacity. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }
}
