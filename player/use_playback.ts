/**
 * What the video element says, as signals: playing, buffering, paused,
 * failed; muted; and the playback quality the dashboard reports (time to
 * first frame, stalls after it).
 * @module
 */
import { type Signal, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useEffect, useMemo } from "preact/hooks";

/** What the player is doing, shown to the viewer and in `data-state`. */
export type PlayerStatus =
  | "loading"
  | "playing"
  | "paused"
  | "buffering"
  | "error"
  | "unsupported";

/** Playback quality since the player mounted. */
export interface PlaybackQuality {
  /** When the player started (`performance.now()`). */
  readonly startedAt: number;
  /** ms from start to the first frame, once it played. */
  ttffMs: number | null;
  /** Times playback waited for data after the first frame. */
  stalls: number;
}

/** The video element's state. */
export interface Playback {
  /** What the player is doing. */
  status: Signal<PlayerStatus>;
  /** Whether the video is muted. */
  muted: Signal<boolean>;
  /** Why playback failed, for the error overlay. */
  errorDetail: Signal<string>;
  /** Time to first frame and stalls. */
  quality: PlaybackQuality;
  /** Show the error overlay with `detail`. */
  fail(detail: string): void;
}

/**
 * Follow `videoRef`'s events; `restartKey` (the source, a retry) starts a
 * new listening period in the loading state.
 */
export function usePlayback(
  videoRef: RefObject<HTMLVideoElement>,
  restartKey: unknown[],
): Playback {
  const status = useSignal<PlayerStatus>("loading");
  const muted = useSignal(true);
  const errorDetail = useSignal("");
  const quality = useMemo<PlaybackQuality>(
    () => ({ startedAt: performance.now(), ttffMs: null, stalls: 0 }),
    [],
  );
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
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
    return () => {
      video.removeEventListener("playing", onPlaying);
      video.removeEventListener("waiting", onWaiting);
      video.removeEventListener("pause", onPause);
      video.removeEventListener("volumechange", onVolume);
    };
  }, restartKey);
  return {
    status,
    muted,
    errorDetail,
    quality,
    fail(detail) {
      errorDetail.value = detail;
      status.value = "error";
    },
  };
}
