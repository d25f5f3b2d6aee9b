import assert from "node:assert/strict";
import {
  BUSY_SAMPLES,
  FAR_MARGIN_MS,
  FAR_RATIO,
  farLinks,
  linksToClose,
  MAX_REPORT_LENGTH,
  nearestRttMs,
  parseNearestReport,
} from "../../player/near_first.ts";
import { localityEnabled, NEAR_ENOUGH } from "../../p2p/near_peers.ts";

const link = (rttMs: number | undefined, idle = true, busySamples = 0) => ({
  rttMs,
  idle,
  busySamples,
});

Deno.test("linksToClose(): idle far links go once enough links are near", () => {
  // The lab's regions: 10-20 ms inside, 120-140 ms between.
  assert.deepEqual(
    linksToClose([link(130), link(12), link(140), link(18)]),
    [0, 2],
  );
  assert.deepEqual(linksToClose([link(130), link(12), link(140)]), [0, 2]);
  assert.deepEqual(
    linksToClose([link(130), link(12), link(140), link(18)], 3),
    [],
    "fewer near links than asked: far peers keep serving",
  );
  assert.equal(NEAR_ENOUGH, 1, "the tracker's rule and the player's");
  assert.deepEqual(
    linksToClose([link(130), link(12), link(140, false), link(18)]),
    [0],
    "a far link carrying data gets a moment to finish",
  );
  assert.deepEqual(
    linksToClose([
      link(130),
      link(12),
      link(140, false, BUSY_SAMPLES - 1),
      link(150, false, BUSY_SAMPLES),
      link(18),
    ]),
    [0, 3],
    "…but one busy for long closes anyway",
  );
  assert.deepEqual(
    farLinks([link(130), link(12), link(140, false), link(18)]),
    [0, 2],
  );
  assert.deepEqual(
    linksToClose([link(130), link(140)]),
    [],
    "only far peers: they are the near ones",
  );
});

Deno.test("linksToClose(): far means both a margin and a ratio over the nearest", () => {
  const nearest = 30;
  const justFar = Math.max(nearest + FAR_MARGIN_MS, nearest * FAR_RATIO);
  assert.deepEqual(
    linksToClose([link(nearest), link(nearest + 5), link(justFar)]),
    [2],
  );
  assert.deepEqual(
    linksToClose([link(nearest), link(nearest + 5), link(justFar - 1)]),
    [],
  );
  // On a 4G line every round trip is long: 200 against 260 ms is not far.
  assert.deepEqual(linksToClose([link(200), link(210), link(260)]), []);
  // On a LAN, 1 against 20 ms is not far either: the margin is not met.
  assert.deepEqual(linksToClose([link(1), link(2), link(20)]), []);
});

Deno.test("linksToClose(): a link is far only over enough readings, near on one", () => {
  assert.deepEqual(
    linksToClose([
      { rttMs: 12, settled: false, idle: true },
      { rttMs: 140, settled: false, idle: true },
      { rttMs: 150, settled: true, idle: true },
    ]),
    [2],
    "one low reading makes a near link; one high reading does not make a far one",
  );
});

Deno.test("linksToClose(): links with no round trip yet are neither near nor far", () => {
  assert.deepEqual(
    linksToClose([link(undefined), link(undefined), link(12), link(150)], 2),
    [],
    "only one measured near link",
  );
  assert.deepEqual(linksToClose([link(undefined), link(undefined)]), []);
  assert.equal(nearestRttMs([link(undefined), link(40), link(25)]), 25);
  assert.equal(nearestRttMs([link(undefined)]), Infinity);
  assert.deepEqual(linksToClose([]), []);
});

Deno.test("farLinks(): far from both ends, when the other end reports its nearest", () => {
  // The lab's `mixed`, one region: a fiber viewer (links to fiber 40 ms)
  // and a 4G neighbour, whose every link holds its 60 ms line.
  const fiber = { rttMs: 45 };
  assert.deepEqual(
    farLinks([fiber, { rttMs: 130 }]),
    [1],
    "judged from this end alone, the 4G neighbour looks far",
  );
  assert.deepEqual(
    farLinks([fiber, { rttMs: 130, remoteNearestMs: 100 }]),
    [],
    "its own nearest is 100 ms: 130 is not far from its end",
  );
  // A viewer alone in its region: its nearest is a far link.
  assert.deepEqual(
    farLinks([{ rttMs: 12 }, { rttMs: 135, remoteNearestMs: 130 }]),
    [],
    "a far viewer with nobody near keeps its far peers",
  );
  assert.deepEqual(
    farLinks([{ rttMs: 12 }, { rttMs: 135, remoteNearestMs: 11 }]),
    [1],
    "…until someone near joins it: then far from both ends",
  );
  assert.deepEqual(
    linksToClose([
      { rttMs: 12, idle: true },
      { rttMs: 135, idle: true, remoteNearestMs: 130 },
      { rttMs: 140, idle: true, remoteNearestMs: 14 },
    ]),
    [2],
  );
});

Deno.test("parseNearestReport(): a short decimal round trip, nothing else", () => {
  assert.equal(parseNearestReport("42"), 42);
  assert.equal(parseNearestReport("0"), 0);
  assert.equal(parseNearestReport("12.5"), 12.5);
  for (
    const hostile of [
      "",
      "-1",
      "1e9",
      "NaN",
      "Infinity",
      " 42",
      "42ms",
      "0x10",
      "60000",
      "9".repeat(MAX_REPORT_LENGTH + 1),
      "1".repeat(100_000),
      42,
      null,
      new ArrayBuffer(8),
      { nearest: 4 },
    ]
  ) {
    assert.equal(
      parseNearestReport(hostile),
      undefined,
      `refused: ${String(hostile).slice(0, 20)}`,
    );
  }
});

Deno.test("localityEnabled(): LOCALITY on by default, off, booleans, a clear error", () => {
  const env = (value?: string) => (name: string) =>
    name === "LOCALITY" ? value : undefined;
  assert.equal(localityEnabled(env()), true);
  assert.equal(localityEnabled(env("")), true);
  assert.equal(localityEnabled(env("on")), true);
  assert.equal(localityEnabled(env(" OFF ")), false);
  assert.equal(localityEnabled(env("false")), false);
  assert.equal(localityEnabled(env("1")), true);
  assert.throws(
    () => localityEnabled(env("nearby")),
    /LOCALITY: expected on or off/,
  );
});
