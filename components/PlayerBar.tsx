import type { ReadonlySignal } from "@preact/signals";
import type { Messages } from "../i18n/mod.ts";
import { LiveStatus } from "./LiveStatus.tsx";

/** A rendition the viewer can pick. */
export interface QualityOption {
  /** hls.js's level index. */
  index: number;
  /** Its bitrate (bits/s). */
  bitrate: number;
  /** `720p`, or `1200 kbps` when the playlist gives no height. */
  label: string;
}

/** Props of {@linkcode PlayerBar}. */
export interface PlayerBarProps {
  /** The live edge, when the stream is live. */
  live?: {
    distance: ReadonlySignal<number>;
    behindAfter: ReadonlySignal<number>;
    goLive: () => void;
  };
  /** Whether the video is muted. */
  muted: boolean;
  /** Flip the sound. */
  onToggleMute: () => void;
  /** The quality menu (empty until the playlist is read). */
  levels: readonly QualityOption[];
  /** The viewer's pick (-1: automatic). */
  chosenLevel: number;
  /** The rendition playing now, e.g. `360p`. */
  currentLevel: string;
  /** Why this quality plays, in words (P2P-aware ABR), if the player knows. */
  renditionNote?: string;
  /** Pick a rendition (-1: automatic). */
  onChooseLevel: (index: number) => void;
  /** Fill the screen (and turn a phone to landscape where it can); absent before hydration. */
  onFullscreen?: () => void;
  /** Float the video over other apps; absent where the browser cannot. */
  onPictureInPicture?: () => void;
  /** UI text. */
  t: Messages;
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

/** The controls under the video: live status, sound, quality. */
export function PlayerBar(props: PlayerBarProps) {
  const { live, muted, levels, chosenLevel, currentLevel, t } = props;
  return (
    <div class="player-bar">
      {live && (
        <LiveStatus
          edgeDistance={live.distance}
          behindAfter={live.behindAfter}
          onGoLive={live.goLive}
          t={t}
        />
      )}
      <button
        type="button"
        class="mute"
        onClick={props.onToggleMute}
        aria-pressed={!muted}
      >
        <SpeakerIcon muted={muted} />
        {muted ? t.playerUnmute : t.playerMute}
      </button>
      {levels.length > 0 && (
        <label class="quality">
          <span>{t.playerQuality}</span>
          <select
            onChange={(event) =>
              props.onChooseLevel(
                Number((event.target as HTMLSelectElement).value),
              )}
            value={String(chosenLevel)}
          >
            <option value="-1">
              {t.playerQualityAuto}
              {chosenLevel === -1 && currentLevel ? ` · ${currentLevel}` : ""}
            </option>
            {levels.map((level) => (
              <option key={level.index} value={String(level.index)}>
                {level.label}
              </option>
            ))}
          </select>
          {props.renditionNote && (
            <small class="rendition-reason">{props.renditionNote}</small>
          )}
        </label>
      )}
      {props.onPictureInPicture && (
        <button
          type="button"
          class="pip"
          onClick={props.onPictureInPicture}
          aria-label={t.playerPictureInPicture}
          title={t.playerPictureInPicture}
        >
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path
              fill="currentColor"
              d="M3 5h18v14H3zm2 2v10h14V7zm7 5h6v4h-6z"
            />
          </svg>
        </button>
      )}
      {props.onFullscreen && (
        <button
          type="button"
          class="fullscreen"
          onClick={props.onFullscreen}
          aria-label={t.playerFullscreen}
          title={t.playerFullscreen}
        >
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path
              fill="currentColor"
              d="M4 4h6v2H6v4H4zm10 0h6v6h-2V6h-4zM4 14h2v4h4v2H4zm14 0h2v6h-6v-2h4z"
            />
          </svg>
        </button>
      )}
    </div>
  );
}
