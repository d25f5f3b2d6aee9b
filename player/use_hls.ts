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
  FragLoadingData,
  HlsConfig,
  LevelLoadedData,
  LevelSwitchedData,
} from "hls.js";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import type { ReportedP2PStatus } from "../analytics/report.ts";
import type { CoreTuning, PlayerP2PConfig } from "../p2p/config.ts";
import type { P2PStats } from "../p2p/stats.ts";
import { levelLabel, type QualityOption, qualityOptions } from "./levels.ts";
import {
  channelViewers,
  coreOptions,
  currentCoreOption,
  joinSwarmAfterFirstFrame,
  relayReachable,
  swarmIdOf,
  watchEngine,
} from "./p2p_engine.ts";
import {
  type DebugEvent,
  debugLog,
  record,
  recordHlsEvents,
  recordPeerSegments,
} from "./debug_log.ts";
import type { Playback } from "./use_playback.ts";
import { startPacing } from "./p2p_pacing.ts";
import { followRaces, Runway } from "./p2p_runway.ts";
import { startNearFirst, watchPeerLinks } from "./near_first.ts";
import { bufferAhead } from "./media_buffer.ts";
import { p2pAbrController } from "./p2p_abr_controller.ts";
import { HttpLineMeter } from "./http_line.ts";
import { CoreProgress } from "./core_progress.ts";
import { keepBufferedStreamController } from "./stream_controller.ts";
import { watchSwarmLevels } from "./swarm_levels.ts";
import {
  BACK_SYNC_SEGMENTS,
  EDGE_SYNC_SEGMENTS,
  liveP2PWindow,
  liveRank,
} from "./live_role.ts";
import { peerIdPrefix } from "../p2p/peer_id.ts";

/**
 * Seconds of media every player buffers ahead. hls.js alone buffers up to
 * 60 MB (`maxBufferSize`): all 90 s of a 4.5 Mbit/s VOD within seconds,
 * which a phone viewer who leaves early has paid for on a metered line and
 * the origin has sent for nothing (the lab's HTTP-only viewers that left
 * after 16 s had fetched all 51 MB). 30 s rides out any hiccup; Video.js
 * aims at the same. P2P players need it set too: p2p-media-loader would
 * otherwise shrink hls.js's buffer to its high-demand window (a few
 * seconds), peers' segments would wait in its cache instead of the
 * player's buffer, and any hiccup would stall. Only segments inside the
 * high-demand window ever go to HTTP, so the longer buffer costs the origin
 * nothing.
 */
export const FORWARD_BUFFER_S = 30;

/**
 * hls.js settings of every player. A forward buffer of
 * {@linkcode FORWARD_BUFFER_S}. Live: play 3 segments behind the edge,
 * catch up gently (up to 1.1x) when behind, jump back if 8 segments late.
 */
export const HLS_CONFIG: Partial<HlsConfig> = {
  enableWorker: true,
  maxBufferLength: FORWARD_BUFFER_S,
  maxMaxBufferLength: FORWARD_BUFFER_S,
  lowLatencyMode: false,
  liveSyncDurationCount: EDGE_SYNC_SEGMENTS,
  liveMaxLatencyDurationCount: 8,
  maxLiveSyncPlaybackRate: 1.1,
};

/** How long the relay probe of relay-only mode may take (ms). */
export const RELAY_PROBE_MS = 4000;

/** Segments behind the edge a player without P2P aims at (`liveSyncDurationCount`). */
export const LIVE_SYNC_SEGMENTS = EDGE_SYNC_SEGMENTS;

/**
 * A joiner's buffer (seconds) until it joins the swarm: its first segments
 * come over HTTP before any peer can help, and a full buffer fetched then
 * would be the origin's (measured: 15 MB of a 4.5 Mbit/s stream per joiner).
 */
