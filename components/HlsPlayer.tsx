import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type Hls from "hls.js";
import type {
  ErrorData,
  FragLoadedData,
  HlsConfig,
  LevelLoadedData,
  LevelSwitchedData,
} from "hls.js";
import type { HlsJsP2PEngine } from "p2p-media-loader-hlsjs";
import { LiveStatus } from "./LiveStatus.tsx";
import { P2PPanel, type P2PStatus } from "./P2PPanel.tsx";
import { type Locale, messages } from "../i18n/mod.ts";
import type { PlayerP2PConfig } from "../p2p/config.ts";
import { P2PStats } from "../p2p/stats.ts";
import type { PlayerReport } from "../analytics/report.ts";
import { digestHex } from "../utils/hex.ts";

/** Props of {@linkcode HlsPlayer}. */
export interface HlsPlayerProps {
  /** The channel's id. */
  channelId: string;
  /** The HLS playlist URL (master or media playlist). */
  src: string;
  /** The viewer's language. */
  locale: Locale;
  /** P2P settings from the server. */
  p2p: PlayerP2PConfig;
  /** The analytics session the page was served with; a new one is asked for when absent. */
  sessionToken?: string;
}

/** What `?debug=p2p` records on `window.__redflixP2P` (for tests and support). */
export interface P2PDebugLog {
  /** Every stats-relevant engine event, in order. */
  events: Array<
    { type: string; bytes?: number; source?: string; peerId?: string }
  >;
  /** SHA-256 (hex) of each segment received from a peer. */
  p2pSegments: Array<{ url: string; sha256: string }>;
}

const VIEWER_CHOICE_KEY = "redflix.p2p";

/** The tracker URL: the configured one, else this site's `/tracker/ws`. */
function trackerUrl(config: PlayerP2PConfig, channelId: string): string {
  const base = config.trackerUrl ??
    `${
      location.protocol === "https:" ? "wss" : "ws"
    }://${location.host}/tracker/ws`;
  const url = new URL(base);
  url.searchParams.set("channel", channelId);
  return url.href;
}

/** Viewers of the channel right now, or 0 if the server cannot say quickly. */
async function channelViewers(channelId: string): Promise<number> {
  try {
    const response = await fetch(
      `/tracker/channels/${encodeURIComponent(channelId)}`,
      {
        signal: AbortSignal.timeout(800),
      },
    );
    const body = await response.json() as { viewers?: number };
    return typeof body.viewers === "number" ? body.viewers : 0;
  } catch {
    return 0;
  }
}

/** What the player is doing, shown to the viewer and in `data-state`. */
export type PlayerStatus =
  | "loading"
  | "playing"
  | "paused"
  | "buffering"
  | "error"
  | "unsupported";

/** A rendition the viewer can pick. */
interface QualityOption {
  index: number;
  bitrate: number;
  label: string;
}

/** A speaker glyph; SVG so it renders without emoji fonts. */
function SpeakerIcon({ muted }: { muted: boolean }) {
  return (
    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
      <path d="M3 9h4l5-4v14l-5-4H3z" fill="currentColor" />
      {muted
        ? <path d="M16 9l5 6m0-6l-5 6" stroke="currentColor" stroke-width="2" />
        : (
          <path
            d="M16 8a5 5 0 010 8m2.5-10.5a8.5 8.5 0 010 13"
            stroke="currentColor"
            stroke-width="2"
            fill="none"
          />
        )}
    </svg>
  );
}

function levelLabel(height: number | undefined, bitrate: number): string {
  return height ? `${height}p` : `${Math.round(bitrate / 1000)} kbps`;
}

/**
 * The HLS player: hls.js and p2p-media-loader loaded lazily in the browser,
 * muted autoplay with an unmute control, loading/buffering/error states with
 * a retry, the current quality, live status, and the P2P panel. Unmounting it
 * destroys hls.js and the P2P engine: peers and the tracker socket close.
 */
