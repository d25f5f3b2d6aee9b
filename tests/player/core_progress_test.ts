import assert from "node:assert/strict";
import {
  CoreProgress,
  type FragmentProgress,
} from "../../player/core_progress.ts";

const SEGMENT = "https://cdn.example/216p/seg_7.ts";
const NEXT = "https://cdn.example/216p/seg_8.ts";

/** Fresh stats, as `watchCoreLoad` leaves them at `start`. */
function loading(start: number): FragmentProgress {
  return { loaded: 0, loading: { start, first: 0 } };
}

Deno.test("CoreProgress: the HTTP bytes of the fragment hls.js waits for", () => {
  const progress = new CoreProgress();
  const stats = loading(1000);
  progress.watch(SEGMENT, stats);
  progress.started(SEGMENT, "http");
  progress.chunk(64_000, "http", 1100);
  progress.chunk(36_000, "http", 1200);
  assert.deepEqual(stats, {
    loaded: 100_000,
    loading: { start: 1000, first: 1100 },
  });
  // The request fails in a dip; the core asks again for the rest.
  progress.ended(SEGMENT, "http");
  progress.chunk(5_000, "http", 4200); // nothing in flight
  progress.started(SEGMENT, "http");
  progress.chunk(16_000, "http", 4300);
  assert.equal(stats.loaded, 116_000);
});

Deno.test("CoreProgress: peers' bytes, other segments' and bytes that cannot be told apart are not counted", () => {
  const progress = new CoreProgress();
  const stats = loading(0);
  progress.watch(SEGMENT, stats);
  progress.started(SEGMENT, "p2p");
  progress.chunk(50_000, "p2p", 10); // HTTP finishes it if the peer is slow
  progress.started(NEXT, "http");
  progress.chunk(50_000, "http", 15); // the next segment
  progress.started(SEGMENT, "http");
  progress.chunk(50_000, "http", 20); // two requests in flight
  progress.ended(NEXT, "http");
  progress.chunk(10_000, "http", 30);
  assert.deepEqual(stats, { loaded: 10_000, loading: { start: 0, first: 30 } });
});

Deno.test("CoreProgress: only the fragment watched last counts", () => {
  const progress = new CoreProgress();
  const first = loading(0);
  const second = loading(500);
  progress.watch(SEGMENT, first);
  progress.started(SEGMENT, "http");
  progress.chunk(1000, "http", 100);
  progress.watch(NEXT, second); // hls.js gave SEGMENT up
  progress.chunk(1000, "http", 600);
  assert.equal(first.loaded, 1000);
  assert.equal(second.loaded, 0);
});