export const JOINER_START_BUFFER_S = 6;

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
  /** Whether the viewer uploads to peers now (the upload policy). */
  uploads(): boolean;
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
  /** Why the automatic quality plays what it plays (P2P-aware ABR). */
  renditionReason: Signal<"swarm" | "connection">;
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
  const renditionReason = useSignal<"swarm" | "connection">("connection");

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let disposed = false;
    let stopPacing: (() => void) | undefined;
    let stopSwarmLevels: (() => void) | undefined;
    let stopNearFirst: (() => void) | undefined;

    async function start(video: HTMLVideoElement) {
      webrtc.value = typeof RTCPeerConnection === "function";
      const canP2P = p2p.enabled && webrtc.value;
      // Start-up waits only for the code: the relay probe and the viewer
      // count run alongside, and P2P joins in after the first frame.
      const relay = canP2P && p2p.relayOnly
        ? relayReachable(p2p.iceServers, RELAY_PROBE_MS)
        : Promise.resolve(canP2P);
      // The viewer count comes back while the code loads (it sets the live aim).
      const swarmAbr = canP2P && p2p.abr === "p2p";
      // When each part arrived (`startStep` in a `?debug=p2p` trace).
      const steps: DebugEvent[] = [];
      const step = <T>(name: string, promise: Promise<T>): Promise<T> =>
        promise.then((value) => {
          steps.push({
            type: "startStep",
            detail: name,
            at: Math.round(performance.now()),
          });
          return value;
        });
      // Before the engine's code loads: its WebRTC library keeps the
      // RTCPeerConnection it finds then.
      if (canP2P && p2p.nearFirst) watchPeerLinks();
      const [{ default: HlsClass }, p2pModule, viewers, coreModule] =
        await Promise.all([
          step("hls.js", import("hls.js")),
          canP2P
            ? step("p2p-media-loader-hlsjs", import("p2p-media-loader-hlsjs"))
            : undefined,
          canP2P ? step("viewers", channelViewers(channelId)) : 0,
          // The same module p2p-media-loader-hlsjs uses: its stream ids.
          swarmAbr
            ? step("p2p-media-loader-core", import("p2p-media-loader-core"))
            : undefined,
        ]);
      if (disposed) return;
      if (!p2p.enabled) p2pStatus.value = "operator";
      else if (!webrtc.value) p2pStatus.value = "webrtc";
      if (!HlsClass.isSupported()) {
        if (video.canPlayType("application/vnd.apple.mpegurl")) {
          video.src = src; // Safari and iOS play HLS natively, without P2P
          bytesKnown.current = false;
          if (canP2P) p2pStatus.value = "native";
          video.play().catch(() => {});
        } else {
          playback.status.value = "unsupported";
        }
        return;
      }
      isLive.value = false;
      const log = debugLog();
      for (const done of steps) record(log, done);
      let hls: Hls;
      // Every player, P2P or not (see stream_controller.ts).
      const config: Partial<HlsConfig> = {
        ...HLS_CONFIG,
        streamController: keepBufferedStreamController(
          HlsClass.DefaultConfig.streamController,
        ),
      };
      if (p2pModule) {
        const HlsWithP2P = p2pModule.HlsJsP2PEngine.injectMixin(HlsClass);
        const ownPrefix = peerIdPrefix(Date.now(), options.uploads());
        let peersByLevel: readonly number[] = [];
        const httpLine = new HttpLineMeter();
        const coreProgress = new CoreProgress();
        hls = new HlsWithP2P({
          ...config,
          ...(viewers > 0
            ? {
              maxBufferLength: JOINER_START_BUFFER_S,
              maxMaxBufferLength: JOINER_START_BUFFER_S,
            }
            : {}),
          ...(coreModule
            ? {
              abrController: p2pAbrController(
                HlsClass.DefaultConfig.abrController,
                {
                  swarmPeers: () => peersByLevel,
                  httpLine,
                  coreProgress,
                  onChoice: (choice, stock) => {
                    renditionReason.value = choice.reason;
                    record(log, {
                      type: "abrChoice",
                      level: choice.level,
                      source: choice.reason,
                      sn: stock,
                    });
                  },
                },
              ),
            }
            : {}),
          // A first viewer will bring segments in; a joiner plays further back.
          liveSyncDurationCount: viewers > 0
            ? BACK_SYNC_SEGMENTS
            : EDGE_SYNC_SEGMENTS,
          p2p: {
            core: {
              ...coreOptions(p2p, {
                channelId,
                peerIdPrefix: ownPrefix,
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
                httpLine,
                progress: coreProgress,
              });
            },
          },
        });
        const engine = engineRef.current!;
        if (log) {
          // After the ABR controller's own listener: the estimate it made.
          const created = hls;
          httpLine.listen(({ durationMs, bytes }) =>
            record(log, {
              type: "httpLine",
              bytes,
              seconds: durationMs / 1000,
              detail: `estimate ${Math.round(created.bandwidthEstimate)}`,
            })
          );
        }
        if (coreModule) {
          stopSwarmLevels = watchSwarmLevels(hls, HlsClass.Events, {
            channelId,
            swarmId: swarmIdOf(channelId),
            shortId: coreModule.generateStreamShortId,
            joined: () => !engine.getConfig().core.mainStream.isP2PDisabled,
            onPeers: (peers) => {
              peersByLevel = peers;
              record(log, { type: "swarmLevels", detail: peers.join("/") });
            },
          });
        }
        p2pStatus.value = p2pEnabled.value ? "waiting" : "viewer";
        // Segments the engine does not handle (P2P not started yet, turned
        // off, or paused) come through hls.js's own loader: count them here.
        const bypassed = new WeakSet<object>();
        hls.on(
          HlsClass.Events.FRAG_LOADING,
          (_event: string, data: FragLoadingData) => {
            if (engine.getConfig().core.mainStream.isP2PDisabled) {
              bypassed.add(data.frag);
            }
          },
        );
        hls.on(
          HlsClass.Events.FRAG_LOADED,
          (_event: string, data: FragLoadedData) => {
            if (!bypassed.has(data.frag)) return;
            bypassed.delete(data.frag);
            const bytes = data.frag.stats.loaded;
            stats.chunkDownloaded(bytes, "http");
            stats.segmentLoaded("http");
            record(log, { type: "chunkDownloaded", bytes, source: "http" });
          },
        );
        // Live only: this player's rank among its peers (0: it brings new
        // segments into the swarm); a joiner plays back until it meets its
        // peers (its elders are there).
        const rank = () => {
          const uploads = options.uploads() &&
            !engine.getConfig().core.mainStream.isP2PUploadDisabled;
          const place = stats.peers.value.length === 0
            ? (viewers === 0 ? 0 : 1)
            : liveRank(ownPrefix, stats.peers.value);
          // Only a player that uploads now brings segments in for others.
          return place === 0 && !uploads ? 1 : place;
        };
        let appliedP2PWindow: number | undefined;
        const followRole = () => {
          if (!isLive.value) return false;
          const place = rank();
          const aim = place === 0 ? EDGE_SYNC_SEGMENTS : BACK_SYNC_SEGMENTS;
          if (hls.config.liveSyncDurationCount !== aim) {
            // hls.js catches up to a nearer aim (at up to 1.1x); a player
            // that steps back keeps its place and, being ahead, still
            // fetches what nobody has yet.
            hls.config.liveSyncDurationCount = aim;
            record(log, { type: place === 0 ? "edgeRole" : "backRole" });
          }
          const p2pWindow = place === 0 || !targetDuration.value
            ? undefined
            : liveP2PWindow(place, targetDuration.value);
          if (
            p2pWindow !== undefined && p2pWindow !== appliedP2PWindow &&
            p2p.liveCore.p2pDownloadTimeWindow === undefined
          ) {
            appliedP2PWindow = p2pWindow;
            engine.applyDynamicConfig({
              core: { p2pDownloadTimeWindow: p2pWindow },
            });
            record(log, { type: "p2pWindow", seconds: p2pWindow });
          }
          return place === 0;
        };
        const fullBuffer = () =>
          Object.assign(hls.config, {
            maxBufferLength: FORWARD_BUFFER_S,
            maxMaxBufferLength: FORWARD_BUFFER_S,
          });
        joinSwarmAfterFirstFrame(video, {
          relay,
          viewers: Promise.resolve(viewers),
          disposed: () => disposed,
          join: (channelHadViewers) => {
            // Peers can help now: the full buffer, its far part from them.
            fullBuffer();
            if (p2pEnabled.value) {
              engine.applyDynamicConfig({ core: { isP2PDisabled: false } });
            }
            const runway = new Runway();
            followRaces(engine, runway);
            const coreOption = <K extends keyof CoreTuning>(key: K) =>
              currentCoreOption(p2p, isLive.value, key);
            stopPacing = startPacing(engine, {
              peers: () => stats.peers.value.length,
              channelHadViewers,
              segmentSeconds: () => targetDuration.value || undefined,
              fixedWindow: () => coreOption("highDemandTimeWindow"),
              edge: followRole,
              // Live players sit at a fixed distance from the edge: no runway.
              vod: () => !isLive.value,
              peerShare: () => stats.p2pRatio.value,
              runway: () => isLive.value ? undefined : runway,
              bufferAhead: () => bufferAhead(video),
              // p2p-media-loader's own default when neither sets it.
              p2pDownloads: () => coreOption("simultaneousP2PDownloads") ?? 3,
              onWindow: (seconds) => record(log, { type: "window", seconds }),
            });
            if (p2p.nearFirst) {
              stopNearFirst = startNearFirst({
                onClose: (rttMs, nearestMs, remoteMs) =>
                  record(log, {
                    type: "farLinkClosed",
                    // This end's link and nearest, the other end's nearest.
                    detail: [rttMs, nearestMs, remoteMs]
                      .map((ms) => ms === undefined ? "-" : Math.round(ms))
                      .join("/") + " ms",
                  }),
                // What this end tells its peers its nearest link is.
                onNearest: (ms) =>
                  record(log, { type: "nearest", detail: `${ms}` }),
              });
            }
            record(log, { type: "p2pJoined" });
          },
          unreachable: () => {
            fullBuffer();
            p2pStatus.value = "turn";
          },
        });
      } else {
        hls = new HlsClass(config);
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
      if (log) recordHlsEvents(hls, HlsClass.Events, log);
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
          targetDuration.value = targetduration;
          if (live && !isLive.value) {
            // A sliding playlist: use the live tuning from now on.
            engineRef.current?.applyDynamicConfig({ core: p2p.liveCore });
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
      stopSwarmLevels?.();
      stopNearFirst?.();
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
    renditionReason,
    bytesKnown,
  };
}
