import assert from "node:assert/strict";
import { pageOf, parsePageRequest } from "../../utils/paging.ts";

Deno.test("pageOf() returns the right slice in order, holding only offset + limit items", () => {
  const numbers = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
  const byValue = (a: number, b: number) => a - b;
  const first = pageOf(numbers, byValue, { limit: 5, offset: 0 }, (n) => n);
  assert.deepEqual(first.items, [0, 1, 2, 3, 4]);
  assert.equal(first.total, 1000);
  assert.equal(first.nextCursor, "5");
  const later = pageOf(numbers, byValue, { limit: 3, offset: 995 }, (n) => n);
  assert.deepEqual(later.items, [995, 996, 997]);
  const last = pageOf(numbers, byValue, { limit: 10, offset: 995 }, (n) => n);
  assert.deepEqual(last.items, [995, 996, 997, 998, 999]);
  assert.equal(last.nextCursor, undefined);
  let mapped = 0;
  pageOf(numbers, byValue, { limit: 2, offset: 0 }, (n) => mapped += n);
  assert.equal(mapped, 1, "only kept items are mapped");
});

Deno.test("parsePageRequest() reads ?limit and ?cursor, refusing nonsense", () => {
  const limits = { defaultLimit: 100, maxLimit: 1000 };
  assert.deepEqual(parsePageRequest(new URLSearchParams(), limits), {
    limit: 100,
    offset: 0,
  });
  assert.deepEqual(
    parsePageRequest(new URLSearchParams("limit=20&cursor=40"), limits),
    { limit: 20, offset: 40 },
  );
  for (
    const bad of [
      "limit=0",
      "limit=1001",
      "limit=x",
      "cursor=-1",
      "cursor=1e9",
      "cursor=abc",
    ]
  ) {
    assert.throws(
      () => parsePageRequest(new URLSearchParams(bad), limits),
      /Invalid/,
      bad,
    );
  }
});
