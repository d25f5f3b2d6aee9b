/**
 * Quality chosen with the swarm in mind. p2p-media-loader keeps one swarm
 * per rendition, so when a channel's viewers sit on different renditions
 * the swarm splits and each part goes back to the origin. This decides,
 * from hls.js's own choice, which rendition to play instead:
 *
 * - **safety first**: with little buffer, hls.js's choice stands;
 * - the rendition most of the channel's viewers watch is preferred when it
 *   costs little quality (at most one step down, and at least
 *   {@linkcode SWARM_MARGIN} of the bitrate), so viewers converge;
 * - a better rendition the swarm holds is taken only when this viewer's
 *   own downlink (measured over HTTP) carries it: peers never talk a
 *   viewer into a rendition its line cannot hold.
 *
 * The bandwidth it trusts comes from HTTP segment fetches only (see
 * http_line.ts): a segment from a peer's cache in 30 ms says nothing about
 * the line, nor does a slow peer.
 * @module
 */
import { isSegmentFetch } from "./p2p_pacing.ts";

/** A better rendition than hls.js's choice needs this much headroom on the measured downlink. */
export const UP_FACTOR = 0.8;
/** The swarm's rendition may cost at most this share of the bitrate… */
export const SWARM_MARGIN = 0.5;
/** …and at most this many steps down. */
export const MAX_STEPS_DOWN = 1;
/** Below this much buffer (seconds) hls.js's choice stands. */
export const SAFE_BUFFER_S = 6;
/** A better rendition than hls.js's choice also needs this much buffer (seconds). */
export const UP_BUFFER_S = 10;

/** Why the player plays the rendition it plays. */
export type RenditionReason = "swarm" | "connection" | "manual";

/** What {@linkcode chooseRendition} decides from. */
export interface RenditionInputs {
  /** Bitrate of each level (bit/s), in hls.js's order. */
  bitrates: readonly number[];
  /** hls.js's own choice. */
  stock: number;
  /** Peers watching each level now (this viewer excluded). */
  swarmPeers: readonly number[];
  /** Seconds buffered ahead of the playhead. */
  bufferSeconds: number;
  /** The downlink measured over HTTP (bit/s), if measured yet. */
  httpBps?: number;
}

/** The decision, and why. */
export interface RenditionChoice {
  /** The level to play. */
  level: number;
  /** Why: the swarm, or the viewer's connection. */
  reason: Exclude<RenditionReason, "manual">;
}

/** The level most peers watch (the higher one on a tie), or -1 if nobody watches. */
export function popularLevel(swarmPeers: readonly number[]): number {
  let best = -1;
  for (let level = 0; level < swarmPeers.length; level++) {
    const peers = swarmPeers[level] ?? 0;
    if (peers > 0 && (best === -1 || peers >= swarmPeers[best]!)) best = level;
  }
  return best;
}

/**
 * The rendition to play.
 *
 * @example
 * ```ts
 * chooseRendition({
 *   bitrates: [600e3, 1.2e6, 2.5e6, 4.5e6],
 *   stock: 3,
 *   swarmPeers: [0, 0, 6, 1],
 *   bufferSeconds: 12,
 *   httpBps: 20e6,
 * }); // { level: 2, reason: "swarm" }: most viewers here watch 2.5 Mbit/s
 * ```
 */
export function chooseRendition(inputs: RenditionInputs): RenditionChoice {
  const { bitrates, stock, bufferSeconds, httpBps } = inputs;
  const own: RenditionChoice = { level: stock, reason: "connection" };
  const popular = popularLevel(inputs.swarmPeers);
  if (popular === -1 || stock < 0 || bufferSeconds < SAFE_BUFFER_S) return own;
  if (popular === stock) return { level: stock, reason: "swarm" };
  const popularBps = bitrates[popular] ?? 0;
  const stockBps = bitrates[stock] ?? 0;
  if (popularBps < stockBps) {
    const cheap = stock - popular <= MAX_STEPS_DOWN &&
      popularBps >= SWARM_MARGIN * stockBps;
    return cheap ? { level: popular, reason: "swarm" } : own;
  }
  const carried = httpBps !== undefined && httpBps * UP_FACTOR >= popularBps;
  return carried && bufferSeconds >= UP_BUFFER_S
    ? { level: popular, reason: "swarm" }
    : own;
}

/** The parts of hls.js's `LoaderStats` its emergency switch reads. */
export interface LoadProgress {
  /** Bytes loaded so far. */
  loaded: number;
  /** Bytes in all, once known. */
  total: number;
  /** When loading started (`performance.now()`), 0 if not yet. */
  loading: { start: number };
}

/**
 * Let hls.js's emergency switch watch a fragment p2p-media-loader's core
 * loads; returns whether it had to. hls.js gives up a fragment that cannot
 * arrive before the buffer runs out and loads a lower rendition instead, as
 * a plain HTTP player does in a dip of its line. p2p-media-loader marks each
 * fragment its core loads as complete from the start (`loaded` = `total` =
 * 1, not started), which turns that off: traced on `dips` live, the 4G late
 * joiner stalled 2.6–3.7 s in dips where the same viewer over HTTP only
 * switched down (2–5 switches) and did not stall. Cleared, the fragment
 * counts as loading since `now` with no byte yet, the core's bytes for it
 * are counted as they come (core_progress.ts), and hls.js judges it by its
 * progress, the bandwidth measured over HTTP (p2p_abr_controller.ts) and
 * the buffer left, as it would a request of its own loader.
 *
 * @example
 * ```ts
 * const stats = { loaded: 1, total: 1, loading: { start: 0 } };
 * watchCoreLoad(stats, 1200); // true: { loaded: 0, total: 0, loading: { start: 1200 } }
 * ```
 */
export function watchCoreLoad(stats: LoadProgress, now: number): boolean {
  if (stats.loaded !== 1 || stats.total !== 1 || stats.loading.start !== 0) {
    return false;
  }
  stats.loaded = 0;
  stats.total = 0;
  stats.loading.start = now;
  return true;
}

/** Fetches smaller than this say more about latency than about the line. */
const MIN_SAMPLE_BYTES = 64 * 1024;

/**
 * A downlink sample from a Resource Timing entry of a segment fetched by
 * hls.js's own loader (XHR: before P2P starts, or with P2P paused): bytes
 * over transfer time. p2p-media-loader's fetches are measured from its
 * events instead (http_line.ts), the abandoned ones included.
 */
export function httpSample(
  entry: PerformanceResourceTiming,
): { durationMs: number; bytes: number } | undefined {
  if (!isSegmentFetch(entry) || entry.initiatorType !== "xmlhttprequest") {
    return undefined;
  }
  const bytes = entry.encodedBodySize || entry.transferSize;
  const durationMs = entry.responseEnd - entry.responseStart;
  if (bytes < MIN_SAMPLE_BYTES || !(durationMs > 0)) return undefined;
  return { durationMs, bytes };
}

/**
 * The info_hash (40 hex digits) of the swarm p2p-media-loader uses for a
 * stream, as its tracker client computes it: base64 of the first 15 bytes
 * of SHA-1(`v2-<swarmId>-main-<stream short id>`), sent as 20 ASCII bytes.
 */
export async function swarmInfoHashHex(
  swarmId: string,
  streamShortId: string,
): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-1",
      new TextEncoder().encode(`v2-${swarmId}-main-${streamShortId}`),
    ),
  );
  const ascii = btoa(String.fromCharCode(...digest.subarray(0, 15)));
  let hex = "";
  for (const char of ascii) {
    hex += char.charCodeAt(0).toString(16).padStart(2, "0");
  }
  return hex;
}
