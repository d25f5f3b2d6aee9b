/**
 * A viewer's P2P statistics as Preact signals, fed by p2p-media-loader's
 * events. Speeds are averaged over a sliding window (5 s) of one-second
 * buckets; a history of per-second throughput feeds the live chart. Runs in
 * the browser; the clock is injectable for tests.
 * @module
 */
import { batch, computed, type ReadonlySignal, signal } from "@preact/signals";

/** Where bytes came from, as p2p-media-loader names it. */
export type DownloadSource = "http" | "p2p";

/** One second of throughput, in bytes per second. */
export interface ThroughputSample {
  /** Bytes from the origin. */
  http: number;
  /** Bytes from peers. */
  p2p: number;
  /** Bytes sent to peers. */
  up: number;
}

/** Options of {@linkcode P2PStats}. */
export interface P2PStatsOptions {
  /** Milliseconds since some origin; defaults to `performance.now`. */
  clock?: () => number;
  /** Speed window in seconds. */
  windowSeconds?: number;
  /** Seconds of history for the chart. */
  historySeconds?: number;
}

/** Live P2P statistics of one player. */
export class P2PStats {
  /** Ids of connected peers. */
  readonly peers = signal<readonly string[]>([]);
  /** Bytes downloaded from the origin. */
  readonly httpBytes = signal(0);
  /** Bytes downloaded from peers. */
  readonly p2pBytes = signal(0);
  /** Bytes uploaded to peers. */
  readonly uploadedBytes = signal(0);
  /** Segments loaded from the origin. */
  readonly httpSegments = signal(0);
  /** Segments loaded from peers. */
  readonly p2pSegments = signal(0);
  /** Download speed (both sources), bytes per second over the window. */
  readonly downSpeed = signal(0);
  /** Upload speed, bytes per second over the window. */
  readonly upSpeed = signal(0);
  /** Per-second throughput, oldest first, for the chart. */
  readonly history = signal<readonly ThroughputSample[]>([]);
  /** Share of downloaded bytes that came from peers, 0..1. */
  readonly p2pRatio: ReadonlySignal<number> = computed(() => {
    const total = this.httpBytes.value + this.p2pBytes.value;
    return total === 0 ? 0 : this.p2pBytes.value / total;
  });

  #clock: () => number;
  #windowSeconds: number;
  #historySeconds: number;
  #buckets = new Map<number, ThroughputSample>();
  #lastTickSecond: number;

  /** Empty statistics. */
  constructor(options: P2PStatsOptions = {}) {
    this.#clock = options.clock ?? (() => performance.now());
    this.#windowSeconds = options.windowSeconds ?? 5;
    this.#historySeconds = options.historySeconds ?? 60;
    this.#lastTickSecond = this.#second();
  }

  #second(): number {
    return Math.floor(this.#clock() / 1000);
  }

  #bucket(): ThroughputSample {
    const second = this.#second();
    let bucket = this.#buckets.get(second);
    if (!bucket) {
      bucket = { http: 0, p2p: 0, up: 0 };
      this.#buckets.set(second, bucket);
    }
    return bucket;
  }

  /** `onChunkDownloaded(bytesLength, downloadSource, peerId)`. */
  chunkDownloaded(bytes: number, source: DownloadSource): void {
    if (!(bytes > 0)) return;
    this.#bucket()[source] += bytes;
    if (source === "p2p") this.p2pBytes.value += bytes;
    else this.httpBytes.value += bytes;
  }

  /** `onChunkUploaded(bytesLength, peerId)`. */
  chunkUploaded(bytes: number): void {
    if (!(bytes > 0)) return;
    this.#bucket().up += bytes;
    this.uploadedBytes.value += bytes;
  }

  /** `onSegmentLoaded({ downloadSource })`. */
  segmentLoaded(source: DownloadSource): void {
    if (source === "p2p") this.p2pSegments.value++;
    else this.httpSegments.value++;
  }

  /** `onPeerConnect({ peerId })`. */
  peerConnected(peerId: string): void {
    if (!this.peers.value.includes(peerId)) {
      this.peers.value = [...this.peers.value, peerId];
    }
  }

  /** `onPeerClose({ peerId })`. */
  peerClosed(peerId: string): void {
    this.peers.value = this.peers.value.filter((id) => id !== peerId);
  }

  /** Forget connected peers (the engine was destroyed). */
  clearPeers(): void {
    this.peers.value = [];
  }

  /**
   * Close the seconds that passed: update speeds over the window and append
   * history samples (zeros for silent seconds). Call once a second.
   */
  tick(): void {
    const now = this.#second();
    if (now <= this.#lastTickSecond) return;
    const history = [...this.history.value];
    for (
      let s = Math.max(this.#lastTickSecond, now - this.#historySeconds);
      s < now;
      s++
    ) {
      history.push(this.#buckets.get(s) ?? { http: 0, p2p: 0, up: 0 });
    }
    this.#lastTickSecond = now;
    let down = 0;
    let up = 0;
    for (const [second, bucket] of this.#buckets) {
      if (second < now - this.#windowSeconds) {
        this.#buckets.delete(second);
      } else if (second < now) {
        down += bucket.http + bucket.p2p;
        up += bucket.up;
      }
    }
    batch(() => {
      this.history.value = history.slice(-this.#historySeconds);
      this.downSpeed.value = down / this.#windowSeconds;
      this.upSpeed.value = up / this.#windowSeconds;
    });
  }
}

/**
 * Human-readable bytes.
 *
 * @example
 * ```ts
 * formatBytes(1536); // "1.5 KB"
 * ```
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${
    units[unit]
  }`;
}

/** Human-readable speed in bits per second (how networks are quoted). */
export function formatSpeed(bytesPerSecond: number): string {
  const bits = bytesPerSecond * 8;
  if (bits < 1000) return `${Math.round(bits)} b/s`;
  if (bits < 1e6) return `${(bits / 1000).toFixed(bits < 1e4 ? 1 : 0)} kb/s`;
  return `${(bits / 1e6).toFixed(bits < 1e7 ? 1 : 0)} Mb/s`;
}
