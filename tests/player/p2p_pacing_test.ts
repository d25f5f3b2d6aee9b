import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import {
  averageFetchSeconds,
  bufferFloor,
  FIRST_PEER_GRACE_MS,
  FLOOR_RAMP,
  highDemandWindow,
  holdingWindow,
  LIVE_FLOOR_SEGMENTS,
  liveBufferFloor,
  liveJoinFloor,
  MARGIN_S,
  MAX_WINDOW_S,
  MIN_HEADROOM,
  MIN_WINDOW_S,
  NO_PEERS_WINDOW_S,
  type PacingSources,
  PEER_RETURN_GRACE_MS,
  smoothFetchSeconds,
  startPacing,
  STARVED_PEER_SHARE,
  VOD_FLOOR_S,
} from "../../player/p2p_pacing.ts";

Deno.test("highDemandWindow(): no peers and none coming is plain HTTP", () => {
  assert.equal(
    highDemandWindow({ peers: 0, awaitingPeer: false }),
    NO_PEERS_WINDOW_S,
  );
  assert.equal(
    highDemandWindow({
      peers: 0,
      awaitingPeer: false,
      httpFetchSeconds: 0.1,
    }),
    NO_PEERS_WINDOW_S,
    "a fast line changes nothing without peers",
  );
});

Deno.test("highDemandWindow(): with peers, a segment goes to HTTP two fetch times (plus 2 s) ahead", () => {
  assert.equal(
    highDemandWindow({ peers: 2, awaitingPeer: false }),
    3,
    "unmeasured: 0.5 s per fetch assumed",
  );
  assert.equal(
    highDemandWindow({
      peers: 1,
      awaitingPeer: false,
      httpFetchSeconds: 0.3,
    }),
    2.6,
  );
  assert.equal(
    highDemandWindow({
      peers: 0,
      awaitingPeer: true,
      httpFetchSeconds: 2,
    }),
    6,
    "a joiner waiting for its first peer on a slow line",
  );
  assert.equal(
    highDemandWindow({
      peers: 3,
      awaitingPeer: false,
      httpFetchSeconds: 0,
    }),
    Math.max(MIN_WINDOW_S, MARGIN_S),
  );
  assert.equal(
    highDemandWindow({
      peers: 3,
      awaitingPeer: false,
      httpFetchSeconds: 40,
    }),
    MAX_WINDOW_S,
    "a line slower than real time: the window stays bounded",
  );
});

Deno.test("highDemandWindow(): a line with little room beyond the stream plays plain HTTP, peers or not", () => {
  const slow = { peers: 2, awaitingPeer: false, segmentSeconds: 2 };
  // constrained: a 2 s segment of 4.5 Mbit/s on a 6 Mbit/s line
  assert.equal(
    highDemandWindow({ ...slow, httpFetchSeconds: 1.6 }),
    NO_PEERS_WINDOW_S,
  );
  assert.equal(
    highDemandWindow({
      ...slow,
      awaitingPeer: true,
      httpFetchSeconds: 1.6,
    }),
    NO_PEERS_WINDOW_S,
    "nor does a joiner wait for its first peer",
  );
  // just enough room: P2P, with the window its fetch time asks for
  assert.equal(
    highDemandWindow({ ...slow, httpFetchSeconds: 2 / MIN_HEADROOM }),
    MARGIN_S + 2 * (2 / MIN_HEADROOM),
  );
  assert.equal(
    highDemandWindow({ ...slow, httpFetchSeconds: 2 / MIN_HEADROOM + 0.01 }),
    NO_PEERS_WINDOW_S,
  );
  // 4G (12 Mbit/s) and fiber: room enough
  assert.equal(highDemandWindow({ ...slow, httpFetchSeconds: 0.8 }), 3.6);
  assert.equal(
    highDemandWindow({
      ...slow,
      segmentSeconds: undefined,
      httpFetchSeconds: 1.6,
    }),
    5.2,
    "before the playlist is known, the fetch time alone decides",
  );
});

Deno.test("smoothFetchSeconds(): slower samples count at once, faster ones a third of the way", () => {
  assert.equal(smoothFetchSeconds(undefined, 0.4), 0.4);
  assert.equal(smoothFetchSeconds(0.4, 1.0), 1.0);
  assert.ok(Math.abs(smoothFetchSeconds(1.0, 0.4) - 0.8) < 1e-9);
});

Deno.test("averageFetchSeconds(): every sample moves it a third of the way", () => {
  assert.equal(averageFetchSeconds(undefined, 0.9), 0.9);
  assert.ok(Math.abs(averageFetchSeconds(0.9, 1.2) - 1.0) < 1e-9);
  assert.ok(Math.abs(averageFetchSeconds(1.2, 0.9) - 1.1) < 1e-9);
});

