/**
 * Aggregates player reports per channel and overall: viewers now (and why
 * some have no P2P), bytes via HTTP / P2P / uploaded, origin offload, time
 * to first frame, stalls, and per-minute buckets. Counts go to a store
 * every few seconds, so they survive restarts and add up across instances.
 *
 * Nothing a client sends can move the figures by much: a report counts only
 * with a session token the server minted for a page view, each session is
 * credited within a real-time budget ({@linkcode creditReport}), one
 * address has a few sessions counted at once, and memory is bounded
 * (sessions, channels, buckets).
 * @module
 */
import { isNoUploadReason } from "../p2p/upload_policy.ts";
import type { PlayerReport } from "./report.ts";
import type { SessionClaims } from "./session_token.ts";
import { creditReport, newSession, type Session } from "./sessions.ts";
import {
  type FiguresSnapshot,
  type HistoryBucket,
  mergeViewerCounts,
  snapshotOf,
  type ViewerCounts,
} from "./figures.ts";
import {
  addAt,
  type AnalyticsStore,
  type BucketFigures,
  emptyBucket,
  emptyTotals,
  MemoryStore,
  plusQueued,
  type StoreDelta,
  type Totals,
} from "./store.ts";
import { log } from "../utils/log.ts";

/** Options of {@linkcode Aggregator}. */
export interface AggregatorOptions {
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
  /** Width of a history bucket (ms). */
  bucketMs?: number;
  /** Buckets kept per channel (180 one-minute buckets: 3 hours). */
  bucketCount?: number;
  /** Where the counts go; in memory by default. */
  store?: AnalyticsStore;
  /** How often counts are flushed to the store (ms). */
  flushMs?: number;
  /** A channel's top bitrate (bits/s, from its master playlist), if known. */
  peakBitrateOf?: (channel: string) => number | undefined;
  /** Most bytes per second one session may be credited when its channel's bitrate is unknown. */
  maxBytesPerSecond?: number;
  /** A session without a report for this long is no longer watching (ms). */
  viewerTtlMs?: number;
  /** Reports closer together than this from one session are refused (ms). */
  minReportIntervalMs?: number;
  /** Most sessions remembered; the least recently reporting ones go first. */
  maxSessions?: number;
  /** Most channels tracked. */
  maxChannels?: number;
  /** Sessions of one address counted at once (a household; `ANALYTICS_SESSIONS_PER_IP`). */
  maxSessionsPerAddress?: number;
}

/** Outcome of {@linkcode Aggregator.ingest}. */
export type IngestResult = { accepted: true; clamped: boolean } | {
  accepted: false;
  status: 409 | 429;
  reason: string;
};

function emptyDelta(): StoreDelta {
  return { totals: new Map(), buckets: new Map() };
}

/** Player-reported P2P figures. */
export class Aggregator {
  #clock: () => number;
  #bucketMs: number;
  #keepMs: number;
  #store: AnalyticsStore;
  #flushMs: number;
  #peakBitrateOf: (channel: string) => number | undefined;
  #maxBytesPerSecond: number;
  #viewerTtlMs: number;
  #minIntervalMs: number;
  #maxSessions: number;
  #maxChannels: number;
  #maxPerAddress: number;
  #sessions = new Map<string, Session>(); // least recently reporting first
  #byAddress = new Map<string, Set<Session>>();
  #channels = new Set<string>();
  #pending = emptyDelta();
  #stored = new Map<string, Totals>();
  #timer?: ReturnType<typeof setInterval>;
  #storeDown = false;

  /** An empty aggregator. */
  constructor(options: AggregatorOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    this.#bucketMs = options.bucketMs ?? 60_000;
    this.#keepMs = this.#bucketMs * (options.bucketCount ?? 180);
    this.#store = options.store ?? new MemoryStore(this.#keepMs, this.#clock);
    this.#flushMs = options.flushMs ?? 5000;
    this.#peakBitrateOf = options.peakBitrateOf ?? (() => undefined);
    this.#maxBytesPerSecond = options.maxBytesPerSecond ?? 12.5e6; // 100 Mbit/s
    this.#viewerTtlMs = options.viewerTtlMs ?? 30_000;
    this.#minIntervalMs = options.minReportIntervalMs ?? 2_000;
    this.#maxSessions = options.maxSessions ?? 50_000;
    this.#maxChannels = options.maxChannels ?? 1_000;
    this.#maxPerAddress = options.maxSessionsPerAddress ?? 4;
  }

  /** The store behind the figures. */
  get store(): AnalyticsStore {
    return this.#store;
  }

