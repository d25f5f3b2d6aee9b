/**
 * p2p-media-loader in the player: the core options a viewer's engine runs
 * with, and what its events do to the statistics, the P2P status and the
 * `?debug=p2p` log. Browser-only (the engine itself is imported lazily by
 * {@linkcode useHls}).
 * @module
 */
import type { Signal } from "@preact/signals";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { ReportedP2PStatus } from "../analytics/report.ts";
import type { CoreTuning, PlayerP2PConfig } from "../p2p/config.ts";
import type { P2PStats } from "../p2p/stats.ts";
import { type P2PDebugLog, record } from "./debug_log.ts";
import { highDemandWindow } from "./p2p_pacing.ts";
import type { HttpLineMeter } from "./http_line.ts";
import type { CoreProgress } from "./core_progress.ts";

/**
 * A core option as it applies now: for live, the live tuning's first
 * (`P2P_LIVE_CORE_OPTIONS`), else the VOD one.
 */
export function currentCoreOption<K extends keyof CoreTuning>(
  p2p: PlayerP2PConfig,
  live: boolean,
  key: K,
): CoreTuning[K] {
  return (live ? p2p.liveCore[key] : undefined) ?? p2p.core[key];
}

/** The tracker URL: the configured one, else this site's `/tracker/ws`. */
export function trackerUrl(config: PlayerP2PConfig, channelId: string): string {
  const base = config.trackerUrl ??
    `${
      location.protocol === "https:" ? "wss" : "ws"
    }://${location.host}/tracker/ws`;
  const url = new URL(base);
  url.searchParams.set("channel", channelId);
  return url.href;
}

/** Viewers of the channel right now, or 0 if the server cannot say quickly. */
export async function channelViewers(channelId: string): Promise<number> {
  try {
    const response = await fetch(
      `/tracker/channels/${encodeURIComponent(channelId)}`,
      { signal: AbortSignal.timeout(800) },
    );
    const body = await response.json() as { viewers?: number };
    return typeof body.viewers === "number" ? body.viewers : 0;
  } catch {
    return 0;
  }
}

/** What {@linkcode coreOptions} needs to know about this viewer. */
export interface ViewerContext {
  /** The channel's id. */
  channelId: string;
  /** Its peer id's prefix (see p2p/peer_id.ts); p2p-media-loader's own by default. */
  peerIdPrefix?: string;
  /** `navigator.deviceMemory`, where the browser tells. */
  deviceMemoryGiB?: number;
}

/**
 * The segment cache (MiB) for a device reporting `deviceMemoryGiB`
 * (`navigator.deviceMemory`, Chromium only, rounded down to 0.25–8): a
 * quarter-GiB phone must not hold a GiB of video for its peers. `undefined`
 * leaves p2p-media-loader's own limit (1–4 GiB by platform).
 */
export function segmentCacheMiB(
  deviceMemoryGiB: number | undefined,
): number | undefined {
  if (deviceMemoryGiB === undefined) return undefined;
  if (deviceMemoryGiB <= 1) return 64;
  if (deviceMemoryGiB <= 2) return 128;
  if (deviceMemoryGiB <= 4) return 256;
  return undefined;
}

/**
 * The p2p-media-loader core options of one viewer. P2P starts disabled:
 * the first segments come through hls.js's own loader, exactly as without
 * P2P, and {@linkcode joinSwarmAfterFirstFrame} turns it on.
 */
export function coreOptions(
  p2p: PlayerP2PConfig,
  viewer: ViewerContext,
): CoreTuning & Record<string, unknown> {
  const cache = segmentCacheMiB(viewer.deviceMemoryGiB);
  return {
    ...(cache ? { segmentMemoryStorageLimit: cache } : {}),
    // As pacing sets it with nobody to wait for (see p2p_pacing.ts).
    highDemandTimeWindow: highDemandWindow({
      peers: 0,
      awaitingPeer: false,
    }),
    ...p2p.core,
    announceTrackers: [trackerUrl(p2p, viewer.channelId)],
    rtcConfig: {
      iceServers: p2p.iceServers,
      // Privacy mode: relayed candidates only, so peers never learn each other's addresses.
      iceTransportPolicy: p2p.relayOnly ? "relay" : "all",
    },
    // One swarm per channel, whatever the host or rendition URLs.
    swarmId: swarmIdOf(viewer.channelId),
    isP2PDisabled: true,
    ...(viewer.peerIdPrefix
      ? { trackerClientVersionPrefix: viewer.peerIdPrefix }
      : {}),
  };
}

/** One swarm per channel, whatever the host or rendition URLs. */
export function swarmIdOf(channelId: string): string {
  return `redflix:${channelId}`;
}

/** A viewer joins its swarm at the latest this long after hls.js started (ms), first frame or not. */
export const JOIN_DEADLINE_MS = 8000;

/** What {@linkcode joinSwarmAfterFirstFrame} waits for and calls. */
export interface SwarmJoin {
  /** Whether P2P can run here (relay-only: the relay answered). */
  relay: Promise<boolean>;
  /** Viewers of the channel when this one came. */
  viewers: Promise<number>;
  /** True once the player is gone. */
  disposed(): boolean;
  /** Join: `channelHadViewers` when someone was already watching. */
  join(channelHadViewers: boolean): void;
  /** P2P cannot run: the relay is out of reach. */
  unreachable(): void;
}

/**
 * Join the swarm once `video` shows its first frame (or after
 * {@linkcode JOIN_DEADLINE_MS}): start-up never waits on the tracker, the
 * relay or a peer connection, and the WebRTC set-up does not compete with
 * the first segment for the line or the CPU.
 */
