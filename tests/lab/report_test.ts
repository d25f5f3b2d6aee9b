import assert from "node:assert/strict";
import { compare, totals } from "../../scripts/lab/report.ts";
import type { RunOutcome, ViewerOutcome } from "../../scripts/lab/scenario.ts";

function viewer(figures: Partial<ViewerOutcome>): ViewerOutcome {
  return {
    ttffMs: 1000,
    stalls: 0,
    stallSeconds: 0,
    playedSeconds: 60,
    meanKbps: 4500,
    switches: 0,
    ended: true,
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    line: "fiber",
    joinedAt: 0,
    crashed: false,
    ...figures,
  };
}

function run(
  viewers: ViewerOutcome[],
  originBytes: number,
  segments: number[],
): RunOutcome {
  return {
    viewers,
    origin: {
      bytes: originBytes,
      responses: segments.length,
      segments: new Map(
        segments.map((bytes, i) => [`/s${i}.m4s`, { bytes, sentBytes: bytes }]),
      ),
    },
    seconds: 100,
    cpuLoad: 0.5,
  };
}

Deno.test("totals(): sends per segment against distinct bytes, offload against the 1 − 1/N limit", () => {
  // 4 viewers of a 1000-byte stream; the origin sent it 1.5 times.
  const p2p = run(
    [
      viewer({ httpBytes: 1000 }),
      viewer({ httpBytes: 500, p2pBytes: 500, ttffMs: 1200 }),
      viewer({ p2pBytes: 1000, ttffMs: 1400 }),
      viewer({ p2pBytes: 1000, ttffMs: null }),
    ],
    1500,
    [600, 400],
  );
  const t = totals(p2p);
  assert.equal(t.sendsPerSegment, 1.5);
  assert.equal(t.offload, 1 - 1500 / 4000);
  assert.equal(t.offloadLimit, 1 - 1000 / 4000);
  assert.equal(t.medianTtffMs, 1200);
  assert.equal(t.neverStarted, 1);
});

Deno.test("compare(): fiber targets met and missed, P2P against HTTP-only", () => {
  const http = run(
    [viewer({ httpBytes: 1000 }), viewer({ httpBytes: 1000 })],
    2000,
    [1000],
  );
  const good = run(
    [
      viewer({ httpBytes: 1000, ttffMs: 1200 }),
      viewer({ p2pBytes: 1000, ttffMs: 1250 }),
    ],
    1000,
    [1000],
  );
  const c = compare("fiber", "vod", good, http);
  assert.equal(c.originRatio, 0.5);
  assert.deepEqual(c.targets.filter((t) => !t.met), []);
  const stalled = run(
    [
      viewer({ httpBytes: 1000, stalls: 2, stallSeconds: 3, ttffMs: 2000 }),
      viewer({ p2pBytes: 1000, ttffMs: 2100 }),
    ],
    1000,
    [1000],
  );
  const missed = compare("fiber", "vod", stalled, http).targets
    .filter((t) => !t.met).map((t) => t.name);
  assert.deepEqual(missed, [
    "no stall",
    "start-up ≤ HTTP-only + 300 ms",
    "stalls ≤ HTTP-only",
  ]);
});
