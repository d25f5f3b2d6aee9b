/**
 * Entry point: `deno task start` serves RedFlix P2P on `PORT` (default 8000).
 * {@linkcode createApp} builds the request handler; tests serve it on an
 * ephemeral port.
 * @module
 */
import manifest from "./fresh.gen.ts";
import { loadCatalog } from "./channels/catalog.ts";
import { DEFAULT_LOCALE, messages } from "./i18n/mod.ts";
import { type AppHandler, createHandler } from "./runtime/server.ts";
import type { Manifest } from "./runtime/types.ts";
import { p2pConfigFromEnv, type PlayerP2PConfig } from "./p2p/config.ts";
import { LiveSources } from "./live/source.ts";
import { Aggregator, type AggregatorOptions } from "./analytics/aggregator.ts";
import { KeyedRateLimiter } from "./tracker/rate_limit.ts";
import {
  DEFAULT_TRACKER_CONFIG,
  Tracker,
  type TrackerConfig,
  trackerConfigFromEnv,
} from "./tracker/mod.ts";
import {
  type ClusterConfig,
  clusterConfigFromEnv,
  createBackend,
} from "./tracker/cluster/mod.ts";
import { log } from "./utils/log.ts";
import { withSecurityHeaders } from "./utils/security.ts";
import type { AppState } from "./utils/state.ts";

/** Options of {@linkcode createApp}. */
export interface AppConfig {
  /** An M3U or JSON catalog; the embedded default when unset. */
  channelsFile?: string;
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
  /** CSP `frame-ancestors`: who may embed the site (`FRAME_ANCESTORS`). */
  frameAncestors?: string;
  /** Fetches remote playlists when probing channels; tests keep it on loopback. */
  fetchRemote?: (url: string) => Promise<Response>;
}

/** A ready app: its handler and the services behind it. */
export interface App {
  /** The request handler. */
  handler: AppHandler;
  /** Resolves once every channel was probed for live or VOD (start-up does not wait). */
  probed: Promise<void>;
  /** Release timers and sockets. */
  close(): Promise<void>;
}

/** Read the app's configuration from the environment. */
export function configFromEnv(): AppConfig {
  const env = (name: string) => Deno.env.get(name);
  return {
    channelsFile: env("CHANNELS_FILE") || undefined,
    frameAncestors: env("FRAME_ANCESTORS") || undefined,
    tracker: trackerConfigFromEnv(env),
    cluster: clusterConfigFromEnv(env),
    p2p: p2pConfigFromEnv(env),
  };
}

/** Build the app: catalog, tracker and routes. */
export async function createApp(
  appManifest: Manifest,
  config: AppConfig = {},
): Promise<App> {
  const catalog = await loadCatalog(config.channelsFile);
  const peerTimeoutMs = config.tracker?.peerTimeoutMs ??
    DEFAULT_TRACKER_CONFIG.peerTimeoutMs;
  const analytics = new Aggregator(config.analytics);
  const tracker = new Tracker({
    config: config.tracker,
    // Other instances add this instance's player figures to theirs.
    summaryExtra: () => ({ p2p: analytics.shared() }),
    cluster: config.cluster &&
      createBackend(config.cluster, {
        peerTimeoutMs,
        // Instances see each other's summaries within a quarter of the timeout.
        heartbeatMs: Math.min(5000, peerTimeoutMs / 4),
      }),
  });
  await tracker.start(); // waits a few seconds at most for a cluster engine
  const defaults = p2pConfigFromEnv(() => undefined);
  const state: AppState = {
    catalog,
    tracker,
    p2p: {
      ...defaults,
      ...config.p2p,
      core: { ...defaults.core, ...config.p2p?.core },
      liveCore: { ...defaults.liveCore, ...config.p2p?.liveCore },
    },
    analytics,
    // Players report every few seconds: 2 per second per address, bursts of 20 (households, NAT).
    reportLimiter: new KeyedRateLimiter(2, 20),
    live: new LiveSources(new URL("./static/media/", import.meta.url), {
      clock: config.liveClock,
    }),
    locale: DEFAULT_LOCALE,
    t: messages(DEFAULT_LOCALE),
  };
  const handler = withSecurityHeaders(
    createHandler(appManifest, { state, buildDir: config.buildDir }),
    { frameAncestors: config.frameAncestors },
  );
  // Site paths (/media/…, /live/…) are answered by this app itself; the rest is fetched.
  const probed = catalog.probe((url) =>
    url.startsWith("/")
      ? handler(new Request(new URL(url, "http://localhost")))
      : (config.fetchRemote ??
        ((u) => fetch(u, { signal: AbortSignal.timeout(5000) })))(url)
  );
  return {
    handler,
    probed,
    close() {
      return tracker.close();
    },
  };
}

/** Options of {@linkcode start}. */
export interface StartOptions extends AppConfig {
  /** TCP port; `PORT` or 8000. */
  port?: number;
  /** Interface to listen on; `HOSTNAME` or all interfaces. */
  hostname?: string;
}

/** Longest a graceful shutdown may take before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Serve the app until SIGINT/SIGTERM, then shut down gracefully. */
export async function start(
  appManifest: Manifest,
  options: StartOptions = {},
): Promise<void> {
  const port = options.port ?? Number(Deno.env.get("PORT") ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Invalid PORT: expected 0-65535, got "${Deno.env.get("PORT")}"`,
    );
  }
  const app = await createApp(appManifest, { ...configFromEnv(), ...options });
  const server = Deno.serve({
    port,
    hostname: options.hostname ?? Deno.env.get("HOSTNAME") ?? "0.0.0.0",
    onListen: ({ hostname, port }) => {
      const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
      log.info("server.listening", { url: `http://${shown}:${port}/` });
    },
  }, app.handler);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log.info("server.stopping", {});
    const drained = server.shutdown(); // stop accepting; let requests in flight finish
    await app.close(); // tracker sockets get 1001 (going away); clients reconnect by themselves
    const timeout = new Promise<"timeout">((resolve) =>
      setTimeout(() => resolve("timeout"), SHUTDOWN_TIMEOUT_MS)
    );
    if (await Promise.race([drained, timeout]) === "timeout") {
      log.warn("server.shutdown_timeout", { ms: SHUTDOWN_TIMEOUT_MS });
      Deno.exit(0);
    }
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => void shutdown());
    } catch {
      // Signals are not available everywhere (e.g. Deno Deploy).
    }
  }
  await server.finished;
  log.info("server.stopped", {});
}

if (import.meta.main) {
  await start(manifest);
  Deno.exit(0);
}
