/**
 * Which shared engine, if any, the tracker uses: from the environment.
 * @module
 */
import type { SwarmBackend } from "./backend.ts";
import { KvBackend } from "./kv.ts";
import { RedisBackend } from "./redis.ts";

/** The backends `TRACKER_BACKEND` can name. */
export const BACKENDS = ["memory", "redis", "kv"] as const;

/** A backend's name. */
export type BackendName = typeof BACKENDS[number];

/** How instances share swarms. */
export interface ClusterConfig {
  /** `memory` (one instance, the default), `redis` or `kv`. */
  backend: BackendName;
  /** Where Redis is (`REDIS_URL`). */
  redisUrl: string;
  /** Prefix of every shared key (`CLUSTER_PREFIX`). */
  prefix: string;
  /** A local Deno KV file (`DENO_KV_PATH`); Deploy's own database when unset. */
  kvPath?: string;
}

/** The defaults: one instance, no shared engine. */
export const DEFAULT_CLUSTER_CONFIG: Readonly<ClusterConfig> = {
  backend: "memory",
  redisUrl: "redis://127.0.0.1:6379",
  prefix: "redflix",
};

/**
 * Read the cluster configuration.
 *
 * @example
 * ```ts
 * const config = clusterConfigFromEnv((name) => Deno.env.get(name));
 * ```
 * @throws {RangeError} for an unknown backend or a malformed `REDIS_URL`.
 */
export function clusterConfigFromEnv(
  env: (name: string) => string | undefined,
): ClusterConfig {
  const backend = (env("TRACKER_BACKEND") || "memory").trim().toLowerCase();
  if (!(BACKENDS as readonly string[]).includes(backend)) {
    throw new RangeError(
      `Invalid TRACKER_BACKEND: expected one of ${
        BACKENDS.join(", ")
      }, got "${backend}"`,
    );
  }
  const redisUrl = env("REDIS_URL") || DEFAULT_CLUSTER_CONFIG.redisUrl;
  if (
    !URL.canParse(redisUrl) || !/^rediss?:$/.test(new URL(redisUrl).protocol)
  ) {
    throw new RangeError(
      `Invalid REDIS_URL: expected redis://host:port or rediss://…, got "${redisUrl}"`,
    );
  }
  const prefix = env("CLUSTER_PREFIX") || DEFAULT_CLUSTER_CONFIG.prefix;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(prefix)) {
    throw new RangeError(
      `Invalid CLUSTER_PREFIX: expected 1-64 letters, digits, "_", "." or "-", got "${prefix}"`,
    );
  }
  return {
    backend: backend as BackendName,
    redisUrl,
    prefix,
    kvPath: env("DENO_KV_PATH") || undefined,
  };
}

/** The backend a configuration names; `undefined` for `memory`. */
export function createBackend(
  config: ClusterConfig,
  options: { peerTimeoutMs: number; heartbeatMs?: number },
): SwarmBackend | undefined {
  switch (config.backend) {
    case "memory":
      return undefined;
    case "redis":
      return new RedisBackend({
        url: config.redisUrl,
        prefix: config.prefix,
        ...options,
      });
    case "kv":
      return new KvBackend({
        open: () => Deno.openKv(config.kvPath),
        prefix: config.prefix,
        ...options,
      });
  }
}
