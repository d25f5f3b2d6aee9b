/**
 * Player figures in Redis, with `TRACKER_BACKEND=redis`: every instance
 * adds to the same counters.
 *
 * Keys (under the cluster prefix, `redflix` by default):
 * - `<p>:analytics:totals`: a hash, field `<channel> <field>`, grown with
 *   `HINCRBY`.
 * - `<p>:analytics:h:<channel>:<start>`: a hash per minute, fields of
 *   {@linkcode BucketFigures}, grown with `HINCRBY`, expiring after the
 *   history's length.
 * - `<p>:analytics:secret`: the shared secret (`SET NX`).
 *
 * Increments that could not be sent stay queued here and go out with the
 * next flush; reads include them.
 * @module
 */
import {
  addAt,
  type AnalyticsStore,
  BUCKET_FIELDS,
  type BucketFigures,
  emptyBucket,
  emptyTotals,
  newSecret,
  plusQueued,
  type StoreDelta,
  TOTAL_FIELDS,
  type Totals,
  totalsFromRows,
} from "./store.ts";
import { newRedisClient, type RedisClient } from "../tracker/cluster/mod.ts";

/** Totals read from Redis are reused this long (ms). */
const READ_CACHE_MS = 2000;

/** Options of {@linkcode RedisStore}. */
export interface RedisStoreOptions {
  /** `redis://host:port` (`REDIS_URL`). */
  url: string;
  /** Key prefix (`CLUSTER_PREFIX`). */
  prefix: string;
  /** How long history buckets are kept (ms). */
  keepMs: number;
  /** Width of a bucket (ms), to name the keys of a range. */
  bucketMs: number;
}

/** Player figures in Redis. */
export class RedisStore implements AnalyticsStore {
  /** Which store. */
  readonly kind = "redis" as const;
  #options: RedisStoreOptions;
  #client?: RedisClient;
  #queuedTotals = new Map<string, Totals>();
  #queuedBuckets = new Map<string, Map<number, BucketFigures>>();
  #cache?: { at: number; totals: Map<string, Totals> };

  /** A store on the Redis at `options.url` (connected lazily). */
  constructor(options: RedisStoreOptions) {
    this.#options = options;
  }

  /**
   * The client, connecting in the background: while Redis is down its
   * commands fail at once (no offline queue), they never wait for it.
   */
  #redis(): RedisClient {
    if (!this.#client) {
      const client = newRedisClient(this.#options.url);
      client.on("error", () => {}); // reads and flushes report failures themselves
      client.connect().catch(() => {});
      this.#client = client;
    }
    return this.#client;
  }

  /** The client once it is ready, waiting `ms` at most (then its commands fail fast). */
  async #ready(ms: number): Promise<RedisClient> {
    const client = this.#redis();
    if (client.isReady) return client;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onReady = () => {};
    await new Promise<void>((resolve) => {
      onReady = resolve;
      client.once("ready", onReady);
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    client.off("ready", onReady);
    return client;
  }

  #key(...parts: string[]): string {
    return [this.#options.prefix, "analytics", ...parts].join(":");
  }

  /** The shared secret, created by the first instance that asks. */
  async secret(): Promise<string> {
    const redis = await this.#ready(3000);
    const key = this.#key("secret");
    await redis.set(key, newSecret(), { NX: true });
    const value = await redis.get(key);
    if (!value) throw new TypeError("Invalid analytics secret in Redis");
    return value;
  }

  /** Queue increments and send everything queued in one transaction. */
  async add(delta: StoreDelta): Promise<void> {
    for (const [channel, totals] of delta.totals) {
      addAt(this.#queuedTotals, channel, totals, emptyTotals);
    }
    for (const [channel, buckets] of delta.buckets) {
      let queued = this.#queuedBuckets.get(channel);
      if (!queued) this.#queuedBuckets.set(channel, queued = new Map());
      for (const [start, figures] of buckets) {
        addAt(queued, start, figures, emptyBucket);
      }
    }
    const redis = await this.#ready(1000);
    const multi = redis.multi();
    const totalsKey = this.#key("totals");
    for (const [channel, totals] of this.#queuedTotals) {
      for (const field of TOTAL_FIELDS) {
        if (totals[field] > 0) {
          multi.hIncrBy(
            totalsKey,
            `${channel} ${field}`,
            Math.round(totals[field]),
          );
        }
      }
    }
    for (const [channel, buckets] of this.#queuedBuckets) {
      for (const [start, figures] of buckets) {
        const key = this.#key("h", channel, String(start));
        for (const field of BUCKET_FIELDS) {
          if (figures[field] > 0) multi.hIncrBy(key, field, figures[field]);
        }
        multi.pExpireAt(key, start + this.#options.keepMs);
      }
    }
    await multi.exec(); // all or nothing: the queue is cleared only on success
    this.#queuedTotals.clear();
    this.#queuedBuckets.clear();
    this.#cache = undefined;
  }

  /** Every channel's totals (sent, plus what is still queued). */
  async totals(): Promise<Map<string, Totals>> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > READ_CACHE_MS) {
      const redis = await this.#ready(1000);
      const fields = await redis.hGetAll(this.#key("totals"));
      const rows = Object.entries(fields).map(([name, value]) => {
        const [channel = "", field = ""] = name.split(" ");
        return [channel, field, Number(value)] as const;
      });
      this.#cache = { at: now, totals: totalsFromRows(rows) };
    }
    return plusQueued(this.#cache.totals, this.#queuedTotals);
  }

  /** A channel's buckets newer than `since`: one pipelined read per minute. */
  async history(
    channel: string,
    since: number,
  ): Promise<Map<number, BucketFigures>> {
    const { bucketMs } = this.#options;
    const redis = await this.#ready(1000);
    const starts: number[] = [];
    for (
      let start = since - (since % bucketMs);
      start <= Date.now();
      start += bucketMs
    ) starts.push(start);
    const replies = await Promise.all(
      starts.map((start) =>
        redis.hGetAll(this.#key("h", channel, String(start)))
      ),
    );
    const buckets = new Map<number, BucketFigures>();
    starts.forEach((start, i) => {
      const reply = replies[i] ?? {};
      if (Object.keys(reply).length === 0) return;
      const figures = emptyBucket();
      for (const field of BUCKET_FIELDS) {
        figures[field] = Number(reply[field] ?? 0);
      }
      buckets.set(start, figures);
    });
    for (const [start, figures] of this.#queuedBuckets.get(channel) ?? []) {
      if (start < since) continue;
      addAt(buckets, start, figures, emptyBucket);
    }
    return buckets;
  }

  /** Disconnect, without waiting for a Redis that is down. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    if (client.isReady) await client.close().catch(() => client.destroy());
    else client.destroy();
  }
}
