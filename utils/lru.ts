/**
 * A bounded cache: at most `maxEntries` entries, the least recently used
 * going first, and entries that may expire (a cached miss, say). Whatever
 * keys a client makes up, memory stays bounded.
 * @module
 */

/**
 * Put `key` last in `map` (a Map keeps insertion order: last is newest),
 * dropping the oldest entry once there are more than `max`.
 */
export function setNewest<K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  max: number,
): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}

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
    setNewest(
      this.#entries,
      key,
      { value, expiresAt: this.#clock() + ttlMs },
      this.#maxEntries,
    );
  }

  /** Forget `key`. */
  delete(key: K): void {
    this.#entries.delete(key);
  }
}