export function HlsPlayer(
  { channelId, src, locale, p2p, sessionToken }: HlsPlayerProps,
) {
  const t = messages(locale);
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const status = useSignal<PlayerStatus>("loading");
  const muted = useSignal(true);
  const levels = useSignal<QualityOption[]>([]);
  const currentLevel = useSignal("");
  const chosenLevel = useSignal(-1);
  const attempt = useSignal(0);
  const errorDetail = useSignal("");
  const stats = useMemo(() => new P2PStats(), []);
  const p2pStatus = useSignal<P2PStatus>(p2p.enabled ? "starting" : "operator");
  const viewerP2P = useSignal(true);
  const engineRef = useRef<HlsJsP2PEngine | null>(null);
  const webrtc = useSignal(true);
  // Safari's native HLS hides its bytes: reports say "unknown", never 0.
  const bytesKnown = useRef(true);
  // Playback quality for the operator's dashboard: time to first frame and stalls.
  const quality = useMemo(
    () => ({
      startedAt: performance.now(),
      ttffMs: null as number | null,
      stalls: 0,
    }),
    [],
  );
  const isLive = useSignal(false);
  const edgeDistance = useSignal(0);
  const behindAfter = useSignal(Infinity);

  useEffect(() => {
    const timer = setInterval(() => {
      stats.tick();
      const hls = hlsRef.current;
      const video = videoRef.current;
      const details = hls?.levels[hls.currentLevel]?.details;
      if (isLive.value && video && details?.live) {
        edgeDistance.value = Math.max(0, details.edge - video.currentTime);
      }
    }, 1000);
    return () => clearInterval(timer);
  }, [stats]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let disposed = false;
    const onPlaying = () => {
      status.value = "playing";
      quality.ttffMs ??= Math.round(performance.now() - quality.startedAt);
    };
    const onWaiting = () => {
      if (status.value !== "error") status.value = "buffering";
      if (quality.ttffMs !== null) quality.stalls++;
    };
    const onPause = () => {
      if (status.value === "playing") status.value = "paused";
    };
    const onVolume = () => (muted.value = video.muted);
    video.addEventListener("playing", onPlaying);
    video.addEventListener("waiting", onWaiting);
    video.addEventListener("pause", onPause);
    video.addEventListener("volumechange", onVolume);
    status.value = "loading";

    const fail = (detail: string) => {
      errorDetail.value = detail;
      status.value = "error";
    };

    async function start(video: HTMLVideoElement) {
      viewerP2P.value = localStorage.getItem(VIEWER_CHOICE_KEY) !== "off";
      webrtc.value = typeof RTCPeerConnection === "function";
      const wantP2P = p2p.enabled && webrtc.value;
      const [{ default: HlsClass }, p2pModule, viewers] = await Promise.all([
        import("hls.js"),
        wantP2P ? import("p2p-media-loader-hlsjs") : undefined,
        wantP2P ? channelViewers(channelId) : 0,
      ]);
      if (disposed) return;
      if (!p2p.enabled) p2pStatus.value = "operator";
      else if (!webrtc.value) p2pStatus.value = "webrtc";
      if (!HlsClass.isSupported()) {
        if (video.canPlayType("application/vnd.apple.mpegurl")) {
          video.src = src; // Safari and iOS play HLS natively, without P2P
          bytesKnown.current = false;
          if (wantP2P) p2pStatus.value = "native";
          video.play().catch(() => {});
        } else {
          status.value = "unsupported";
        }
        return;
      }
      const hlsConfig: Partial<HlsConfig> = {
        enableWorker: true,
        lowLatencyMode: false,
        // Live: play 3 segments behind the edge, catch up gently (up to 1.1x) when
        // behind, and jump back if more than 8 segments late.
        liveSyncDurationCount: 3,
        liveMaxLatencyDurationCount: 8,
        maxLiveSyncPlaybackRate: 1.1,
      };
      isLive.value = false;
      let hls: Hls;
      if (p2pModule) {
        const { HlsJsP2PEngine } = p2pModule;
        const HlsWithP2P = HlsJsP2PEngine.injectMixin(HlsClass);
        const debug =
          new URL(location.href).searchParams.get("debug") === "p2p";
        const log: P2PDebugLog = { events: [], p2pSegments: [] };
        if (debug) {
          (globalThis as { __redflixP2P?: P2PDebugLog }).__redflixP2P = log;
        }
        const record = debug
          ? (event: P2PDebugLog["events"][number]) => log.events.push(event)
          : () => {};
        hls = new HlsWithP2P({
          ...hlsConfig,
          p2p: {
            core: {
              ...p2p.core,
              // Only a joiner of a watched channel waits for peers; a first viewer starts at HTTP speed.
              httpDownloadInitialTimeoutMs: viewers > 0
                ? (p2p.core.httpDownloadInitialTimeoutMs ?? p2p.joinWaitMs)
                : 0,
              announceTrackers: [trackerUrl(p2p, channelId)],
              rtcConfig: { iceServers: p2p.iceServers },
              swarmId: `redflix:${channelId}`, // one swarm per channel, whatever the host or rendition URLs
              isP2PDisabled: !viewerP2P.value,
              validateP2PSegment: debug
                ? async (url: string, _range: unknown, data: ArrayBuffer) => {
                  log.p2pSegments.push({ url, sha256: await digestHex(data) });
                  return true;
                }
                : undefined,
            },
            onHlsJsCreated(created) {
              const engine = created.p2pEngine;
              engineRef.current = engine;
              engine.addEventListener(
                "onChunkDownloaded",
                (bytes, source, peerId) => {
                  stats.chunkDownloaded(bytes, source);
                  record({ type: "chunkDownloaded", bytes, source, peerId });
                },
              );
              engine.addEventListener("onChunkUploaded", (bytes, peerId) => {
                stats.chunkUploaded(bytes);
                record({ type: "chunkUploaded", bytes, peerId });
              });
              engine.addEventListener("onSegmentLoaded", (details) => {
                stats.segmentLoaded(details.downloadSource);
                record({
                  type: "segmentLoaded",
                  bytes: details.bytesLength,
                  source: details.downloadSource,
                });
              });
              engine.addEventListener("onPeerConnect", ({ peerId }) => {
                stats.peerConnected(peerId);
                if (viewerP2P.value) p2pStatus.value = "active";
                record({ type: "peerConnect", peerId });
              });
              engine.addEventListener("onPeerClose", ({ peerId }) => {
                stats.peerClosed(peerId);
                if (
                  stats.peers.value.length === 0 && p2pStatus.value === "active"
                ) p2pStatus.value = "waiting";
                record({ type: "peerClose", peerId });
              });
              const trackerTrouble = () => {
                if (stats.peers.value.length === 0 && viewerP2P.value) {
                  p2pStatus.value = "tracker";
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
            },
          },
        });
        p2pStatus.value = viewerP2P.value ? "waiting" : "viewer";
      } else {
        hls = new HlsClass(hlsConfig);
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
        // Highest quality first, as viewers expect in a quality menu.
        levels.value = hls.levels
          .map((level, index) => ({
            index,
            bitrate: level.bitrate,
            label: levelLabel(level.height, level.bitrate),
          }))
          .sort((a, b) => b.bitrate - a.bitrate);
        video.play().catch(() => {
          // Autoplay refused even muted: the native controls let the viewer start.
          if (status.value === "loading") status.value = "paused";
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
            behindAfter.value = (3 + 2) * targetduration;
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
        fail(`${data.type}: ${data.details}`);
        hls.destroy();
        hlsRef.current = null;
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    }

    start(video).catch((error) => fail(String(error)));
    return () => {
      disposed = true;
      hlsRef.current?.destroy(); // also destroys the P2P engine: peers and tracker socket close
      hlsRef.current = null;
      engineRef.current = null;
      stats.clearPeers();
      video.removeEventListener("playing", onPlaying);
      video.removeEventListener("waiting", onWaiting);
      video.removeEventListener("pause", onPause);
      video.removeEventListener("volumechange", onVolume);
    };
  }, [src, attempt.value]);

  useEffect(() => {
    if (!p2p.reportIntervalMs) return;
    let token = sessionToken;
    // Totals at the start of the current session (a renewed session starts from zero).
    let base = { http: 0, p2p: 0, up: 0, stalls: 0 };
    const totals = () => {
      if (!bytesKnown.current) {
        return {
          httpBytes: null,
          p2pBytes: null,
          uploadedBytes: null,
          stalls: quality.stalls - base.stalls,
        };
      }
      return {
        httpBytes: stats.httpBytes.value - base.http,
        p2pBytes: stats.p2pBytes.value - base.p2p,
        uploadedBytes: stats.uploadedBytes.value - base.up,
        stalls: quality.stalls - base.stalls,
      };
    };
    const report = (final: boolean): string | undefined =>
      token && JSON.stringify(
        {
          token,
          channel: channelId,
          live: isLive.value,
          p2pStatus: p2pStatus.value,
          totals: totals(),
          peers: stats.peers.value.length,
          ttffMs: quality.ttffMs,
          final,
        } satisfies PlayerReport,
      );
    const renew = async () => {
      const response = await fetch(
        `/api/stats/session?channel=${encodeURIComponent(channelId)}`,
        { method: "POST" },
      );
      if (!response.ok) return;
      token = (await response.json() as { token?: string }).token;
      base = {
        http: stats.httpBytes.value,
        p2p: stats.p2pBytes.value,
        up: stats.uploadedBytes.value,
        stalls: quality.stalls,
      };
    };
    const send = async () => {
      if (!token) await renew();
      const body = report(false);
      if (!body) return;
      const response = await fetch("/api/stats/report", {
        method: "POST",
        body,
        keepalive: true,
      });
      // An expired or ended session: the next report starts a new one.
      if (response.status === 401 || response.status === 409) token = undefined;
    };
    // The last report goes out even while the page unloads.
    const sendFinal = () => {
      const body = report(true);
      if (body) navigator.sendBeacon("/api/stats/report", body);
    };
    const timer = setInterval(
      () => send().catch(() => {}),
      p2p.reportIntervalMs,
    );
    addEventListener("pagehide", sendFinal);
    return () => {
      clearInterval(timer);
      removeEventListener("pagehide", sendFinal);
      sendFinal();
    };
  }, [channelId]);

  const toggleMute = () => {
    const video = videoRef.current;
    if (!video) return;
    video.muted = !video.muted;
    muted.value = video.muted; // at once; "volumechange" follows later
    if (!video.muted && video.paused) video.play().catch(() => {});
  };

  const goLive = () => {
    const hls = hlsRef.current;
    const video = videoRef.current;
    if (hls?.liveSyncPosition != null && video) {
      video.currentTime = hls.liveSyncPosition;
    }
  };

  const toggleP2P = () => {
    const enabled = !viewerP2P.value;
    viewerP2P.value = enabled;
    localStorage.setItem(VIEWER_CHOICE_KEY, enabled ? "on" : "off");
    engineRef.current?.applyDynamicConfig({
      core: { isP2PDisabled: !enabled },
    });
    if (!enabled) stats.clearPeers();
    p2pStatus.value = enabled ? "waiting" : "viewer";
  };

  const chooseLevel = (event: Event) => {
    const index = Number((event.target as HTMLSelectElement).value);
    chosenLevel.value = index;
    if (hlsRef.current) hlsRef.current.currentLevel = index;
  };

  const overlay = status.value === "loading"
    ? t.playerLoading
    : status.value === "buffering"
    ? t.playerBuffering
    : "";

  return (
    <div
      class="player"
      data-state={status}
      data-level={currentLevel}
      data-live={isLive}
    >
      <video
        ref={videoRef}
        muted
        autoPlay
        playsInline
        controls
        preload="auto"
      />
      {overlay && (
        <div class="player-overlay" role="status">
          <span class="spinner" />
          {overlay}
        </div>
      )}
      {status.value === "error" && (
        <div class="player-overlay error" role="alert">
          <p>{t.playerError}</p>
          <p class="detail">{errorDetail}</p>
          <button
            type="button"
            onClick={() =>
              attempt.value++}
          >
            {t.playerRetry}
          </button>
        </div>
      )}
      {status.value === "unsupported" && (
        <div class="player-overlay error" role="alert">
          <p>{t.playerUnsupported}</p>
        </div>
      )}
      <div class="player-bar">
        {isLive.value && (
          <LiveStatus
            edgeDistance={edgeDistance}
            behindAfter={behindAfter}
            onGoLive={goLive}
            t={t}
          />
        )}
        <button
          type="button"
          class="mute"
          onClick={toggleMute}
          aria-pressed={!muted.value}
        >
          <SpeakerIcon muted={muted.value} />
          {muted.value ? t.playerUnmute : t.playerMute}
        </button>
        {levels.value.length > 0 && (
          <label class="quality">
            <span>{t.playerQuality}</span>
            <select onChange={chooseLevel} value={String(chosenLevel.value)}>
              <option value="-1">
                {t.playerQualityAuto}
                {chosenLevel.value === -1 && currentLevel.value
                  ? ` · ${currentLevel.value}`
                  : ""}
              </option>
              {levels.value.map((level) => (
                <option key={level.index} value={String(level.index)}>
                  {level.label}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <P2PPanel
        stats={stats}
        status={p2pStatus}
        viewerEnabled={viewerP2P}
        onToggle={p2p.enabled && webrtc.value ? toggleP2P : undefined}
        t={t}
      />
    </div>
  );
}
