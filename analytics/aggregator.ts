/**
 * Aggregates player reports per channel and overall: viewers now, bytes via
 * HTTP / P2P / uploaded, origin offload, time to first frame, stalls, and
 * per-minute buckets for the last hours. Memory is bounded (sessions,
 * channels, buckets). No client can distort the totals by much: each
 * report's contribution is the difference from that session's previous
 * totals, clamped to what a connection could move in the time elapsed.
 * @module
 */
import type { PlayerReport } from "./report.ts";

/** Options of {@linkcode Aggregator}. */
export interface AggregatorOptions {
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
  /** Width of a history bucket (ms). */
  bucketMs?: number;
  /** Buckets kept per channel (180 one-minute buckets: 3 hours). */
  bucketCount?: number;
  /** Most bytes per second one session may be credited with (down, and up). */
  maxBytesPerSecond?: number;
  /** A session without a report for this long is no longer watching (ms). */
  viewerTtlMs?: number;
  /** Reports closer together than this from one session are refused (ms). */
  minReportIntervalMs?: number;
  /** Most sessions remembered; the least recently reporting ones go first. */
  maxSessions?: number;
  /** Most channels tracked. */
  maxChannels?: number;
}

/** Bytes and quality figures of a channel, or of all. */
export interface P2PFigures {
  /** Players reporting in the last `viewerTtlMs`. */
  viewers: number;
  /** Bytes the origin served to players. */
  httpBytes: number;
  /** Bytes players got from each other. */
  p2pBytes: number;
  /** Bytes players sent to each other. */
  uploadedBytes: number;
  /** Share of delivered bytes that came from peers (0..1): the origin offload. */
  offload: number;
  /** Mean time to first frame (ms), or null before any. */
  avgTtffMs: number | null;
  /** Playback stalls. */
  stalls: number;
}

/** Running totals of a channel (or of all) that instances can add up. */
export interface SharedTotals extends Totals {
  /** Players reporting now. */
  viewers: number;
}

/** What one instance shares with the others: all channels, and each. */
export interface SharedFigures {
  /** Totals of all channels. */
  all: SharedTotals;
  /** Totals per channel id. */
  channels: Record<string, SharedTotals>;
}

/** One history bucket. */
export interface HistoryBucket {
  /** Bucket start (ISO 8601). */
  start: string;
  /** Distinct players that reported in it. */
  viewers: number;
  /** Origin bytes in it. */
  httpBytes: number;
  /** Peer bytes in it. */
  p2pBytes: number;
  /** Uploaded bytes in it. */
  uploadedBytes: number;
}

/** Outcome of {@linkcode Aggregator.ingest}. */
export type IngestResult = { accepted: true; clamped: boolean } | {
  accepted: false;
  reason: string;
};

interface Session {
  channel: string;
  totals: PlayerReport["totals"];
  lastAt: number;
  final: boolean;
  bucketStart: number;
  ttffCounted: boolean;
}

/** Running totals of player reports (of a channel, or of all). */
export interface Totals {
  /** Bytes the origin served to players. */
  httpBytes: number;
  /** Bytes players got from each other. */
  p2pBytes: number;
  /** Bytes players sent to each other. */
  uploadedBytes: number;
  /** Playback stalls. */
  stalls: number;
  /** Sum of times to first frame (ms). */
  ttffSum: number;
  /** Times to first frame counted. */
  ttffCount: number;
}

interface Bucket {
  start: number;
  viewers: number;
  httpBytes: number;
  p2pBytes: number;
  uploadedBytes: number;
}

const FIRST_REPORT_ALLOWANCE_S = 30; // a session's first report may cover this much playback

function emptyTotals(): Totals {
  return {
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    stalls: 0,
    ttffSum: 0,
    ttffCount: 0,
  };
}

/** Add `from` into `into`. */
function addTotals(into: SharedTotals, from: SharedTotals): void {
  into.viewers += from.viewers;
  into.httpBytes += from.httpBytes;
  into.p2pBytes += from.p2pBytes;
  into.uploadedBytes += from.uploadedBytes;
  into.stalls += from.stalls;
  into.ttffSum += from.ttffSum;
  into.ttffCount += from.ttffCount;
}

