/**
 * A small least-recently-used map. The API keeps downsampled cell series in one, keyed by what their rows depend on
 * (routers/cells.ts), so a repeat request skips re-reading and re-parsing up to 100k rows of chunks
 * (docs/BENCHMARKS.md has the cold and warm figures).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

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