Deno.test("highDemandWindow(): one slow fetch does not switch a line at the border to plain HTTP", () => {
  // The lab's 4G line at a quarter rate: 0.9 s per 2 s segment, then one
  // fetch of 1.03 s while peers' transfers shared the line.
  const line = { peers: 2, awaitingPeer: false, segmentSeconds: 2 };
  const safe = smoothFetchSeconds(0.9, 1.03);
  const typical = averageFetchSeconds(0.9, 1.03);
  assert.equal(
    highDemandWindow({ ...line, httpFetchSeconds: safe }),
    NO_PEERS_WINDOW_S,
    "the safe estimate alone would switch it",
  );
  const window = highDemandWindow({
    ...line,
    httpFetchSeconds: safe,
    typicalFetchSeconds: typical,
  });
  assert.equal(window, 4.1, "the window still follows the slower fetch");
  // A line that is truly too slow still switches.
  let slow = 0.9;
  for (let i = 0; i < 5; i++) slow = averageFetchSeconds(slow, 1.6);
  assert.equal(
    highDemandWindow({
      ...line,
      httpFetchSeconds: 1.6,
      typicalFetchSeconds: slow,
    }),
    NO_PEERS_WINDOW_S,
  );
});

Deno.test("startPacing(): follows peers; an operator's fixed window stops it", async () => {
  const applied: number[] = [];
  const engine = {
    applyDynamicConfig(config: { core: { highDemandTimeWindow: number } }) {
      applied.push(config.core.highDemandTimeWindow);
    },
  };
  let peers = 0;
  let fixed: number | undefined;
  const stop = startPacing(engine, {
    peers: () => peers,
    channelHadViewers: false,
    fixedWindow: () => fixed,
  });
  try {
    assert.deepEqual(applied, [NO_PEERS_WINDOW_S], "alone: plain HTTP");
    peers = 2;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [NO_PEERS_WINDOW_S, 3]);
    fixed = 20;
    peers = 0;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [NO_PEERS_WINDOW_S, 3], "the operator's window");
  } finally {
    stop();
  }
});

Deno.test("startPacing(): plain HTTP starts no peer transfer; peers back, the operator's count again", async () => {
  const applied: Array<[number, number | undefined]> = [];
  let peers = 0;
  const stop = startPacing({
    applyDynamicConfig: ({ core }) =>
      applied.push([core.highDemandTimeWindow, core.simultaneousP2PDownloads]),
  }, {
    peers: () => peers,
    channelHadViewers: false,
    fixedWindow: () => undefined,
    p2pDownloads: () => 5,
  });
  try {
    assert.deepEqual(applied, [[NO_PEERS_WINDOW_S, 0]], "alone: plain HTTP");
    peers = 2;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [[NO_PEERS_WINDOW_S, 0], [3, 5]]);
  } finally {
    stop();
  }
});

Deno.test("startPacing(): a joiner keeps the narrow window for its first peer, then plays HTTP", async () => {
  const applied: number[] = [];
  const stop = startPacing({
    applyDynamicConfig: (config) =>
      applied.push(config.core.highDemandTimeWindow),
  }, { peers: () => 0, channelHadViewers: true, fixedWindow: () => undefined });
  try {
    assert.deepEqual(applied, [3]);
    await new Promise((resolve) =>
      setTimeout(resolve, FIRST_PEER_GRACE_MS + 700)
    );
    assert.deepEqual(applied, [3, NO_PEERS_WINDOW_S], "no peer came");
  } finally {
    stop();
  }
});

/** Pacing over `sources`, recording each window it applies. */
function paced(sources: PacingSources) {
  const applied: number[] = [];
  const stop = startPacing({
    applyDynamicConfig: (config) =>
      applied.push(config.core.highDemandTimeWindow),
  }, sources);
  return { applied, stop };
}

Deno.test("bufferFloor(): rises from the join to VOD_FLOOR_S, in whole seconds", () => {
  assert.equal(bufferFloor(0), 0);
  assert.equal(bufferFloor(5), Math.floor(5 * FLOOR_RAMP));
  assert.equal(bufferFloor(VOD_FLOOR_S / FLOOR_RAMP), VOD_FLOOR_S);
  assert.equal(bufferFloor(600), VOD_FLOOR_S);
  assert.equal(bufferFloor(-3), 0);
});

Deno.test("bufferFloor(): the whole floor once the first peer's grace is over, for a player its peers leave starved", () => {
  const grace = FIRST_PEER_GRACE_MS / 1000;
  assert.equal(bufferFloor(grace, STARVED_PEER_SHARE - 0.01), VOD_FLOOR_S);
  assert.equal(bufferFloor(grace, 0), VOD_FLOOR_S, "the first viewer too");
  assert.equal(
    bufferFloor(grace - 0.1, 0),
    Math.floor((grace - 0.1) * FLOOR_RAMP),
    "its first peer may still come",
  );
  assert.equal(
    bufferFloor(grace, STARVED_PEER_SHARE),
    Math.floor(grace * FLOOR_RAMP),
    "peers deliver: the slow rise",
  );
});

