/**
 * A token bucket: `rate` tokens per second up to `burst`, one per message.
 * Refilled lazily from the clock, so an idle connection costs nothing.
 * @module
 */
import { LruCache } from "./lru.ts";

/** Per-connection message budget. */
export class TokenBucket {
  #tokens: number;
  #last: number;
  #rate: number;
  #burst: number;

  /** A full bucket at time `now` (ms). */
  constructor(rate: number, burst: number, now: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Take one token at time `now`; `false` when the budget is spent. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#last) / 1000;
    this.#last = now;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#rate);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Token buckets per key (an address), bounded in number: the least recently used go first. */
export class KeyedRateLimiter {
  #buckets: LruCache<string, TokenBucket>;
  #rate: number;
  #burst: number;

  /** `rate` per second up to `burst` for each key; at most `maxKeys` remembered. */
  constructor(rate: number, burst: number, maxKeys = 10_000) {
    this.#rate = rate;
    this.#burst = burst;
    this.#buckets = new LruCache(maxKeys);
  }

  /** Take one token for `key` at time `now` (ms). */
  take(key: string, now: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.#rate, this.#burst, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now);
  }
}
