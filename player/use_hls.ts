/**
 * The hls.js lifecycle of one player: hls.js (and p2p-media-loader, when P2P
 * can run) loaded lazily, attached to the video, levels and live detection
 * followed, media errors recovered, and everything destroyed on unmount or
 * when the source changes, so peers and the tracker socket close.
 * @module
 */
import { type Signal, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type Hls from "hls.js";
import type {
  ErrorData,
  FragLoadedData,
  HlsConfig,
  LevelLoadedData,
  LevelSwitchedData,
} from "hls.js";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { ReportedP2PStatus } from "../analytics/report.ts";
import type { PlayerP2PConfig } from "../p2p/config.ts";
import type { P2PStats } from "../p2p/stats.ts";
import { levelLabel, type QualityOption, qualityOptions } from "./levels.ts";
import {
  channelViewers,
  coreOptions,
  debugLog,
  recordPeerSegments,
  relayReachable,
  watchEngine,
} from "./p2p_engine.ts";
import type { Playback } from "./use_playback.ts";
import { startPacing } from "./p2p_pacing.ts";

/**
 * hls.js settings of every player. Live: play 3 segments behind the edge,
 * catch up gently (up to 1.1x) when behind, jump back if 8 segments late.
 */
export const HLS_CONFIG: Partial<HlsConfig> = {
  enableWorker: true,
  lowLatencyMode: false,
  liveSyncDurationCount: 3,
  liveMaxLatencyDurationCount: 8,
  maxLiveSyncPlaybackRate: 1.1,
};

/** How long the relay probe of relay-only mode may take (ms). */
export const RELAY_PROBE_MS = 4000;

/** Segments behind the edge the player aims at (`liveSyncDurationCount`). */
export const LIVE_SYNC_SEGMENTS = 3;

/**
 * Segments behind the edge a P2P player aims at: one more than plain HTTP,
 * so a new segment has a segment's time more to travel between peers
 * before it must come from the origin (measured in the lab: docs/performance.md).
 */
export const P2P_LIVE_SYNC_SEGMENTS = LIVE_SYNC_SEGMENTS + 1;

/** What {@linkcode useHls} needs. */
export interface HlsOptions {
  /** The channel's id (the swarm). */
  channelId: string;
  /** The playlist URL. */
  src: string;
  /** P2P settings from the server. */
  p2p: PlayerP2PConfig;
  /** A new value reloads the player (the retry button). */
  attempt: number;
  /** The video element's state. */
  playback: Playback;
  /** The viewer's statistics. */
  stats: P2PStats;
  /** What P2P is doing. */
  p2pStatus: Signal<ReportedP2PStatus>;
  /** The viewer's P2P switch. */
  p2pEnabled: Signal<boolean>;
}

/** The running player. */
export interface HlsSession {
  /** hls.js, once created. */
  hls: RefObject<Hls | null>;
  /** The P2P engine, when P2P runs. */
  engine: RefObject<HlsJsP2PEngine | null>;
  /** The quality menu. */
  levels: Signal<QualityOption[]>;
  /** The rendition playing now, e.g. `360p`. */
  currentLevel: Signal<string>;
  /** Whether the playlist slides (live). */
  isLive: Signal<boolean>;
  /** The live playlist's target duration (s), once known. */
  targetDuration: Signal<number>;
  /** Whether the browser has WebRTC at all. */
  webrtc: Signal<boolean>;
  /** Whether this player can know its bytes (not so with native HLS). */
  bytesKnown: RefObject<boolean>;
}

/** Create, attach and tear down hls.js for `videoRef`. */
export function useHls(
  videoRef: RefObject<HTMLVideoElement>,
  options: HlsOptions,
): HlsSession {
  const { channelId, src, p2p, attempt, playback, stats, p2pStatus } = options;
  const p2pEnabled = options.p2pEnabled;
  const hlsRef = useRef<Hls | null>(null);
  const engineRef = useRef<HlsJsP2PEngine | null>(null);
  const bytesKnown = useRef(true);
  const levels = useSignal<QualityOption[]>([]);
  const currentLevel = useSignal("");
  const isLive = useSignal(false);
  const targetDuration = useSignal(0);
  const webrtc = useSignal(true);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let disposed = false;
    let stopPacing: (() => void) | undefined;

    async function start(video: HTMLVideoElement) {
      webrtc.value = typeof RTCPeerConnection === "function";
      const canP2P = p2p.enabled && webrtc.value;
      // Relay-only: check the relay first (in parallel with loading hls.js).
      const relay = canP2P && p2p.relayOnly
        ? relayReachable(p2p.iceServers, RELAY_PROBE_MS)
        : Promise.resolve(true);
      // Everything start-up waits for, at once: on a 60 ms line each serial
      // fetch costs the viewer a visible moment.
      const [{ default: HlsClass }, relayOk, viewers, p2pLoaded] = await Promise
        .all([
          import("hls.js"),
          relay,
          canP2P ? channelViewers(channelId) : 0,
          canP2P ? import("p2p-media-loader-hlsjs") : undefined,
        ]);
      const wantP2P = canP2P && relayOk;
      const p2pModule = wantP2P ? p2pLoaded : undefined;
      if (disposed) return;
      if (!p2p.enabled) p2pStatus.value = "operator";
      else if (!webrtc.value) p2pStatus.value = "webrtc";
      else if (!relayOk) p2pStatus.value = "turn";
      if (!HlsClass.isSupported()) {
        if (video.canPlayType("application/vnd.apple.mpegurl")) {
          video.src = src; // Safari and iOS play HLS natively, without P2P
          bytesKnown.current = false;
          if (wantP2P) p2pStatus.value = "native";
          video.play().catch(() => {});
        } else {
          playback.status.value = "unsupported";
        }
        return;
      }
      isLive.value = false;
      let hls: Hls;
      if (p2pModule) {
        const HlsWithP2P = p2pModule.HlsJsP2PEngine.injectMixin(HlsClass);
        const log = debugLog();
        hls = new HlsWithP2P({
          ...HLS_CONFIG,
          liveSyncDurationCount: P2P_LIVE_SYNC_SEGMENTS,
          p2p: {
            core: {
              ...coreOptions(p2p, {
                channelId,
                viewers,
                p2pEnabled: p2pEnabled.value,
                deviceMemoryGiB: (navigator as { deviceMemory?: number })
                  .deviceMemory,
              }),
              validateP2PSegment: log ? recordPeerSegments(log) : undefined,
            },
            onHlsJsCreated(created) {
              engineRef.current = created.p2pEngine;
              watchEngine(created.p2pEngine, {
                stats,
                status: p2pStatus,
                p2pEnabled,
                log,
              });
              stopPacing = startPacing(created.p2pEngine, {
                peers: () => stats.peers.value.length,
                channelHadViewers: viewers > 0,
                fixedWindow: () =>
                  (isLive.value
                    ? p2p.liveCore.highDemandTimeWindow
                    : undefined) ??
                    p2p.core.highDemandTimeWindow,
                onWindow: (seconds) =>
                  log?.events.push({
                    type: "window",
                    seconds,
                    at: Math.round(performance.now()),
                  }),
              });
            },
          },
        });
        p2pStatus.value = p2pEnabled.value ? "waiting" : "viewer";
      } else {
        hls = new HlsClass(HLS_CONFIG);
        // Without the P2P engine every byte comes over HTTP: count it from hls.js.
        hls.on(
          HlsClass.Events.FRAG_LOADED,
          (_event: string, data: FragLoadedData) => {
            stats.chunkDownloaded(data.frag.stats.loaded, "http");
            stats.segmentLoaded("http");
          },
        );
      }
      hlsRef.current = hls;
      let mediaRecoveries = 0;
      hls.on(HlsClass.Events.MANIFEST_PARSED, () => {
        levels.value = qualityOptions(hls.levels);
        video.play().catch(() => {
          // Autoplay refused even muted: the native controls let the viewer start.
          if (playback.status.value === "loading") {
            playback.status.value = "paused";
          }
        });
      });
      hls.on(
        HlsClass.Events.LEVEL_SWITCHED,
        (_event: string, data: LevelSwitchedData) => {
          const level = hls.levels[data.level];
          currentLevel.value = level
            ? levelLabel(level.height, level.bitrate)
            : "";
        },
      );
      hls.on(
        HlsClass.Events.LEVEL_LOADED,
        (_event: string, data: LevelLoadedData) => {
          const { live, targetduration } = data.details;
          if (live && !isLive.value) {
            // A sliding playlist: use the live tuning from now on.
            engineRef.current?.applyDynamicConfig({ core: p2p.liveCore });
            targetDuration.value = targetduration;
          }
          isLive.value = live;
        },
      );
      hls.on(HlsClass.Events.ERROR, (_event: string, data: ErrorData) => {
        if (!data.fatal) return;
        if (
          data.type === HlsClass.ErrorTypes.MEDIA_ERROR && mediaRecoveries < 2
        ) {
          mediaRecoveries++;
          if (mediaRecoveries === 2) hls.swapAudioCodec();
          hls.recoverMediaError();
          return;
        }
        playback.fail(`${data.type}: ${data.details}`);
        hls.destroy();
        hlsRef.current = null;
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    }

    start(video).catch((error) => playback.fail(String(error)));
    return () => {
      disposed = true;
      stopPacing?.();
      hlsRef.current?.destroy(); // also destroys the P2P engine: peers and tracker socket close
      hlsRef.current = null;
      engineRef.current = null;
      stats.clearPeers();
    };
  }, [src, attempt]);

  return {
    hls: hlsRef,
    engine: engineRef,
    levels,
    currentLevel,
    isLive,
    targetDuration,
    webrtc,
    bytesKnown,
  };
}
