/**
 * The app's settings: what `createApp` takes, read from the environment by
 * {@linkcode configFromEnv}. Every setting is optional; a bad value stops
 * the server at start with a message naming the variable.
 * @module
 */
import {
  type AnalyticsConfig,
  analyticsConfigFromEnv,
} from "../analytics/config.ts";
import type { AggregatorOptions } from "../analytics/aggregator.ts";
import { p2pConfigFromEnv, type PlayerP2PConfig } from "../p2p/config.ts";
import {
  type ClusterConfig,
  clusterConfigFromEnv,
} from "../tracker/cluster/mod.ts";
import { type TrackerConfig, trackerConfigFromEnv } from "../tracker/mod.ts";
import { parseTrustProxy, type TrustProxy } from "../utils/client_address.ts";
import { envBoolean, envInteger } from "../utils/env.ts";
import { type TurnConfig, turnConfigFromEnv } from "../p2p/turn.ts";
import {
  type GuideConfig,
  guideConfigFromEnv,
} from "../channels/guide_config.ts";

/** Options of {@linkcode createApp}. */
export interface AppConfig {
  /** An M3U or JSON catalog; the embedded default when unset. */
  channelsFile?: string;
  /** Reload `channelsFile` when it changes or on `SIGHUP` (default `true`). */
  watchCatalog?: boolean;
  /** Prebuilt islands (`_build/`), or `false` to bundle on first use. */
  buildDir?: URL | false;
  /** Tracker settings; defaults from the environment. */
  tracker?: Partial<TrackerConfig>;
  /** How instances share swarms (`TRACKER_BACKEND`); one instance alone by default. */
  cluster?: ClusterConfig;
  /** P2P settings for players; defaults from the environment. */
  p2p?: Partial<PlayerP2PConfig>;
  /** Clock of the simulated live channels (ms since epoch); for tests. */
  liveClock?: () => number;
  /** Aggregation of player reports (clock, bucket sizes); for tests. */
  analytics?: AggregatorOptions;
  /** Where player figures persist and how sessions are counted; in memory by default. */
  analyticsConfig?: AnalyticsConfig;
  /** CSP `frame-ancestors`: who may embed the site (`FRAME_ANCESTORS`). */
  frameAncestors?: string;
  /** Fetches remote playlists when probing channels (without following redirects); tests keep it on loopback. */
  fetchRemote?: (url: string) => Promise<Response>;
  /** Let the probe fetch private and loopback targets (`PROBE_ALLOW_PRIVATE`). */
  probeAllowPrivate?: boolean;
  /** Which proxies in front report the client's address (`TRUST_PROXY`). */
  trustProxy?: TrustProxy;
  /** HTTP requests one address may have open at once (`HTTP_MAX_REQUESTS_PER_IP`). */
  maxRequestsPerAddress?: number;
  /** A TURN server whose credentials are minted per page view (`TURN_URLS`, `TURN_SECRET`). */
  turn?: TurnConfig;
  /** Program guide settings (`EPG_URL`, `EPG_REFRESH_MINUTES`…); defaults without. */
  guide?: Partial<GuideConfig>;
}

/** Requests one address may have open at once, by default. */
export const DEFAULT_MAX_REQUESTS_PER_ADDRESS = 256;

/**
 * Read the app's configuration from the environment.
 *
 * @throws {TypeError|RangeError} naming the variable of a bad value, or
 * `P2P_RELAY_ONLY` without a TURN server to relay through.
 */
export function configFromEnv(): AppConfig {
  const env = (name: string) => Deno.env.get(name);
  const p2p = p2pConfigFromEnv(env);
  const turn = turnConfigFromEnv(env);
  const staticTurn = p2p.iceServers.some((server) =>
    [server.urls].flat().some((url) => /^turns?:/.test(url))
  );
  if (p2p.relayOnly && !turn && !staticTurn) {
    throw new TypeError(
      "Invalid P2P_RELAY_ONLY: relay-only P2P needs a TURN server (TURN_URLS and TURN_SECRET, or a turn: URL in ICE_SERVERS)",
    );
  }
  return {
    channelsFile: env("CHANNELS_FILE") || undefined,
    frameAncestors: env("FRAME_ANCESTORS") || undefined,
    trustProxy: parseTrustProxy(env("TRUST_PROXY")),
    maxRequestsPerAddress: envInteger(env, "HTTP_MAX_REQUESTS_PER_IP", {
      fallback: DEFAULT_MAX_REQUESTS_PER_ADDRESS,
    }),
    tracker: trackerConfigFromEnv(env),
    cluster: clusterConfigFromEnv(env),
    p2p,
    turn,
    analyticsConfig: analyticsConfigFromEnv(env),
    probeAllowPrivate: envBoolean(env, "PROBE_ALLOW_PRIVATE", false),
    guide: guideConfigFromEnv(env),
  };
}
