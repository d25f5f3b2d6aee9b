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
import {
  type AnalyticsConfig,
  analyticsConfigFromEnv,
  createAnalyticsStore,
  MEMORY_ANALYTICS,
} from "./analytics/config.ts";
import { SessionIssuer, SessionTokens } from "./analytics/session_token.ts";
import { newSecret } from "./analytics/store.ts";
import { KeyedRateLimiter } from "./utils/rate_limit.ts";
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
import {
  parseTrustProxy,
  TRUST_NO_PROXY,
  type TrustProxy,
} from "./utils/client_address.ts";
import { envInteger } from "./utils/env.ts";
import { RequestGate } from "./utils/request_gate.ts";
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
}

/** Requests one address may have open at once, by default. */
export const DEFAULT_MAX_REQUESTS_PER_ADDRESS = 256;

/** A ready app: its handler and the services behind it. */
export interface App {
  /** The request handler. */
  handler: AppHandler;
  /** Resolves once every channel was probed for live or VOD (start-up does not wait). */
  probed: Promise<void>;
  /** The gate every request passes: per-address caps, draining on shutdown. */
  gate: RequestGate;
  /**
   * A graceful stop within `timeoutMs`: refuse new requests (503), close
   * tracker sockets with 1001, let requests in flight finish (players' last
   * reports), then flush the figures. `false` if requests were still open
   * at the deadline.
   */
  shutdown(timeoutMs: number): Promise<boolean>;
  /** Release timers and sockets. */
  close(): Promise<void>;
}

/** Read the app's configuration from the environment. */
export function configFromEnv(): AppConfig {
  const env = (name: string) => Deno.env.get(name);
  return {
    channelsFile: env("CHANNELS_FILE") || undefined,
    frameAncestors: env("FRAME_ANCESTORS") || undefined,
    trustProxy: parseTrustProxy(env("TRUST_PROXY")),
    maxRequestsPerAddress: envInteger(env, "HTTP_MAX_REQUESTS_PER_IP", {
      fallback: DEFAULT_MAX_REQUESTS_PER_ADDRESS,
    }),
    tracker: trackerConfigFromEnv(env),
    cluster: clusterConfigFromEnv(env),
    p2p: p2pConfigFromEnv(env),
    analyticsConfig: analyticsConfigFromEnv(env),
    probeAllowPrivate: ["1", "true"].includes(env("PROBE_ALLOW_PRIVATE") ?? ""),
  };
}

/** The secret of session tokens: configured, else shared through the store. */
async function sessionSecret(
  config: AnalyticsConfig,
  store: { secret(): Promise<string>; kind: string },
): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;
  try {
    return await store.secret();
  } catch (error) {
    log.error("analytics.secret_unavailable", {
      store: store.kind,
      error: String(error),
      fallback:
        "a secret of this process: reports to other instances are refused until restart",
    });
    return newSecret();
  }
}