  /** Flush to the store every few seconds from now on. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flush(), this.#flushMs);
    Deno.unrefTimer(this.#timer);
  }

  /** Stop flushing periodically, flush once more and close the store. */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await this.#store.close();
  }

  /** Hand what was counted since the last flush to the store; never rejects. */
  async flush(): Promise<void> {
    const delta = this.#pending;
    if (delta.totals.size === 0 && delta.buckets.size === 0) return;
    this.#pending = emptyDelta();
    try {
      await this.#store.add(delta); // a store that fails keeps the increments queued
      if (this.#storeDown) log.info("analytics.store_back", {});
      this.#storeDown = false;
    } catch (error) {
      if (!this.#storeDown) {
        log.error("analytics.store_unreachable", {
          store: this.#store.kind,
          error: String(error),
          fallback: "counts stay queued until the store answers",
        });
      }
      this.#storeDown = true;
    }
  }

  #live(session: Session, now: number): boolean {
    return !session.final && (session.lastAt ?? session.issuedAt) >=
        now - this.#viewerTtlMs;
  }

  /**
   * Count a report of the session `claims` (from its verified token) sent
   * from `address` (its per-address key).
   */
  ingest(
    report: PlayerReport,
    claims: SessionClaims,
    address: string,
  ): IngestResult {
    const now = this.#clock();
    let session = this.#sessions.get(claims.sessionId);
    if (session?.final) {
      return { accepted: false, status: 409, reason: "Session ended" };
    }
    if (
      session?.lastAt !== undefined && !report.final &&
      now - session.lastAt < this.#minIntervalMs
    ) {
      return {
        accepted: false,
        status: 429,
        reason:
          `Reports from one session at most every ${this.#minIntervalMs} ms`,
      };
    }
    if (
      !this.#channels.has(report.channel) &&
      this.#channels.size >= this.#maxChannels
    ) {
      return { accepted: false, status: 429, reason: "Too many channels" };
    }
    if (!session) {
      const mine = this.#byAddress.get(address);
      let live = 0;
      for (const other of mine ?? []) if (this.#live(other, now)) live++;
      if (live >= this.#maxPerAddress) {
        return {
          accepted: false,
          status: 429,
          reason:
            `At most ${this.#maxPerAddress} viewers from one address are counted`,
        };
      }
      session = newSession(claims, address, report);
      if (mine) mine.add(session);
      else this.#byAddress.set(address, new Set([session]));
    }
    const credit = creditReport(
      session,
      report,
      now,
      this.#rate(report.channel),
    );
    this.#sessions.delete(session.id); // re-insert: most recent last
    this.#sessions.set(session.id, session);
    this.#channels.add(report.channel);
    const totals = this.#pending.totals.get(report.channel) ?? emptyTotals();
    this.#pending.totals.set(report.channel, totals);
    totals.httpBytes += credit.http;
    totals.p2pBytes += credit.p2p;
    totals.uploadedBytes += credit.up;
    totals.stalls += credit.stalls;
    if (credit.ttffMs !== null) {
      totals.ttffSum += credit.ttffMs;
      totals.ttffCount++;
    }
    const bucketStart = now - (now % this.#bucketMs);
    const bucket = this.#pendingBucket(report.channel, bucketStart);
    bucket.httpBytes += credit.http;
    bucket.p2pBytes += credit.p2p;
    bucket.uploadedBytes += credit.up;
    if (session.bucketStart !== bucketStart) {
      bucket.viewers++;
      session.bucketStart = bucketStart;
    }
    this.#evict(now);
    return { accepted: true, clamped: credit.clamped };
  }

  /**
   * The most bytes per second one viewer of `channel` is credited: four
   * times its top rendition (start-up bursts, prefetching) and at least
   * 8 Mbit/s; 100 Mbit/s when the channel's bitrate is unknown.
   */
  #rate(channel: string): number {
    const bitrate = this.#peakBitrateOf(channel);
    return bitrate ? Math.max((4 * bitrate) / 8, 1e6) : this.#maxBytesPerSecond;
  }

  #pendingBucket(channel: string, start: number): BucketFigures {
    let buckets = this.#pending.buckets.get(channel);
    if (!buckets) this.#pending.buckets.set(channel, buckets = new Map());
    let bucket = buckets.get(start);
    if (!bucket) buckets.set(start, bucket = emptyBucket());
    return bucket;
  }

  #forget(session: Session): void {
    this.#sessions.delete(session.id);
    const mine = this.#byAddress.get(session.address);
    mine?.delete(session);
    if (mine?.size === 0) this.#byAddress.delete(session.address);
  }

  #evict(now: number): void {
    const stale = now - 10 * 60_000;
    for (const session of this.#sessions.values()) {
      if (
        this.#sessions.size <= this.#maxSessions &&
        (session.lastAt ?? 0) > stale
      ) break;
      this.#forget(session);
    }
  }

  /** This instance's players reporting now, by channel and status (shared with the cluster). */
  reportingViewers(): ViewerCounts {
    const now = this.#clock();
    const counts: ViewerCounts = {};
    for (const session of this.#sessions.values()) {
      if (!this.#live(session, now)) continue;
      const channel = counts[session.channel] ??= {};
      channel[session.status] = (channel[session.status] ?? 0) + 1;
      const p2pRuns = session.status === "active" ||
        session.status === "waiting" || session.status === "starting";
      const reason = session.upload;
      if (p2pRuns && reason && isNoUploadReason(reason)) {
        const key = `noUpload:${reason}` as const;
        channel[key] = (channel[key] ?? 0) + 1;
      }
    }
    return counts;
  }

  /**
   * Figures of all channels and of each: the store's totals (every instance,
   * every run) plus what is not flushed yet, and the viewers reporting now
   * here and on `others` (the other instances' {@linkcode Aggregator.reportingViewers}).
   */
  async snapshot(
    others: readonly ViewerCounts[] = [],
  ): Promise<FiguresSnapshot> {
    try {
      this.#stored = await this.#store.totals();
    } catch {
      // The store is out of reach: the last totals read, plus what is counted since.
    }
    const totals = plusQueued(this.#stored, this.#pending.totals);
    return snapshotOf(
      totals,
      mergeViewerCounts([this.reportingViewers(), ...others]),
    );
  }

  /** Per-minute history of a channel, oldest first (every instance, every run). */
  async history(channel: string): Promise<HistoryBucket[]> {
    const since = this.#clock() - this.#keepMs;
    let buckets: Map<number, BucketFigures>;
    try {
      buckets = await this.#store.history(channel, since);
    } catch {
      buckets = new Map();
    }
    for (const [start, pending] of this.#pending.buckets.get(channel) ?? []) {
      addAt(buckets, start, pending, emptyBucket);
    }
    return [...buckets].filter(([start]) => start >= since)
      .sort(([a], [b]) => a - b)
      .map(([start, figures]) => ({
        start: new Date(start).toISOString(),
        ...figures,
      }));
  }
}
