/**
 * The HLS player: muted autoplay with an unmute control, loading, buffering
 * and error states with a retry, the quality menu, the live edge, the P2P
 * panel, and reports to the operator. Each concern is a hook of its own
 * (`use_*.ts`); this component composes them. Unmounting it destroys hls.js
 * and the P2P engine: peers and the tracker socket close.
 * @module
 */
import { useSignal } from "@preact/signals";
import { useEffect, useMemo, useRef } from "preact/hooks";
import type { ReportedP2PStatus } from "../analytics/report.ts";
import { P2PPanel } from "../components/P2PPanel.tsx";
import { PlayerBar } from "../components/PlayerBar.tsx";
import { type Locale, messages } from "../i18n/mod.ts";
import type { PlayerP2PConfig } from "../p2p/config.ts";
import { P2PStats } from "../p2p/stats.ts";
import { useHls } from "./use_hls.ts";
import { useLiveEdge } from "./use_live_edge.ts";
import { usePlayback } from "./use_playback.ts";
import { useStatsReport } from "./use_stats_report.ts";
import { useViewerChoice } from "./use_viewer_choice.ts";
import { useUploadPolicy } from "./use_upload_policy.ts";
import {
  canFullscreen,
  canPictureInPicture,
  toggleFullscreen,
  togglePictureInPicture,
} from "./screen.ts";

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

/** The HLS player of one channel (keyed by channel: a zap mounts a new one). */
export function HlsPlayer(
  { channelId, src, locale, p2p, sessionToken }: HlsPlayerProps,
) {
  const t = messages(locale);
  const videoRef = useRef<HTMLVideoElement>(null);
  const attempt = useSignal(0);
  const chosenLevel = useSignal(-1);
  const stats = useMemo(() => new P2PStats(), []);
  const p2pStatus = useSignal<ReportedP2PStatus>(
    p2p.enabled ? "starting" : "operator",
  );
  const choice = useViewerChoice();
  const playback = usePlayback(videoRef, [src, attempt.value]);
  const session = useHls(videoRef, {
    channelId,
    src,
    p2p,
    attempt: attempt.value,
    playback,
    stats,
    p2pStatus,
    p2pEnabled: choice.enabled,
    // Read once the player runs: the policy's hook comes next.
    uploads: () => upload.decision.value.upload,
  });
  const live = useLiveEdge(session.hls, videoRef, session);
  const upload = useUploadPolicy(
    session.engine,
    choice.enabled,
    p2p.uploadOnMetered,
  );
  const playerRef = useRef<HTMLDivElement>(null);
  // What the screen offers, known once in the browser (the server renders neither).
  const screenFeatures = useSignal({ fullscreen: false, pip: false });
  const phone = useSignal(false);
  useEffect(() => {
    screenFeatures.value = {
      fullscreen: canFullscreen(),
      pip: canPictureInPicture(),
    };
    phone.value = matchMedia("(max-width: 600px)").matches;
  }, []);
  useEffect(() => {
    const timer = setInterval(() => stats.tick(), 1000);
    return () => clearInterval(timer);
  }, [stats]);
  useStatsReport({
    channelId,
    sessionToken,
    intervalMs: p2p.reportIntervalMs,
    stats,
    quality: playback.quality,
    status: p2pStatus,
    upload: upload.decision,
    isLive: session.isLive,
    bytesKnown: () => session.bytesKnown.current ?? true,
  });

  const { status, muted } = playback;
  const toggleMute = () => {
    const video = videoRef.current;
    if (!video) return;
    video.muted = !video.muted;
    muted.value = video.muted; // at once; "volumechange" follows later
    if (!video.muted && video.paused) video.play().catch(() => {});
  };
  const toggleP2P = () => {
    choice.toggle(session.engine);
    if (!choice.enabled.value) stats.clearPeers();
    p2pStatus.value = choice.enabled.value ? "waiting" : "viewer";
  };
  const chooseLevel = (index: number) => {
    chosenLevel.value = index;
    if (session.hls.current) session.hls.current.currentLevel = index;
  };
  const overlay = status.value === "loading"
    ? t.playerLoading
    : status.value === "buffering"
    ? t.playerBuffering
    : "";

  return (
    <div
      ref={playerRef}
      class="player"
      data-state={status}
      data-level={session.currentLevel}
      data-live={session.isLive}
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
          <p class="detail">{playback.errorDetail}</p>
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
      <PlayerBar
        live={session.isLive.value ? live : undefined}
        muted={muted.value}
        onToggleMute={toggleMute}
        levels={session.levels.value}
        chosenLevel={chosenLevel.value}
        currentLevel={session.currentLevel.value}
        renditionNote={chosenLevel.value !== -1
          ? t.renditionManual
          : !p2p.enabled || p2p.abr !== "p2p" || !session.currentLevel.value
          ? undefined
          : session.renditionReason.value === "swarm"
          ? t.renditionSwarm(session.currentLevel.value)
          : t.renditionConnection}
        onChooseLevel={chooseLevel}
        onFullscreen={screenFeatures.value.fullscreen
          ? () => toggleFullscreen(playerRef.current!, videoRef.current!)
          : undefined}
        onPictureInPicture={screenFeatures.value.pip
          ? () => togglePictureInPicture(videoRef.current!)
          : undefined}
        t={t}
      />
      <P2PPanel
        stats={stats}
        status={p2pStatus}
        viewerEnabled={choice.enabled}
        onToggle={p2p.enabled && session.webrtc.value ? toggleP2P : undefined}
        folded={phone.value}
        upload={{
          decision: upload.decision,
          optedIn: upload.optedIn,
          onOptIn: upload.toggleOptIn,
        }}
        t={t}
      />
    </div>
  );
}
