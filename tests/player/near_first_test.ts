import assert from "node:assert/strict";
import {
  BUSY_SAMPLES,
  FAR_MARGIN_MS,
  FAR_RATIO,
  farLinks,
  linksToClose,
  nearestRttMs,
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