/** Player-reported P2P figures. */
export class Aggregator {
  #clock: () => number;
  #bucketMs: number;
  #bucketCount: number;
  #maxBytesPerSecond: number;
  #viewerTtlMs: number;
  #minIntervalMs: number;
  #maxSessions: number;
  #maxChannels: number;
  #sessions = new Map<string, Session>(); // least recently reporting first
  #channels = new Map<string, Totals>();
  #history = new Map<string, Bucket[]>();
  #all = emptyTotals();

  /** An empty aggregator. */
  constructor(options: AggregatorOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#bucketMs = options.bucketMs ?? 60_000;
    this.#bucketCount = options.bucketCount ?? 180;
    this.#maxBytesPerSecond = options.maxBytesPerSecond ?? 12.5e6; // 100 Mbit/s
    this.#viewerTtlMs = options.viewerTtlMs ?? 30_000;
    this.#minIntervalMs = options.minReportIntervalMs ?? 2_000;
    this.#maxSessions = options.maxSessions ?? 50_000;
    this.#maxChannels = options.maxChannels ?? 1_000;
  }

  /** Count a report; refuses one that comes too soon or for too many channels. */
  ingest(report: PlayerReport): IngestResult {
    const now = this.#clock();
    let session = this.#sessions.get(report.sessionId);
    if (session && session.channel !== report.channel) {
      return {
        accepted: false,
        reason: "A session reports one channel; start a new session",
      };
    }
    if (
      session && !report.final && now - session.lastAt < this.#minIntervalMs
    ) {
      return {
        accepted: false,
        reason:
          `Reports from one session at most every ${this.#minIntervalMs} ms`,
      };
    }
    if (
      !this.#channels.has(report.channel) &&
      this.#channels.size >= this.#maxChannels
    ) {
      return { accepted: false, reason: "Too many channels" };
    }
    const previous = session?.totals ??
      { httpBytes: 0, p2pBytes: 0, uploadedBytes: 0, stalls: 0 };
    const seconds = session
      ? (now - session.lastAt) / 1000
      : FIRST_REPORT_ALLOWANCE_S;
    const budget = this.#maxBytesPerSecond * Math.max(seconds, 1);
    // Differences from the last totals; a total that went down (a restarted counter) adds nothing.
    let http = Math.max(0, report.totals.httpBytes - previous.httpBytes);
    let p2p = Math.max(0, report.totals.p2pBytes - previous.p2pBytes);
    let up = Math.max(0, report.totals.uploadedBytes - previous.uploadedBytes);
    let stalls = Math.max(0, report.totals.stalls - previous.stalls);
    let clamped = false;
    if (http + p2p > budget) {
      const scale = budget / (http + p2p);
      http = Math.floor(http * scale);
      p2p = Math.floor(p2p * scale);
      clamped = true;
    }
    if (up > budget) {
      up = Math.floor(budget);
      clamped = true;
    }
    if (stalls > 60) {
      stalls = 60; // more than one stall a second of reporting is not believable
      clamped = true;
    }
    const bucketStart = now - (now % this.#bucketMs);
    if (!session) {
      session = {
        channel: report.channel,
        totals: report.totals,
        lastAt: now,
        final: false,
        bucketStart: -1,
        ttffCounted: false,
      };
    }
    this.#sessions.delete(report.sessionId); // re-insert: most recent last
    this.#sessions.set(report.sessionId, session);
    const channel = this.#channels.get(report.channel) ?? emptyTotals();
    this.#channels.set(report.channel, channel);
    for (const totals of [channel, this.#all]) {
      totals.httpBytes += http;
      totals.p2pBytes += p2p;
      totals.uploadedBytes += up;
      totals.stalls += stalls;
      if (!session.ttffCounted && report.ttffMs !== null) {
        totals.ttffSum += report.ttffMs;
        totals.ttffCount++;
      }
    }
    if (report.ttffMs !== null) session.ttffCounted = true;
    const bucket = this.#bucket(report.channel, bucketStart);
    bucket.httpBytes += http;
    bucket.p2pBytes += p2p;
    bucket.uploadedBytes += up;
    if (session.bucketStart !== bucketStart) {
      bucket.viewers++;
      session.bucketStart = bucketStart;
    }
    session.totals = report.totals;
    session.lastAt = now;
    session.final = report.final;
    this.#evict();
    return { accepted: true, clamped };
  }

  #bucket(channel: string, start: number): Bucket {
    let buckets = this.#history.get(channel);
    if (!buckets) {
      buckets = [];
      this.#history.set(channel, buckets);
    }
    let bucket = buckets.at(-1);
    if (!bucket || bucket.start !== start) {
      bucket = {
        start,
        viewers: 0,
        httpBytes: 0,
        p2pBytes: 0,
        uploadedBytes: 0,
      };
      buckets.push(bucket);
      if (buckets.length > this.#bucketCount) {
        buckets.splice(0, buckets.length - this.#bucketCount);
      }
    }
    return bucket;
  }

  #evict(): void {
    const stale = this.#clock() - 10 * 60_000;
    for (const [id, session] of this.#sessions) {
      if (this.#sessions.size <= this.#maxSessions && session.lastAt > stale) {
        break;
      }
      this.#sessions.delete(id);
    }
  }

  /** This instance's running totals, for the other instances of a cluster. */
  shared(): SharedFigures {
    const viewers = this.viewers();
    const channels: Record<string, SharedTotals> = {};
    let all = 0;
    for (const [id, totals] of this.#channels) {
      const count = viewers.get(id) ?? 0;
      channels[id] = { ...totals, viewers: count };
      all += count;
    }
    return { all: { ...this.#all, viewers: all }, channels };
  }

  #figures(totals: Totals, viewers: number): P2PFigures {
    const delivered = totals.httpBytes + totals.p2pBytes;
    return {
      viewers,
      httpBytes: totals.httpBytes,
      p2pBytes: totals.p2pBytes,
      uploadedBytes: totals.uploadedBytes,
      offload: delivered === 0 ? 0 : totals.p2pBytes / delivered,
      avgTtffMs: totals.ttffCount === 0
        ? null
        : Math.round(totals.ttffSum / totals.ttffCount),
      stalls: totals.stalls,
    };
  }

  /** Viewers now, by channel. */
  viewers(): Map<string, number> {
    const since = this.#clock() - this.#viewerTtlMs;
    const counts = new Map<string, number>();
    for (const session of this.#sessions.values()) {
      if (session.lastAt >= since && !session.final) {
        counts.set(session.channel, (counts.get(session.channel) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Figures overall and per channel. */
  /**
   * Figures of all channels and of each; `others` (what the other instances
   * of a cluster {@linkcode Aggregator.shared}) are added in.
   */
  snapshot(
    others: readonly SharedFigures[] = [],
  ): P2PFigures & { channels: Record<string, P2PFigures> } {
    const { all, channels } = this.shared();
    for (const other of others) {
      addTotals(all, other.all);
      for (const [id, totals] of Object.entries(other.channels)) {
        const mine = channels[id];
        if (mine) addTotals(mine, totals);
        else channels[id] = { ...totals };
      }
    }
    const figures: Record<string, P2PFigures> = {};
    for (const [id, totals] of Object.entries(channels)) {
      figures[id] = this.#figures(totals, totals.viewers);
    }
    return { ...this.#figures(all, all.viewers), channels: figures };
  }

  /** Per-minute history of a channel, oldest first. */
  history(channel: string): HistoryBucket[] {
    return (this.#history.get(channel) ?? []).map((b) => ({
      start: new Date(b.start).toISOString(),
      viewers: b.viewers,
      httpBytes: b.httpBytes,
      p2pBytes: b.p2pBytes,
      uploadedBytes: b.uploadedBytes,
    }));
  }
}
