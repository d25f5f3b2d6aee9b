/**
 * Player figures in Deno KV: a local file by default, Deploy's database on
 * Deno Deploy, the cluster's database with `TRACKER_BACKEND=kv`.
 *
 * Keys (under the cluster prefix, `redflix` by default):
 * - `[p, "analytics", "totals", channel, field]`: a `Deno.KvU64`, grown with
 *   atomic `sum`s, so every instance adds to the same totals.
 * - `[p, "analytics", "history", channel, start, instance]`: what this
 *   instance counted in that minute, set whole (idempotent) with `expireIn`.
 *   A reader sums the instances of each minute.
 * - `[p, "analytics", "secret"]`: the shared secret, created once.
 *
 * Increments that could not be committed stay queued here and go out with
 * the next flush; reads include them.
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
import { newInstanceId } from "../tracker/cluster/mod.ts";

/** Most mutations in one atomic commit (Deno KV allows 1000). */
const MAX_BATCH = 500;
/** Totals read from KV are reused this long (ms). */
const READ_CACHE_MS = 2000;

/** Options of {@linkcode KvStore}. */
export interface KvStoreOptions {
  /** Opens the database (`() => Deno.openKv(path)`). */
  open: () => Promise<Deno.Kv>;
  /** First key part (`CLUSTER_PREFIX`). */
  prefix: string;
  /** How long history buckets are kept (ms). */
  keepMs: number;
}

/** Player figures in Deno KV. */
export class KvStore implements AnalyticsStore {
  /** Which store. */
  readonly kind = "kv" as const;
  #options: KvStoreOptions;
  #kv?: Promise<Deno.Kv>;
  #instance = newInstanceId();
  #queued: Map<string, Totals> = new Map();
  #mine = new Map<string, Map<number, BucketFigures>>();
  #dirty = new Map<string, Set<number>>();
  #cache?: { at: number; totals: Map<string, Totals> };

  /** A store on the database `options.open` opens (lazily). */
  constructor(options: KvStoreOptions) {
    this.#options = options;
  }

  #db(): Promise<Deno.Kv> {
    return this.#kv ??= this.#options.open();
  }

  #key(...parts: Deno.KvKeyPart[]): Deno.KvKey {
    return [this.#options.prefix, "analytics", ...parts];
  }

  /** The shared secret, created by the first instance that asks. */
  async secret(): Promise<string> {
    const kv = await this.#db();
    const key = this.#key("secret");
    await kv.atomic().check({ key, versionstamp: null }).set(key, newSecret())
      .commit();
    const { value } = await kv.get<string>(key);
    if (typeof value !== "string") {
      throw new TypeError("Invalid analytics secret in Deno KV");
    }
    return value;
  }

  /** Queue increments and commit everything queued. */
  async add(delta: StoreDelta): Promise<void> {
    for (const [channel, totals] of delta.totals) {
      addAt(this.#queued, channel, totals, emptyTotals);
    }
    const cutoff = Date.now() - this.#options.keepMs;
    for (const [channel, buckets] of delta.buckets) {
      let mine = this.#mine.get(channel);
      if (!mine) this.#mine.set(channel, mine = new Map());
      let dirty = this.#dirty.get(channel);
      if (!dirty) this.#dirty.set(channel, dirty = new Set());
      for (const [start, figures] of buckets) {
        addAt(mine, start, figures, emptyBucket);
        dirty.add(start);
      }
      for (const start of mine.keys()) if (start < cutoff) mine.delete(start);
    }
    await this.#commit();
  }

  async #commit(): Promise<void> {
    const kv = await this.#db();
    const mutations: Array<{ mutation: Deno.KvMutation; done: () => void }> =
      [];
    for (const [channel, totals] of this.#queued) {
      for (const field of TOTAL_FIELDS) {
        if (totals[field] <= 0) continue;
        mutations.push({
          mutation: {
            type: "sum",
            key: this.#key("totals", channel, field),
            value: new Deno.KvU64(BigInt(Math.round(totals[field]))),
          },
          done: () => totals[field] = 0,
        });
      }
    }
    for (const [channel, starts] of this.#dirty) {
      for (const start of starts) {
        const figures = this.#mine.get(channel)?.get(start);
        if (!figures) {
          starts.delete(start);
          continue;
        }
        mutations.push({
          mutation: {
            type: "set",
            key: this.#key("history", channel, start, this.#instance),
            value: { ...figures },
            expireIn: Math.max(1, start + this.#options.keepMs - Date.now()),
          },
          done: () => starts.delete(start),
        });
      }
    }
    for (let i = 0; i < mutations.length; i += MAX_BATCH) {
      const batch = mutations.slice(i, i + MAX_BATCH);
      const result = await kv.atomic().mutate(...batch.map((m) => m.mutation))
        .commit();
      if (!result.ok) throw new Error("Deno KV refused the analytics commit");
      for (const { done } of batch) done();
    }
    this.#cache = undefined;
    for (const [channel, totals] of this.#queued) {
      if (TOTAL_FIELDS.every((field) => totals[field] === 0)) {
        this.#queued.delete(channel);
      }
    }
  }

  /** Every channel's totals (committed, plus what is still queued). */
  async totals(): Promise<Map<string, Totals>> {
    const now = Date.now();
    if (!this.#cache || now - this.#cache.at > READ_CACHE_MS) {
      const kv = await this.#db();
      const rows: Array<[string, string, number]> = [];
      for await (
        const entry of kv.list<Deno.KvU64>({ prefix: this.#key("totals") })
      ) {
        const [channel, field] = entry.key.slice(-2) as [string, string];
        rows.push([channel, field, Number(entry.value.value)]);
      }
      this.#cache = { at: now, totals: totalsFromRows(rows) };
    }
    return plusQueued(this.#cache.totals, this.#queued);
  }

  /** A channel's buckets newer than `since`, summed over instances. */
  async history(
    channel: string,
    since: number,
  ): Promise<Map<number, BucketFigures>> {
    const kv = await this.#db();
    const buckets = new Map<number, BucketFigures>();
    for await (
      const entry of kv.list<BucketFigures>({
        start: this.#key("history", channel, since),
        end: this.#key("history", channel, Number.MAX_SAFE_INTEGER),
      })
    ) {
      const start = entry.key.at(-2);
      if (typeof start !== "number" || entry.key.at(-1) === this.#instance) {
        continue; // ours is read from memory below: it may be newer
      }
      const figures = buckets.get(start) ?? emptyBucket();
      for (const field of BUCKET_FIELDS) {
        const value = entry.value?.[field];
        if (typeof value === "number" && value >= 0) figures[field] += value;
      }
      buckets.set(start, figures);
    }
    for (const [start, figures] of this.#mine.get(channel) ?? []) {
      if (start < since) continue;
      addAt(buckets, start, figures, emptyBucket);
    }
    return buckets;
  }

  /** Close the database. */
  async close(): Promise<void> {
    if (this.#kv) (await this.#kv).close();
  }
}