/** Build the app: catalog, tracker and routes. */
export async function createApp(
  appManifest: Manifest,
  config: AppConfig = {},
): Promise<App> {
  const catalog = await loadCatalog(config.channelsFile);
  const peerTimeoutMs = config.tracker?.peerTimeoutMs ??
    DEFAULT_TRACKER_CONFIG.peerTimeoutMs;
  const analyticsConfig = config.analyticsConfig ?? MEMORY_ANALYTICS;
  const bucketMs = config.analytics?.bucketMs ?? 60_000;
  const store = config.analytics?.store ??
    await createAnalyticsStore(analyticsConfig, config.cluster, {
      bucketMs,
      keepMs: bucketMs * (config.analytics?.bucketCount ?? 180),
    });
  const analytics = new Aggregator({
    maxSessionsPerAddress: analyticsConfig.sessionsPerAddress,
    peakBitrateOf: (id) => catalog.peakBitrate(id),
    ...config.analytics,
    store,
  });
  analytics.start();
  const sessions = new SessionIssuer(
    await SessionTokens.create(await sessionSecret(analyticsConfig, store)),
    // Page views per address: a household zapping is fine, a loop is not.
    { perMinute: 6, burst: 12 },
  );
  const tracker = new Tracker({
    config: config.tracker,
    // Other instances add this instance's viewers to theirs.
    summaryExtra: () => ({ viewers: analytics.viewerCounts() }),
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
    sessions,
    // Players report every few seconds: 2 per second per address, bursts of 20 (households, NAT).
    reportLimiter: new KeyedRateLimiter(2, 20),
    live: new LiveSources(new URL("./static/media/", import.meta.url), {
      clock: config.liveClock,
    }),
    locale: DEFAULT_LOCALE,
    t: messages(DEFAULT_LOCALE),
  };
  const routes = withSecurityHeaders(
    createHandler(appManifest, { state, buildDir: config.buildDir }),
    { frameAncestors: config.frameAncestors },
  );
  const gate = new RequestGate({
    trustProxy: config.trustProxy ?? TRUST_NO_PROXY,
    maxRequestsPerAddress: config.maxRequestsPerAddress ??
      DEFAULT_MAX_REQUESTS_PER_ADDRESS,
  });
  // Site paths (/media/…, /live/…) are answered by this app itself; the rest is fetched.
  const fetchRemote = config.fetchRemote ??
    ((url: string) =>
      fetch(url, { signal: AbortSignal.timeout(5000), redirect: "manual" }));
  const probed = catalog.probe({
    fetcher: (url) =>
      url.startsWith("/")
        ? routes(new Request(new URL(url, "http://localhost")))
        : fetchRemote(url),
    allowPrivate: config.probeAllowPrivate,
  });
  return {
    handler: gate.wrap(routes),
    probed,
    gate,
    async shutdown(timeoutMs) {
      const drained = gate.drain(timeoutMs);
      await tracker.close(); // clients reconnect by themselves, to another instance if there is one
      const finished = await drained;
      await analytics.close(); // what the last requests counted reaches the store
      return finished;
    },
    async close() {
      await tracker.close();
      await analytics.close();
    },
  };
}

/** Options of {@linkcode start}. */
export interface StartOptions extends AppConfig {
  /** TCP port; `PORT` or 8000. */
  port?: number;
  /** Interface to listen on; `HOSTNAME` or all interfaces. */
  hostname?: string;
  /** Longest a graceful shutdown may take (`SHUTDOWN_TIMEOUT`, seconds); then exit 1. */
  shutdownTimeoutMs?: number;
}

/** Longest a graceful shutdown may take by default before the process exits anyway (code 1). */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Exit codes follow the shell's convention: 128 + the signal's number. */
const SIGNAL_NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

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
  const timeoutMs = options.shutdownTimeoutMs ??
    envInteger((name) => Deno.env.get(name), "SHUTDOWN_TIMEOUT", {
        fallback: SHUTDOWN_TIMEOUT_MS / 1000,
        max: 3600,
      }) * 1000;
  let stopping = false;
  const shutdown = async (signal: keyof typeof SIGNAL_NUMBERS) => {
    if (stopping) {
      // A second signal: the operator wants out now.
      log.warn("server.forced_exit", { signal, open: app.gate.open });
      Deno.exit(128 + SIGNAL_NUMBERS[signal]);
    }
    stopping = true;
    log.info("server.stopping", { signal });
    const deadline = Date.now() + timeoutMs;
    const bounded = <T>(work: Promise<T>) =>
      Promise.race([
        work,
        new Promise<false>((resolve) =>
          setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))
        ),
      ]);
    const finished = await bounded(app.shutdown(timeoutMs)) &&
      await bounded(server.shutdown().then(() => true));
    if (!finished) {
      log.warn("server.shutdown_timeout", {
        ms: timeoutMs,
        open: app.gate.open,
      });
      Deno.exit(1);
    }
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    try {
      Deno.addSignalListener(signal, () => void shutdown(signal));
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
