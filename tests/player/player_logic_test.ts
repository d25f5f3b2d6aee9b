import assert from "node:assert/strict";
import { qualityOptions } from "../../player/levels.ts";
import {
  coreOptions,
  currentCoreOption,
  segmentCacheMiB,
} from "../../player/p2p_engine.ts";
import { NO_PEERS_WINDOW_S } from "../../player/p2p_pacing.ts";
import { behindAfter, edgeDistance } from "../../player/use_live_edge.ts";
import { buildReport } from "../../player/use_stats_report.ts";
import { p2pConfigFromEnv } from "../../p2p/config.ts";

Deno.test("qualityOptions() lists renditions highest first, named by height or bitrate", () => {
  assert.deepEqual(
    qualityOptions([
      { height: 180, bitrate: 228_000 },
      { height: 360, bitrate: 528_000 },
      { bitrate: 96_000 },
    ]),
    [
      { index: 1, bitrate: 528_000, label: "360p" },
      { index: 0, bitrate: 228_000, label: "180p" },
      { index: 2, bitrate: 96_000, label: "96 kbps" },
    ],
  );
});

Deno.test("coreOptions(): one swarm per channel; P2P starts off, with the window of a viewer alone", () => {
  const p2p = {
    ...p2pConfigFromEnv(() => undefined),
    trackerUrl: "wss://tracker.example/ws",
    iceServers: [],
  };
  const options = coreOptions(p2p, { channelId: "demo" });
  assert.equal(options.highDemandTimeWindow, NO_PEERS_WINDOW_S);
  assert.equal(options.swarmId, "redflix:demo");
  assert.deepEqual(options.announceTrackers, [
    "wss://tracker.example/ws?channel=demo",
  ]);
  assert.equal(
    options.isP2PDisabled,
    true,
    "the first segments come as without P2P; the player joins after the first frame",
  );
  assert.deepEqual(options.rtcConfig, {
    iceServers: [],
    iceTransportPolicy: "all",
  });
  const relayOnly = coreOptions({ ...p2p, relayOnly: true }, {
    channelId: "demo",
  });
  assert.deepEqual(relayOnly.rtcConfig, {
    iceServers: [],
    iceTransportPolicy: "relay",
  });
  const tuned = coreOptions(
    { ...p2p, core: { ...p2p.core, highDemandTimeWindow: 20 } },
    { channelId: "demo" },
  );
  assert.equal(tuned.highDemandTimeWindow, 20, "an operator's value wins");
});

Deno.test("segmentCacheMiB(): small phones keep a small segment cache; others keep p2p-media-loader's", () => {
  assert.equal(segmentCacheMiB(0.5), 64);
  assert.equal(segmentCacheMiB(2), 128);
  assert.equal(segmentCacheMiB(4), 256);
  assert.equal(segmentCacheMiB(8), undefined);
  assert.equal(segmentCacheMiB(undefined), undefined, "Safari, Firefox");
  const p2p = {
    ...p2pConfigFromEnv(() => undefined),
    trackerUrl: "wss://tracker.example/ws",
    iceServers: [],
  };
  const phone = coreOptions(p2p, { channelId: "demo", deviceMemoryGiB: 2 });
  assert.equal(phone.segmentMemoryStorageLimit, 128);
  const tuned = coreOptions(
    { ...p2p, core: { ...p2p.core, segmentMemoryStorageLimit: 512 } },
    { channelId: "demo", deviceMemoryGiB: 2 },
  );
  assert.equal(
    tuned.segmentMemoryStorageLimit,
    512,
    "an operator's value wins",
  );
});

Deno.test("live edge: distance never negative, 'behind' two segments past the aim", () => {
  assert.equal(edgeDistance(120, 112.5), 7.5);
  assert.equal(edgeDistance(120, 121), 0);
  assert.equal(behindAfter(2), 10, "(3 + 2) segments of 2 s");
  assert.equal(behindAfter(2, 4), 12, "a P2P player aims one segment further");
  assert.equal(behindAfter(0), Infinity, "before the playlist is known");
});

Deno.test("buildReport(): totals since the session started; unknown bytes are null, never 0", () => {
  const state = {
    token: "v1.t",
    channel: "demo",
    live: true,
    status: "active" as const,
    now: { http: 5000, p2p: 9000, up: 100, stalls: 3 },
    base: { http: 1000, p2p: 0, up: 100, stalls: 1 },
    bytesKnown: true,
    peers: 2,
    ttffMs: 640,
    final: false,
  };
  assert.deepEqual(buildReport(state).totals, {
    httpBytes: 4000,
    p2pBytes: 9000,
    uploadedBytes: 0,
    stalls: 2,
  });
  assert.deepEqual(
    buildReport({ ...state, bytesKnown: false, status: "native" }).totals,
    { httpBytes: null, p2pBytes: null, uploadedBytes: null, stalls: 2 },
  );
  assert.equal(buildReport({ ...state, final: true }).final, true);
});

Deno.test("currentCoreOption(): live takes the live tuning first, VOD the VOD one", () => {
  const p2p = {
    ...p2pConfigFromEnv(() => undefined),
    core: { highDemandTimeWindow: 7, simultaneousP2PDownloads: 2 },
    liveCore: { highDemandTimeWindow: 4 },
  };
  assert.equal(currentCoreOption(p2p, true, "highDemandTimeWindow"), 4);
  assert.equal(currentCoreOption(p2p, false, "highDemandTimeWindow"), 7);
  assert.equal(
    currentCoreOption(p2p, true, "simultaneousP2PDownloads"),
    2,
    "the VOD one where live sets none",
  );
  assert.equal(
    currentCoreOption(p2p, false, "p2pDownloadTimeWindow"),
    undefined,
  );
});
