/**
 * A bounded cache: at most `maxEntries` entries, the least recently used
 * going first, and entries that may expire (a cached miss, say). Whatever
 * keys a client makes up, memory stays bounded.
 * @module
 */

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/** A least-recently-used cache with optional expiry per entry. */
export class LruCache<K, V> {
  #entries = new Map<K, Entry<V>>();
  #maxEntries: number;
  #clock: () => number;

  /** A cache of at most `maxEntries` entries. */
  constructor(maxEntries: number, clock: () => number = Date.now) {
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** Entries held now (expired ones included until touched). */
  get size(): number {
    return this.#entries.size;
  }

  /** The value for `key` (now the most recently used), or `undefined`. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#clock()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keep `value` for `key`, for `ttlMs` if given; evicts the least recently used past the bound. */
  set(key: K, value: V, ttlMs = Infinity): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#clock() + ttlMs });
    if (this.#entries.size > this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  /** Forget `key`. */
  delete(key: K): void {
    this.#entries.delete(key);
  }
}
