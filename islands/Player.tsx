import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type Hls from "hls.js";
import type { ErrorData, LevelSwitchedData } from "hls.js";
import { type Locale, messages } from "../i18n/mod.ts";

/** Props of the {@linkcode Player} island. */
export interface PlayerProps {
  /** The channel's id. */
  channelId: string;
  /** The HLS playlist URL (master or media playlist). */
  src: string;
  /** The viewer's language. */
  locale: Locale;
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
 * The HLS player: hls.js loaded lazily in the browser, muted autoplay with
 * an unmute control, loading/buffering/error states with a retry, and the
 * current quality level.
 */
export default function Player({ src, locale }: PlayerProps) {
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

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let disposed = false;
    const onPlaying = () => (status.value = "playing");
    const onWaiting = () => {
      if (status.value !== "error") status.value = "buffering";
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
      const { default: HlsClass } = await import("hls.js");
      if (disposed) return;
      if (!HlsClass.isSupported()) {
        if (video.canPlayType("application/vnd.apple.mpegurl")) {
          video.src = src; // Safari and iOS play HLS natively
          video.play().catch(() => {});
        } else {
          status.value = "unsupported";
        }
        return;
      }
      const hls = new HlsClass({ enableWorker: true, lowLatencyMode: false });
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
      hlsRef.current?.destroy();
      hlsRef.current = null;
      video.removeEventListener("playing", onPlaying);
      video.removeEventListener("waiting", onWaiting);
      video.removeEventListener("pause", onPause);
      video.removeEventListener("volumechange", onVolume);
    };
  }, [src, attempt.value]);

  const toggleMute = () => {
    const video = videoRef.current;
    if (!video) return;
    video.muted = !video.muted;
    if (!video.muted && video.paused) video.play().catch(() => {});
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
    <div class="player" data-state={status} data-level={currentLevel}>
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
    </div>
  );
}