export function joinSwarmAfterFirstFrame(
  video: HTMLVideoElement,
  swarm: SwarmJoin,
): void {
  const firstFrame = new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, JOIN_DEADLINE_MS);
    video.addEventListener("playing", () => {
      clearTimeout(deadline);
      resolve();
    }, { once: true });
  });
  Promise.all([swarm.relay, swarm.viewers, firstFrame]).then(
    ([relayOk, viewers]) => {
      if (swarm.disposed()) return;
      if (relayOk) swarm.join(viewers > 0);
      else swarm.unreachable();
    },
  );
}

/**
 * Whether the TURN relay hands this browser a relayed candidate within
 * `timeoutMs`: in relay-only mode nothing else can carry P2P, so expired
 * or forged credentials, or a relay out of reach, mean HTTP only.
 */
export async function relayReachable(
  iceServers: RTCIceServer[],
  timeoutMs: number,
): Promise<boolean> {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: "relay" });
  try {
    const found = new Promise<boolean>((resolve) => {
      pc.addEventListener("icecandidate", ({ candidate }) => {
        if (!candidate) resolve(false); // gathering ended without a relay
        else if (/ typ relay/.test(candidate.candidate)) resolve(true);
      });
      setTimeout(() => resolve(false), timeoutMs);
    });
    pc.createDataChannel("relay-probe");
    await pc.setLocalDescription(await pc.createOffer());
    return await found;
  } finally {
    pc.close();
  }
}

/** What engine events update. */
export interface EngineWatch {
  /** The viewer's statistics. */
  stats: P2PStats;
  /** What P2P is doing, for the panel and reports. */
  status: Signal<ReportedP2PStatus>;
  /** The viewer's P2P switch. */
  p2pEnabled: Signal<boolean>;
  /** The debug log, if `?debug=p2p`. */
  log?: P2PDebugLog;
  /** Measures the core's HTTP requests for the bandwidth estimate. */
  httpLine?: HttpLineMeter;
  /** Shows hls.js the core's progress with the fragment it waits for. */
  progress?: CoreProgress;
}

/** Feed an engine's events into the statistics, the status and the debug log. */
export function watchEngine(engine: HlsJsP2PEngine, watch: EngineWatch): void {
  const { stats, status, p2pEnabled, log, httpLine, progress } = watch;
  engine.addEventListener("onChunkDownloaded", (bytes, source, peerId) => {
    stats.chunkDownloaded(bytes, source);
    const now = performance.now();
    if (source === "http") httpLine?.received(bytes, now);
    progress?.chunk(bytes, source, now);
    record(log, { type: "chunkDownloaded", bytes, source, peerId });
  });
  engine.addEventListener("onChunkUploaded", (bytes, peerId) => {
    stats.chunkUploaded(bytes);
    record(log, { type: "chunkUploaded", bytes, peerId });
  });
  // Each attempt: for the line meter, the core's progress, and tracing what
  // pacing and the peers did.
  const ended = (url: string, source?: string) => {
    if (source === "http") httpLine?.ended(performance.now());
    progress?.ended(url, source);
  };
  engine.addEventListener(
    "onSegmentStart",
    ({ segment, downloadSource, peerId }) => {
      if (downloadSource === "http") httpLine?.started();
      progress?.started(segment.url, downloadSource);
      record(log, {
        type: "segmentStart",
        url: segment.url,
        source: downloadSource,
        peerId,
      });
    },
  );
  engine.addEventListener("onSegmentLoaded", (details) => {
    ended(details.segmentUrl, details.downloadSource);
    stats.segmentLoaded(details.downloadSource);
    record(log, {
      type: "segmentLoaded",
      bytes: details.bytesLength,
      source: details.downloadSource,
      peerId: details.peerId,
      url: details.segmentUrl,
    });
  });
  engine.addEventListener(
    "onSegmentAbort",
    ({ segment, downloadSource, peerId }) => {
      ended(segment.url, downloadSource);
      record(log, {
        type: "segmentAbort",
        url: segment.url,
        source: downloadSource,
        peerId,
      });
    },
  );
  engine.addEventListener(
    "onSegmentError",
    ({ segment, downloadSource, peerId, error }) => {
      ended(segment.url, downloadSource);
      record(log, {
        type: "segmentError",
        url: segment.url,
        source: downloadSource,
        peerId,
        // p2p-media-loader's error type (`bytes-receiving-timeout`, `peer-closed`…).
        detail: error.type,
      });
    },
  );
  engine.addEventListener("onPeerConnect", ({ peerId }) => {
    stats.peerConnected(peerId);
    if (p2pEnabled.value) status.value = "active";
    record(log, { type: "peerConnect", peerId });
  });
  engine.addEventListener("onPeerClose", ({ peerId }) => {
    stats.peerClosed(peerId);
    if (stats.peers.value.length === 0 && status.value === "active") {
      status.value = "waiting";
    }
    record(log, { type: "peerClose", peerId });
  });
  const trackerTrouble = () => {
    if (stats.peers.value.length === 0 && p2pEnabled.value) {
      status.value = "tracker";
    }
  };
  engine.addEventListener("onTrackerError", trackerTrouble);
  engine.addEventListener("onTrackerWarning", ({ warning }) => {
    // bittorrent-tracker reports a socket it cannot open as a warning.
    if (
      /connect|socket|closed/i.test(
        String((warning as Error)?.message ?? warning),
      )
    ) trackerTrouble();
  });
}
