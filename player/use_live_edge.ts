/**
 * Where a live player is: how far behind the live edge, when that counts
 * as "behind" (two segments beyond where it aims), and a way back.
 * @module
 */
import { type ReadonlySignal, useComputed, useSignal } from "@preact/signals";
import type { RefObject } from "preact";
import { useEffect } from "preact/hooks";
import type Hls from "hls.js";
import { LIVE_SYNC_SEGMENTS } from "./use_hls.ts";

/** Seconds between the playhead and the newest segment's end (never negative). */
export function edgeDistance(edge: number, currentTime: number): number {
  return Math.max(0, edge - currentTime);
}

/**
 * The distance beyond which a viewer is behind: two segments past the
 * point the player aims at (`syncSegments` behind the edge: one more with
 * P2P than over plain HTTP).
 */
export function behindAfter(
  targetDuration: number,
  syncSegments: number = LIVE_SYNC_SEGMENTS,
): number {
  return targetDuration > 0 ? (syncSegments + 2) * targetDuration : Infinity;
}

/** The live edge as signals, refreshed every second while the playlist is live. */
export interface LiveEdge {
  /** Seconds behind the edge. */
  distance: ReadonlySignal<number>;
  /** Seconds behind at which "Go live" shows. */
  behindAfter: ReadonlySignal<number>;
  /** Jump to where the player aims at the edge, and play. */
  goLive(): void;
}

/** Follow the live edge of `hls` playing in `videoRef`. */
export function useLiveEdge(
  hls: RefObject<Hls | null>,
  videoRef: RefObject<HTMLVideoElement>,
  live: {
    isLive: ReadonlySignal<boolean>;
    targetDuration: ReadonlySignal<number>;
  },
): LiveEdge {
  const distance = useSignal(0);
  const syncSegments = useSignal(LIVE_SYNC_SEGMENTS);
  const threshold = useComputed(() =>
    behindAfter(live.targetDuration.value, syncSegments.value)
  );
  useEffect(() => {
    const timer = setInterval(() => {
      const player = hls.current;
      const video = videoRef.current;
      const details = player?.levels[player.currentLevel]?.details;
      if (player && live.isLive.value && video && details?.live) {
        distance.value = edgeDistance(details.edge, video.currentTime);
        syncSegments.value = player.config.liveSyncDurationCount;
      }
    }, 1000);
    return () => clearInterval(timer);
  }, []);
  return {
    distance,
    behindAfter: threshold,
    goLive() {
      const player = hls.current;
      const video = videoRef.current;
      if (player?.liveSyncPosition != null && video) {
        video.currentTime = player.liveSyncPosition;
        // A viewer who paused and asks for live wants to watch it.
        if (video.paused) video.play().catch(() => {});
      }
    },
  };
}
