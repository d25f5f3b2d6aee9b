import assert from "node:assert/strict";
import {
  figuresOf,
  mergeViewerCounts,
  snapshotOf,
} from "../../analytics/figures.ts";
import { emptyTotals } from "../../analytics/store.ts";

Deno.test("figures: offload over known bytes, viewers by status, channels and all", () => {
  const totals = new Map([
    ["demo", {
      ...emptyTotals(),
      httpBytes: 1000,
      p2pBytes: 3000,
      ttffSum: 1200,
      ttffCount: 2,
    }],
    ["news", { ...emptyTotals(), httpBytes: 500, p2pBytes: 0, stalls: 2 }],
  ]);
  const viewers = mergeViewerCounts([
    { demo: { active: 2, native: 1 } },
    { demo: { active: 1 }, sport: { operator: 1 } },
  ]);
  assert.deepEqual(viewers, {
    demo: { active: 3, native: 1 },
    sport: { operator: 1 },
  });
  const snapshot = snapshotOf(totals, viewers);
  assert.equal(snapshot.channels.demo!.offload, 0.75);
  assert.equal(snapshot.channels.demo!.avgTtffMs, 600);
  assert.equal(snapshot.channels.demo!.viewers, 4);
  assert.equal(snapshot.channels.demo!.noP2P.native, 1);
  assert.equal(
    snapshot.channels.sport!.httpBytes,
    0,
    "viewers without totals yet",
  );
  assert.equal(snapshot.viewers, 5);
  assert.equal(snapshot.offload, 3000 / 4500);
  assert.equal(snapshot.stalls, 2);
  assert.deepEqual(snapshot.noP2P, {
    operator: 1,
    viewer: 0,
    webrtc: 0,
    native: 1,
    tracker: 0,
    turn: 0,
  });
  assert.equal(figuresOf(emptyTotals(), undefined).avgTtffMs, null);
  assert.equal(figuresOf(emptyTotals(), undefined).offload, 0);
});
