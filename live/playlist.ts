/**
 * A simulated live channel computed from the clock: a VOD's segments played
 * in a loop since a fixed epoch, shown through a sliding window. No state
 * and no background task, so every instance (and Deno Deploy) serves the
 * same playlist at the same moment.
 * @module
 */
import type { MediaPlaylist } from "./hls.ts";

/** Options of {@linkcode livePlaylist}. */
export interface LiveOptions {
  /** Segments in the sliding window. */
  windowSize?: number;
  /** When the loop started (ms since the Unix epoch; {@linkcode DEFAULT_LIVE_EPOCH_MS} by default); the same on every instance. */
  epochMs?: number;
  /** Turns a VOD segment URI into the URI the live playlist lists. */
  segmentUri?: (uri: string) => string;
}

/** The live position at a moment. */
export interface LivePosition {
  /** Media sequence number of the first segment in the window. */
  firstSequence: number;
  /** Media sequence number of the newest segment (the live edge). */
  lastSequence: number;
}

/** Defaults: six segments (12 s of the 2 s demo). */
export const DEFAULT_LIVE_WINDOW = 6;

/**
 * When every simulated channel's loop started, unless told otherwise: a
 * fixed recent date, the same on every instance. Counting loops from the
 * Unix epoch gave discontinuity sequence numbers near 20 million, and
 * hls.js keeps a sparse array indexed by them that it walks on every
 * playlist reload: a third of each live player's CPU went there, and live
 * players on a busy machine stalled for it. From this date the numbers
 * stay in the tens of thousands for years.
 */
export const DEFAULT_LIVE_EPOCH_MS = Date.UTC(2026, 10, 1);

/**
 * Which segments are live at `nowMs`: those whose end time has passed,
 * the newest `windowSize` of them.
 */
export function livePosition(
  source: MediaPlaylist,
  nowMs: number,
  options: LiveOptions = {},
): LivePosition {
  const windowSize = options.windowSize ?? DEFAULT_LIVE_WINDOW;
  const count = source.segments.length;
  const loopMs = source.segments.reduce(
    (sum, segment) => sum + segment.durationMs,
    0,
  );
  const elapsed = Math.max(
    0,
    Math.floor(nowMs - (options.epochMs ?? DEFAULT_LIVE_EPOCH_MS)),
  );
  const loops = Math.floor(elapsed / loopMs);
  let inLoop = elapsed - loops * loopMs;
  let completed = loops * count;
  for (const segment of source.segments) {
    if (inLoop < segment.durationMs) break;
    inLoop -= segment.durationMs;
    completed++;
  }
  // Before a full window has played (only near the epoch), start at 0.
  const lastSequence = Math.max(completed - 1, Math.min(windowSize, count) - 1);
  return {
    firstSequence: Math.max(0, lastSequence - windowSize + 1),
    lastSequence,
  };
}

/**
 * The live media playlist at `nowMs`.
 *
 * @example
 * ```ts no-eval
 * const text = livePlaylist(parseMediaPlaylist(vod), Date.now());
 * ```
 */
export function livePlaylist(
  source: MediaPlaylist,
  nowMs: number,
  options: LiveOptions = {},
): string {
  const { firstSequence, lastSequence } = livePosition(source, nowMs, options);
  const count = source.segments.length;
  const uri = options.segmentUri ?? ((u: string) => u);
  const out = [
    "#EXTM3U",
    // fMP4 (an init segment) needs version 6.
    `#EXT-X-VERSION:${source.map ? 6 : 3}`,
    `#EXT-X-TARGETDURATION:${source.targetDuration}`,
    `#EXT-X-MEDIA-SEQUENCE:${firstSequence}`,
    // Loop n (from 0) is discontinuity n: its timestamps restart.
    `#EXT-X-DISCONTINUITY-SEQUENCE:${Math.floor(firstSequence / count)}`,
  ];
  if (source.map) out.push(`#EXT-X-MAP:URI="${uri(source.map)}"`);
  for (let sequence = firstSequence; sequence <= lastSequence; sequence++) {
    const segment = source.segments[sequence % count]!;
    if (sequence % count === 0 && sequence !== firstSequence) {
      out.push("#EXT-X-DISCONTINUITY");
    }
    out.push(
      `#EXTINF:${(segment.durationMs / 1000).toFixed(3)},`,
      uri(segment.uri),
    );
  }
  return out.join("\n") + "\n";
}