Deno.test("liveBufferFloor(): none, unless the player's peers leave it starved once its first peer's grace is over", () => {
  const grace = FIRST_PEER_GRACE_MS / 1000;
  assert.equal(liveBufferFloor(600, 0.3, 2), 0, "peers deliver: the window");
  assert.equal(liveBufferFloor(600, undefined, 2), 0, "not measured");
  assert.equal(liveBufferFloor(grace - 0.1, 0, 2), 0, "a peer may still come");
  assert.equal(
    liveBufferFloor(grace, STARVED_PEER_SHARE - 0.01, 2),
    LIVE_FLOOR_SEGMENTS * 2,
  );
  assert.equal(
    liveBufferFloor(grace, 0, 6),
    LIVE_FLOOR_SEGMENTS * 6,
    "in segments",
  );
});

Deno.test("liveJoinFloor(): what plain HTTP holds until the first peer connects", () => {
  assert.equal(liveJoinFloor(false, 2), LIVE_FLOOR_SEGMENTS * 2);
  assert.equal(liveJoinFloor(false, 6), LIVE_FLOOR_SEGMENTS * 6, "in segments");
  assert.equal(liveJoinFloor(true, 2), 0, "a peer came: the window");
});

Deno.test("holdingWindow(): a live floor plus the fetch that refills it, in half seconds", () => {
  assert.equal(holdingWindow(6, 0.9), 7);
  assert.equal(holdingWindow(6, 0.2), 6.5);
  assert.equal(holdingWindow(6, 1), 7);
  assert.equal(holdingWindow(6, undefined), 6, "not measured yet");
  assert.equal(holdingWindow(0, 0.9), 0, "no floor");
});

Deno.test("startPacing(): a VOD player's window rises to the buffer floor; live and plain HTTP keep theirs", () => {
  const clock = FakeTimers.install({
    toFake: ["setInterval", "clearInterval"],
  });
  try {
    let share = 0;
    const run = (
      vod: boolean | undefined,
      peers: number,
      more: Partial<PacingSources> = {},
    ) =>
      paced({
        peers: () => peers,
        channelHadViewers: false,
        fixedWindow: () => undefined,
        vod: () => vod,
        segmentSeconds: () => 2,
        clock: () => clock.now,
        ...more,
      });
    const vod = run(true, 2);
    const live = run(false, 2);
    const alone = run(true, 0);
    const starved = run(true, 2, { peerShare: () => share });
    const starvedLive = run(false, 2, { peerShare: () => share });
    let joinerPeers = 0;
    const joiningLive = run(false, 0, {
      peers: () => joinerPeers,
      channelHadViewers: true,
    });
    const unknown = run(undefined, 2, { peerShare: () => 0 });
    clock.tick(2_000);
    joinerPeers = 1; // its first peer, during its grace
    clock.tick(8_000);
    share = STARVED_PEER_SHARE; // peers start to deliver
    clock.tick(50_000);
    const all = [vod, live, alone, starved, starvedLive, joiningLive, unknown];
    for (const { stop } of all) stop();
    assert.deepEqual(
      starvedLive.applied,
      [3, LIVE_FLOOR_SEGMENTS * 2],
      "live: what plain HTTP holds once starved, and it stays",
    );
    assert.deepEqual(
      joiningLive.applied,
      [LIVE_FLOOR_SEGMENTS * 2, 3],
      "live: what plain HTTP holds until its first peer, then the window",
    );
    assert.deepEqual(unknown.applied, [3], "no floor before the kind is known");
    assert.deepEqual(
      starved.applied,
      [3, VOD_FLOOR_S],
      "at once after 8 s, and it stays",
    );
    assert.equal(vod.applied[0], 3, "a joiner's narrow window first");
    assert.equal(vod.applied.at(-1), VOD_FLOOR_S);
    assert.ok(
      vod.applied.length <= VOD_FLOOR_S + 2,
      `a few changes: ${vod.applied}`,
    );
    assert.deepEqual(live.applied, [3]);
    assert.deepEqual(alone.applied, [NO_PEERS_WINDOW_S]);
  } finally {
    clock.uninstall();
  }
});

Deno.test("startPacing(): a player that lost its last peer keeps its window for another, then plays HTTP", async () => {
  let peers = 2;
  let now = 0;
  const { applied, stop } = paced({
    peers: () => peers,
    channelHadViewers: false,
    fixedWindow: () => undefined,
    clock: () => now,
  });
  try {
    assert.deepEqual(applied, [3]);
    peers = 0;
    now += PEER_RETURN_GRACE_MS - 100;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [3], "it may come back");
    peers = 1; // it did
    await new Promise((resolve) => setTimeout(resolve, 700));
    peers = 0;
    now += PEER_RETURN_GRACE_MS;
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.deepEqual(applied, [3, NO_PEERS_WINDOW_S], "none came: plain HTTP");
  } finally {
    stop();
  }
});
