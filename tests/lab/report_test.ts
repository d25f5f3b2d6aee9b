import assert from "node:assert/strict";
import {
  compare,
  compareAbr,
  compareLocality,
  localityTotals,
  totals,
} from "../../scripts/lab/report.ts";
import type { RunOutcome, ViewerOutcome } from "../../scripts/lab/scenario.ts";

function viewer(figures: Partial<ViewerOutcome>): ViewerOutcome {
  return {
    ttffMs: 1000,
    firstP2PMs: null,
    stalls: 0,
    stallSeconds: 0,
    playedSeconds: 60,
    meanKbps: 4500,
    switches: 0,
    ended: true,
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    aheadSamples: [],
    line: "fiber",
    joinedAt: 0,
    crashed: false,
    light: false,
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

Deno.test("totals(): a light viewer's bytes count, its start-up, stalls and bitrate do not", () => {
  const t = totals(run(
    [
      viewer({ httpBytes: 1000, ttffMs: 900 }),
      viewer({ p2pBytes: 1000, ttffMs: 1100, stalls: 1, stallSeconds: 2 }),
      // Light viewers show no video: their figures would skew the players'.
      viewer({ light: true, p2pBytes: 1000, ttffMs: 300, stalls: 3 }),
      viewer({ light: true, p2pBytes: 1000, ttffMs: null, meanKbps: 100 }),
    ],
    1000,
    [1000],
  ));
  assert.equal(t.viewers, 4);
  assert.equal(t.offload, 1 - 1000 / 4000);
  assert.equal(t.offloadLimit, 1 - 1000 / 4000);
  assert.equal(t.medianTtffMs, 1100);
  assert.equal(t.worstTtffMs, 1100);
  assert.equal(t.neverStarted, 0);
  assert.equal(t.stalls, 1);
  assert.equal(t.stallSeconds, 2);
  assert.equal(t.meanKbps, 4500);
});

Deno.test("totals(): buffer ahead pooled over the players' samples, light viewers left out", () => {
  const t = totals(run(
    [
      viewer({ aheadSamples: [30, 28, 29, 30, 27] }),
      viewer({ aheadSamples: [4, 5, 3, 6, 2] }),
      viewer({ light: true, aheadSamples: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }),
    ],
    1000,
    [1000],
  ));
  // pooled: 2 3 4 5 6 27 28 29 30 30
  assert.equal(t.aheadMedianS, 27);
  assert.equal(t.aheadP10S, 3);
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

Deno.test("compareLocality(): bytes across regions from the links, first P2P byte from the viewers", () => {
  const IDLE_LINK = {
    bytes: 0,
    overflowDrops: 0,
    randomDrops: 0,
    datagrams: 0,
    tcpBytes: 0,
    udpBytes: 0,
  };
  const withLinks = (
    r: RunOutcome,
    same: number,
    cross: number,
  ): RunOutcome => ({
    ...r,
    links: [{
      down: IDLE_LINK,
      up: IDLE_LINK,
      p2pSameRegionBytes: same,
      p2pCrossRegionBytes: cross,
    }],
  });
  const viewers = (first: number) => [
    viewer({ httpBytes: 1000 }),
    viewer({ p2pBytes: 1000, firstP2PMs: first }),
  ];
  const on = withLinks(run(viewers(3000), 1000, [1000]), 900, 100);
  const off = withLinks(run(viewers(4000), 1000, [1000]), 400, 600);
  assert.equal(localityTotals(on).crossShare, 0.1);
  assert.equal(localityTotals(off).medianFirstP2PMs, 4000);
  const c = compareLocality(on, off);
  assert.deepEqual(c.targets.filter((t) => !t.met), []);
  const worse = compareLocality(
    withLinks(run(viewers(5000), 1000, [1000]), 500, 500),
    off,
  );
  assert.deepEqual(
    worse.targets.filter((t) => !t.met).map((t) => t.name),
    [
      "P2P bytes across regions ≤ 20 %",
      "first P2P byte sooner than random (median)",
    ],
  );
});

Deno.test("compareAbr(): origin, played bitrate, stalls and switches against hls.js's own choice", () => {
  const stock = run(
    [
      viewer({ httpBytes: 1000, meanKbps: 4500, switches: 4 }),
      viewer({ httpBytes: 1000, meanKbps: 2500, switches: 4 }),
    ],
    2000,
    [1000, 1000],
  );
  const aware = run(
    [
      viewer({ httpBytes: 1000, meanKbps: 4500, switches: 1 }),
      viewer({ p2pBytes: 1000, meanKbps: 4500, switches: 1 }),
    ],
    1000,
    [1000],
  );
  const c = compareAbr(aware, stock);
  assert.equal(c.originRatio, 0.5);
  assert.deepEqual(c.targets.filter((t) => !t.met), []);
  const reversed = compareAbr(stock, aware);
  assert.deepEqual(
    reversed.targets.filter((t) => !t.met).map((t) => t.name),
    [
      "origin ≤ 0.7 × stock",
      "played bitrate ≥ 0.95 × stock",
      "switches per viewer-minute ≤ stock",
    ],
  );
});
