/**
 * A light viewer, in the browser (bundled by light_viewer.ts): the P2P
 * half of a player without the video. It reads the watch page as a player
 * would (its P2P settings, TURN credentials of its own), runs hls.js for
 * the playlists and the real p2p-media-loader engine with the player's
 * core options, pacing and runway, and plays the top rendition with a
 * simulated playhead: it asks for the next segment while less than
 * {@linkcode FORWARD_BUFFER_S} is buffered, starts playing once the first
 * segment is in, stalls when the playhead reaches the end of what it has.
 * It joins the swarm after its first segment, as a player does after its
 * first frame. What it sees goes where the lab's probe and the P2P panel
 * keep a player's (`window.__lab`, `.p2p-panel`), so the lab reads both
 * kinds alike. Not decoding video saves this machine's CPU for more
 * viewers; ABR, the near-first links and the live roles are left out.
 * @module
 */
import Hls from "hls.js";
import { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { Core, Segment } from "p2p-media-loader-core";
import { signal } from "@preact/signals";
import type { PlayerP2PConfig } from "../../p2p/config.ts";
import { P2PStats } from "../../p2p/stats.ts";
import {
  channelViewers,
  coreOptions,
  currentCoreOption,
  watchEngine,
} from "../../player/p2p_engine.ts";
import { FORWARD_BUFFER_S } from "../../player/use_hls.ts";
import { debugLog, record } from "../../player/debug_log.ts";
import { startPacing } from "../../player/p2p_pacing.ts";
import { followRaces, Runway } from "../../player/p2p_runway.ts";
import { BACK_SYNC_SEGMENTS } from "../../player/live_role.ts";
import { ISLAND_DATA_ID } from "../../runtime/island_markers.ts";
import type { ProbeFigures } from "./viewer_probe.ts";

/** How often the playhead moves (ms). */
const TICK_MS = 100;

/** The watch page's island props that matter here. */
interface WatchProps {
  channel: { id: string; url: string };
  p2p: PlayerP2PConfig;
}

async function watchProps(channelId: string): Promise<WatchProps> {
  const html = await (await fetch(`/watch/${encodeURIComponent(channelId)}`))
    .text();
  const doc = new DOMParser().parseFromString(html, "text/html");
  const data = JSON.parse(
    doc.getElementById(ISLAND_DATA_ID)?.textContent ?? "{}",
  ) as { props?: Array<{ v: Partial<WatchProps> }> };
  const props = data.props?.map((p) => p.v).find((v) => v.p2p && v.channel);
  if (!props) throw new Error(`No player on /watch/${channelId}`);
  return props as WatchProps;
}

/** A segment over plain HTTP; resolves with its size. */
async function fetchSegment(segment: Segment): Promise<number> {
  const range = segment.byteRange;
  const response = await fetch(segment.url, {
    headers: range ? { range: `bytes=${range.start}-${range.end}` } : {},
  });
  if (!response.ok) throw new Error(`${segment.url}: ${response.status}`);
  return (await response.arrayBuffer()).byteLength;
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const channelId = params.get("channel") ?? "";
  // The probe's figures (viewer_probe.ts), kept here as a player's are.
  const lab = (globalThis as unknown as { __lab: ProbeFigures }).__lab;
  const panel = document.querySelector<HTMLElement>(".p2p-panel")!;
  const { channel, p2p } = await watchProps(channelId);
  const stats = new P2PStats();
  const log = debugLog();
  const HlsWithP2P = HlsJsP2PEngine.injectMixin(Hls);
  const hls = new HlsWithP2P({
    autoStartLoad: false,
    p2p: { core: coreOptions(p2p, { channelId }) },
  });
  const engine = hls.p2pEngine;
  // The engine keeps its core private; the light viewer drives it directly.
  const core = (engine as unknown as { core: Core }).core;
  watchEngine(engine, {
    stats,
    status: signal("starting"),
    p2pEnabled: signal(p2p.enabled),
    log,
  });
  const viewers = await channelViewers(channelId);
  // The top rendition, as the lab's players play it.
  let level:
    | { url: string; bitrate: number; live: boolean; targetDuration: number }
    | undefined;
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    hls.startLevel = hls.levels.length - 1;
    hls.startLoad();
  });
  hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => {
    const top = hls.levels[data.level]!;
    if (data.details.live && !level?.live) {
      engine.applyDynamicConfig({ core: p2p.liveCore });
    }
    level = {
      url: top.uri,
      bitrate: top.bitrate,
      live: data.details.live,
      targetDuration: data.details.targetduration,
    };
    core.setActiveLevelBitrate(top.bitrate);
  });
  hls.loadSource(new URL(channel.url, location.href).href);

  const segments = (): Segment[] =>
    [...(level && core.getStream(level.url)?.segments.values() || [])]
      .sort((a, b) => a.startTime - b.startTime);
  let position: number | undefined;
  let bufferedEnd = 0;
  let loading = false;
  let joined = false;
  let last = performance.now();
  const join = () => {
    joined = true;
    if (p2p.enabled) {
      engine.applyDynamicConfig({ core: { isP2PDisabled: false } });
    }
    const runway = new Runway();
    followRaces(engine, runway);
    startPacing(engine, {
      peers: () => stats.peers.value.length,
      channelHadViewers: viewers > 0,
      segmentSeconds: () => level?.targetDuration,
      fixedWindow: () =>
        currentCoreOption(p2p, level?.live === true, "highDemandTimeWindow"),
      vod: () => level === undefined ? undefined : !level.live,
      peerShare: () => stats.p2pRatio.value,
      runway: () => level?.live ? undefined : runway,
      bufferAhead: () => bufferedEnd - (position ?? 0),
      p2pDownloads: () =>
        currentCoreOption(
          p2p,
          level?.live === true,
          "simultaneousP2PDownloads",
        ) ?? 3,
      onWindow: (seconds) => record(log, { type: "window", seconds }),
    });
    record(log, { type: "p2pJoined" });
  };
  const loaded = (segment: Segment) => {
    loading = false;
    bufferedEnd = segment.endTime;
    if (lab.ttff === null) {
      lab.ttff = performance.now();
      if (!joined) join();
    }
  };
  // Asked again on the next tick.
  const failed = () => loading = false;
  const load = (segment: Segment) => {
    loading = true;
    if (core.isSegmentLoadable(segment.runtimeId)) {
      core.loadSegment(segment.runtimeId, {
        onSuccess: () => loaded(segment),
        onError: failed,
      });
      return;
    }
    // P2P off or not joined yet: hls.js's own loader would fetch it (the
    // engine passes on what the core may not load); count it as the player does.
    fetchSegment(segment).then((bytes) => {
      stats.chunkDownloaded(bytes, "http");
      stats.segmentLoaded("http");
      record(log, { type: "chunkDownloaded", bytes, source: "http" });
      loaded(segment);
    }, failed);
  };
  setInterval(() => {
    const now = performance.now();
    const all = segments();
    const mediaEnd = all.at(-1)?.endTime ?? Infinity;
    if (position === undefined && all.length) {
      const start = level?.live && viewers > 0
        ? all[Math.max(0, all.length - BACK_SYNC_SEGMENTS)]!.startTime
        : all[0]!.startTime;
      position = bufferedEnd = start;
    }
    if (position !== undefined && lab.ttff !== null && !lab.ended) {
      const step = Math.min((now - last) / 1000, bufferedEnd - position);
      if (step > 0) {
        position += step;
        lab.played += step;
        lab.kbitPlayed += step * (level?.bitrate ?? 0) / 1000;
      }
      const atEnd = !level?.live && position >= mediaEnd - 0.05;
      if (atEnd) lab.ended = true;
      else if (position >= bufferedEnd - 0.001 && lab.stallStart === null) {
        lab.stalls++;
        lab.stallStart = now;
      } else if (position < bufferedEnd - 0.001 && lab.stallStart !== null) {
        lab.stallMs += now - lab.stallStart;
        lab.stallStart = null;
      }
      core.updatePlayback(position, 1);
      if (
        lab.samples.length < 3600 &&
        now - (lab.samples.at(-1)?.[0] ?? -Infinity) >= 1000
      ) {
        const ahead = bufferedEnd - position;
        const toEnd = !level?.live && bufferedEnd >= mediaEnd;
        lab.samples.push([
          Math.round(now),
          Math.round(position * 10) / 10,
          Math.round(ahead * 10) / 10,
          toEnd ? 1 : 0,
        ]);
      }
    }
    last = now;
    const next = all.find((s) => s.startTime >= bufferedEnd - 0.1);
    if (
      position !== undefined && next && !loading &&
      bufferedEnd - position < FORWARD_BUFFER_S
    ) load(next);
    panel.dataset.httpBytes = String(stats.httpBytes.value);
    panel.dataset.p2pBytes = String(stats.p2pBytes.value);
    panel.dataset.uploadedBytes = String(stats.uploadedBytes.value);
    panel.dataset.peers = String(stats.peers.value.length);
  }, TICK_MS);
}

main().catch((error) => {
  document.body.dataset.error = String(error);
  console.error(error);
});
