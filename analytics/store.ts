/**
 * Where player-reported totals and per-minute history live, so they survive
 * restarts and deploys and add up across the instances of a cluster. Each
 * instance counts reports in memory and flushes the increments every few
 * seconds; the store only ever adds. Three stores: in memory (tests, or
 * persistence turned off), Deno KV (a local file, or Deploy's database) and
 * Redis (with `TRACKER_BACKEND=redis`).
 * @module
 */

/** Running totals of player reports (of a channel, or of all). */
export interface Totals {
  /** Bytes the origin served to players whose bytes are known. */
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

/** The fields of {@linkcode Totals}, in a fixed order. */
export const TOTAL_FIELDS = [
  "httpBytes",
  "p2pBytes",
  "uploadedBytes",
  "stalls",
  "ttffSum",
  "ttffCount",
] as const satisfies ReadonlyArray<keyof Totals>;

/** One minute (or bucket) of a channel's history. */
export interface BucketFigures {
  /** Distinct sessions that reported in it. */
  viewers: number;
  /** Origin bytes in it. */
  httpBytes: number;
  /** Peer bytes in it. */
  p2pBytes: number;
  /** Uploaded bytes in it. */
  uploadedBytes: number;
}

/** The fields of {@linkcode BucketFigures}, in a fixed order. */
export const BUCKET_FIELDS = [
  "viewers",
  "httpBytes",
  "p2pBytes",
  "uploadedBytes",
] as const satisfies ReadonlyArray<keyof BucketFigures>;

/** Increments to add: totals per channel, and buckets per channel and start. */
export interface StoreDelta {
  /** Totals to add, by channel id. */
  totals: Map<string, Totals>;
  /** Buckets to add, by channel id, then bucket start (ms since epoch). */
  buckets: Map<string, Map<number, BucketFigures>>;
}

/** A place that keeps the figures. */
export interface AnalyticsStore {
  /** Which store, for `/health` and logs. */
  readonly kind: "memory" | "kv" | "redis";
  /**
   * A secret every instance shares (it signs session tokens): created by
   * whichever instance asks first, then read by the others.
   */
  secret(): Promise<string>;
  /** Add increments; rejects if the store is out of reach (the caller retries). */
  add(delta: StoreDelta): Promise<void>;
  /** The totals of every channel. */
  totals(): Promise<Map<string, Totals>>;
  /** A channel's buckets newer than `since` (ms since epoch), by start. */
  history(channel: string, since: number): Promise<Map<number, BucketFigures>>;
  /** Release connections. */
  close(): Promise<void>;
}

/** Zeroed totals. */
export function emptyTotals(): Totals {
  return {
    httpBytes: 0,
    p2pBytes: 0,
    uploadedBytes: 0,
    stalls: 0,
    ttffSum: 0,
    ttffCount: 0,
  };
}

/** Zeroed bucket figures. */
export function emptyBucket(): BucketFigures {
  return { viewers: 0, httpBytes: 0, p2pBytes: 0, uploadedBytes: 0 };
}

/** Add `from` into `into`, field by field (every field a number). */
export function addFields<T extends { [K in keyof T]: number }>(
  into: T,
  from: Readonly<T>,
): T {
  for (const key of Object.keys(from) as Array<keyof T>) {
    (into[key] as number) += from[key];
  }
  return into;
}

/** Add `figures` to the entry of `key` in `map`, starting from `empty()`. */
export function addAt<K, T extends { [F in keyof T]: number }>(
  map: Map<K, T>,
  key: K,
  figures: Readonly<T>,
  empty: () => T,
): void {
  map.set(key, addFields(map.get(key) ?? empty(), figures));
}

/** Totals from `[channel, field, value]` rows as a store reads them; unknown fields are skipped. */
export function totalsFromRows(
  rows: Iterable<readonly [string, string, number]>,
): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const [channel, field, value] of rows) {
    if (!(TOTAL_FIELDS as readonly string[]).includes(field)) continue;
    const figures = totals.get(channel) ?? emptyTotals();
    figures[field as keyof Totals] = value;
    totals.set(channel, figures);
  }
  return totals;
}

/** Copies of `stored`, plus what a store has queued and not committed yet. */
export function plusQueued(
  stored: ReadonlyMap<string, Totals>,
  queued: ReadonlyMap<string, Totals>,
): Map<string, Totals> {
  const result = new Map([...stored].map(([id, t]) => [id, { ...t }]));
  for (const [channel, figures] of queued) {
    addAt(result, channel, figures, emptyTotals);
  }
  return result;
}

/** A random secret, 32 bytes as hex. */
export function newSecret(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/** Figures kept in this process only: lost on restart. */
export class MemoryStore implements AnalyticsStore {
  /** Which store. */
  readonly kind = "memory" as const;
  #secret = newSecret();
  #totals = new Map<string, Totals>();
  #buckets = new Map<string, Map<number, BucketFigures>>();
  #keepMs: number;
  #clock: () => number;

  /** Buckets older than `keepMs` (by `clock`) are forgotten. */
  constructor(keepMs: number, clock: () => number = Date.now) {
    this.#keepMs = keepMs;
    this.#clock = clock;
  }

  /** This process's secret. */
  secret(): Promise<string> {
    return Promise.resolve(this.#secret);
  }

  /** Add increments. */
  add(delta: StoreDelta): Promise<void> {
    for (const [channel, totals] of delta.totals) {
      addAt(this.#totals, channel, totals, emptyTotals);
    }
    const cutoff = this.#clock() - this.#keepMs;
    for (const [channel, buckets] of delta.buckets) {
      let mine = this.#buckets.get(channel);
      if (!mine) this.#buckets.set(channel, mine = new Map());
      for (const [start, figures] of buckets) {
        addAt(mine, start, figures, emptyBucket);
      }
      for (const start of mine.keys()) if (start < cutoff) mine.delete(start);
    }
    return Promise.resolve();
  }

  /** The totals of every channel. */
  totals(): Promise<Map<string, Totals>> {
    return Promise.resolve(plusQueued(this.#totals, new Map()));
  }

  /** A channel's buckets newer than `since`. */
  history(
    channel: string,
    since: number,
  ): Promise<Map<number, BucketFigures>> {
    const result = new Map<number, BucketFigures>();
    for (const [start, figures] of this.#buckets.get(channel) ?? []) {
      if (start >= since) result.set(start, { ...figures });
    }
    return Promise.resolve(result);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
