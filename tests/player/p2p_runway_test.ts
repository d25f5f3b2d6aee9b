import assert from "node:assert/strict";
import {
  FIRST_TRANSFER_SEGMENTS,
  MAX_TRACKED_TRANSFERS,
  Runway,
  type RunwayInputs,
  SLOW_LINE_SHARE,
} from "../../player/p2p_runway.ts";
import {
  MAX_WINDOW_S,
  NO_PEERS_WINDOW_S,
  PEER_RETURN_GRACE_MS,
  startPacing,
} from "../../player/p2p_pacing.ts";

/** What the runway weighs: buffer, window and segment (seconds); two peers. */
function at(
  bufferAheadSeconds: number,
  windowSeconds: number,
  segmentSeconds: number,
  httpFetchSeconds?: number,
): RunwayInputs {
  return {
    bufferAheadSeconds,
    windowSeconds,
    segmentSeconds,
    httpFetchSeconds,
    peers: 2,
  };
}

/** A runway whose peers lost one race after `seconds`. */
function afterLostRace(seconds: number): Runway {
  const runway = new Runway();
  runway.started("seg_4.m4s", 1000);
  runway.ended("seg_4.m4s", 1000 + seconds * 1000, false);
  return runway;
}

Deno.test("Runway: peers that win their races never get one", () => {
  const runway = new Runway();
  assert.equal(runway.extraSeconds(at(2, 2.4, 2)), 0, "nothing measured yet");
  runway.started("seg_2.m4s", 0);
  runway.ended("seg_2.m4s", 400, true);
  assert.equal(runway.transferSeconds, 0.4);
  assert.equal(
    runway.extraSeconds(at(2, 2.4, 2)),
    0,
    "fiber: a short buffer, but no race lost",
  );
  assert.equal(runway.building, false);
});

Deno.test("Runway: a lost race with a short buffer beyond the window builds one transfer and one segment, then narrows", () => {
  // The lab's 4G joiner: window 3.8 s, buffer 3.5 s, a transfer lost after 2.5 s.
  const runway = afterLostRace(2.5);
  assert.equal(runway.extraSeconds(at(3.5, 3.8, 2)), 4.5);
  assert.equal(runway.building, true);
  assert.equal(runway.extraSeconds(at(6, 3.8, 2)), 4.5, "still building");
  assert.equal(
    runway.extraSeconds(at(8.3, 3.8, 2)),
    0,
    "built: peers take over",
  );
  assert.equal(runway.building, false);
  assert.equal(
    runway.extraSeconds(at(5, 3.8, 2)),
    0,
    "no new lost race: the buffer runs down on its own",
  );
});

Deno.test("Runway: a slow line builds one before its first transfer, a fast one does not", () => {
  // The lab's 4G line at a quarter rate: 0.9 s to fetch a 2 s segment.
  const slow = new Runway();
  const runway = FIRST_TRANSFER_SEGMENTS * 2 + 2;
  assert.equal(slow.extraSeconds(at(1.8, 3.8, 2)), 0, "no fetch measured yet");
  assert.equal(slow.extraSeconds(at(1.8, 3.8, 2, 0.9)), runway);
  assert.equal(slow.transferSeconds, FIRST_TRANSFER_SEGMENTS * 2);
  assert.equal(slow.extraSeconds(at(3.8 + runway, 3.8, 2, 0.9)), 0, "built");
  assert.equal(
    slow.extraSeconds(at(1.8, 3.8, 2, 0.9)),
    0,
    "the line is weighed once: later runways come from lost races",
  );
  // Fiber: 0.2 s; and a line just at the share.
  const fast = new Runway();
  assert.equal(fast.extraSeconds(at(1.8, 2.4, 2, 0.2)), 0);
  assert.equal(fast.extraSeconds(at(1.8, 2.4, 2, 0.2)), 0);
  assert.equal(fast.transferSeconds, undefined);
  assert.equal(
    new Runway().extraSeconds(at(1.8, 3, 2, SLOW_LINE_SHARE * 2)),
    0,
  );
  // A viewer whose buffer is already long (the first viewer) needs none.
  assert.equal(new Runway().extraSeconds(at(30, 3.8, 2, 0.9)), 0);
});

