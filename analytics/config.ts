/**
 * Analytics settings from the environment, and the store they name: the
 * cluster's engine when there is one (Redis or Deno KV), otherwise a local
 * Deno KV file (Deploy's own database on Deno Deploy), or memory when
 * persistence is off.
 * @module
 */
import type { ClusterConfig } from "../tracker/cluster/mod.ts";
import { envInteger, type EnvReader } from "../utils/env.ts";
import { KvStore } from "./kv_store.ts";
import { RedisStore } from "./redis_store.ts";
import { type AnalyticsStore, MemoryStore } from "./store.ts";

/** Where the figures persist when no cluster engine is set. */
export type AnalyticsPersistence =
  | { kind: "memory" }
  | { kind: "kv"; path?: string };

/** How player reports are counted and kept. */
export interface AnalyticsConfig {
  /** Where figures persist without a cluster engine (`ANALYTICS_KV_PATH`). */
  persistence: AnalyticsPersistence;
  /** Sessions of one address counted at once (`ANALYTICS_SESSIONS_PER_IP`). */
  sessionsPerAddress: number;
  /** Signs session tokens (`SESSION_SECRET`); shared through the store when unset. */
  sessionSecret?: string;
}

/** The default local file of `ANALYTICS_KV_PATH`. */
export const DEFAULT_ANALYTICS_KV_PATH = "data/analytics.kv";

/** In memory, nothing persisted: what tests get unless they ask. */
export const MEMORY_ANALYTICS: AnalyticsConfig = {
  persistence: { kind: "memory" },
  sessionsPerAddress: 4,
};

/**
 * Read the analytics settings. On Deno Deploy (`DENO_DEPLOYMENT_ID` set)
 * the default is Deploy's own KV database, elsewhere a local file.
 *
 * @throws {RangeError} naming the variable for a bad value.
 */
export function analyticsConfigFromEnv(env: EnvReader): AnalyticsConfig {
  const path = env("ANALYTICS_KV_PATH")?.trim();
  const onDeploy = Boolean(env("DENO_DEPLOYMENT_ID"));
  const secret = env("SESSION_SECRET") || undefined;
  if (secret !== undefined && secret.length < 32) {
    throw new RangeError(
      `Invalid SESSION_SECRET: ${secret.length} characters, at least 32`,
    );
  }
  return {
    persistence: path === "off" ? { kind: "memory" } : {
      kind: "kv",
      path: path || (onDeploy ? undefined : DEFAULT_ANALYTICS_KV_PATH),
    },
    sessionsPerAddress: envInteger(env, "ANALYTICS_SESSIONS_PER_IP", {
      fallback: MEMORY_ANALYTICS.sessionsPerAddress,
      max: 1000,
    }),
    sessionSecret: secret,
  };
}

/** What a store needs to know about the history it keeps. */
export interface StoreShape {
  /** How long buckets are kept (ms). */
  keepMs: number;
  /** Width of a bucket (ms). */
  bucketMs: number;
}

/** The store a configuration names: the cluster's engine first. */
export async function createAnalyticsStore(
  config: AnalyticsConfig,
  cluster: ClusterConfig | undefined,
  shape: StoreShape,
): Promise<AnalyticsStore> {
  if (cluster?.backend === "redis") {
    return new RedisStore({
      url: cluster.redisUrl,
      prefix: cluster.prefix,
      ...shape,
    });
  }
  if (cluster?.backend === "kv") {
    return new KvStore({
      open: () => Deno.openKv(cluster.kvPath),
      prefix: cluster.prefix,
      keepMs: shape.keepMs,
    });
  }
  const { persistence } = config;
  if (persistence.kind === "memory") return new MemoryStore(shape.keepMs);
  const { path } = persistence;
  if (path) {
    const dir = path.replace(/[^/]*$/, "");
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  return new KvStore({
    open: () => Deno.openKv(path),
    prefix: cluster?.prefix ?? "redflix",
    keepMs: shape.keepMs,
  });
}
