import assert from "node:assert/strict";
import { LruCache } from "../../utils/lru.ts";
import { KeyedRateLimiter } from "../../utils/rate_limit.ts";

Deno.test("LruCache keeps the most recently used entries, and misses expire", () => {
  let now = 0;
  const cache = new LruCache<string, number>(3, () => now);
  cache.set("a", 1);
  cache.set("b", 2);
  cache.set("c", 3);
  assert.equal(cache.get("a"), 1); // a is now the most recent
  cache.set("d", 4); // b goes
  assert.equal(cache.get("b"), undefined);
  assert.equal(cache.size, 3);
  cache.set("miss", 0, 1000);
  now = 999;
  assert.equal(cache.get("miss"), 0);
  now = 2000;
  assert.equal(cache.get("miss"), undefined, "expired");
  for (let i = 0; i < 100_000; i++) cache.set(`junk-${i}`, i);
  assert.equal(cache.size, 3, "bounded whatever keys arrive");
});

Deno.test("KeyedRateLimiter remembers a bounded number of addresses", () => {
  const limiter = new KeyedRateLimiter(1, 2, 100);
  assert.ok(limiter.take("a", 0));
  assert.ok(limiter.take("a", 0));
  assert.ok(!limiter.take("a", 0), "burst spent");
  for (let i = 0; i < 10_000; i++) limiter.take(`spoof-${i}`, 0);
  assert.ok(
    limiter.take("a", 0),
    "evicted, so a fresh bucket: bounded memory wins",
  );
});