Deno.test("Runway: a race lost to a peer faster than the stream builds nothing", () => {
  // Fiber: a first transfer on a new connection lost after 1.5 s of a 2 s
  // segment; the buffer grows from peers on its own.
  const runway = afterLostRace(1.5);
  assert.equal(runway.extraSeconds(at(2, 2.4, 2, 0.2)), 0);
  assert.equal(runway.building, false);
});

Deno.test("Runway: peers that together cannot keep up with the stream get none", () => {
  // The lab's 4G line at full rate: 6.3 s per 2 s segment, two peers.
  const runway = afterLostRace(6.3);
  assert.equal(runway.extraSeconds({ ...at(3.5, 3.8, 2), peers: 2 }), 0);
  assert.equal(runway.building, false);
  // Two peers at 3 s each do keep up: 2 segments every 3 s.
  const keepsUp = afterLostRace(3);
  assert.equal(keepsUp.extraSeconds({ ...at(3.5, 3.8, 2), peers: 2 }), 5);
});

Deno.test("Runway: a race lost with room to spare builds nothing", () => {
  // 10 s beyond the window, more than the 2.5 s a transfer takes: the race
  // was lost for another reason (a peer that left).
  const runway = afterLostRace(2.5);
  assert.equal(runway.extraSeconds(at(13.8, 3.8, 2)), 0);
  assert.equal(runway.building, false);
  assert.equal(
    runway.extraSeconds(at(3.5, 3.8, 2)),
    0,
    "the lost race was already weighed",
  );
});

Deno.test("Runway: a slower transfer counts at once; the window never passes its bound", () => {
  const runway = afterLostRace(2);
  runway.started("seg_5.m4s", 0);
  runway.ended("seg_5.m4s", 12_000, false);
  assert.equal(runway.transferSeconds, 12);
  const sixPeers = (buffer: number) => ({ ...at(buffer, 3.8, 2), peers: 6 });
  assert.equal(runway.extraSeconds(sixPeers(3)), MAX_WINDOW_S - 3.8);
  assert.equal(runway.extraSeconds(sixPeers(MAX_WINDOW_S)), 0);
});

Deno.test("Runway: transfers it never saw start are ignored, and what it keeps is bounded", () => {
  const runway = new Runway();
  runway.ended("never-started.m4s", 5000, false);
  assert.equal(runway.transferSeconds, undefined);
  assert.equal(runway.extraSeconds(at(0, 3, 2)), 0);
  // A peer that starts transfers and never ends them: the oldest are forgotten.
  for (let i = 0; i < MAX_TRACKED_TRANSFERS * 10; i++) {
    runway.started(`seg_${i}.m4s`, i);
  }
  runway.ended("seg_0.m4s", 10_000, false);
  assert.equal(runway.transferSeconds, undefined, "seg_0 was forgotten");
  const last = MAX_TRACKED_TRANSFERS * 10 - 1;
  runway.ended(`seg_${last}.m4s`, last + 2000, true);
  assert.equal(runway.transferSeconds, 2);
});

Deno.test("startPacing(): the runway widens the window while it is built, never without peers", async () => {
  const applied: number[] = [];
  const runway = afterLostRace(2.5);
  let buffered = 3;
  let peers = 2;
  let now = 0;
  const stop = startPacing({
    applyDynamicConfig: (config) =>
      applied.push(config.core.highDemandTimeWindow),
  }, {
    peers: () => peers,
    channelHadViewers: false,
    fixedWindow: () => undefined,
    segmentSeconds: () => 2,
    runway: () => runway,
    bufferAhead: () => buffered,
    clock: () => now,
  });
  try {
    assert.deepEqual(applied, [3 + 4.5], "unmeasured fetch: 3 s, plus 4.5");
    buffered = 7.5;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [7.5, 3], "built");
    peers = 0;
    runway.started("seg_9.m4s", 0);
    runway.ended("seg_9.m4s", 2500, false);
    buffered = 1;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [7.5, 3], "its peer may come back: no runway");
    now += PEER_RETURN_GRACE_MS;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [7.5, 3, NO_PEERS_WINDOW_S], "alone: plain HTTP");
  } finally {
    stop();
  }
});
