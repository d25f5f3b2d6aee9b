/**
 * Builds the app: catalog, analytics, tracker, routes, and the gate every
 * request passes. Tests serve its handler on an ephemeral port; `main.ts`
 * serves it on `PORT`.
 * @module
 */
import { type Catalog, loadCatalog } from "../channels/catalog.ts";
import { watchCatalog } from "../channels/catalog_reload.ts";
import { GuideService, type GuideSource } from "../channels/guide_service.ts";
import { DEFAULT_GUIDE_CONFIG } from "../channels/guide_config.ts";
import { DEFAULT_CHANNELS, DEMO_GUIDE_PATH } from "../channels/default.ts";
import { DEFAULT_LOCALE, messages } from "../i18n/mod.ts";
import { type AppHandler, createHandler } from "../runtime/server.ts";
import type { Manifest } from "../runtime/types.ts";
import { p2pConfigFromEnv } from "../p2p/config.ts";
import { TurnCredentials } from "../p2p/turn.ts";
import { LiveSources } from "../live/source.ts";
import { Aggregator } from "../analytics/aggregator.ts";
import {
  type AnalyticsConfig,
  createAnalyticsStore,
  MEMORY_ANALYTICS,
} from "../analytics/config.ts";
import { SessionIssuer, SessionTokens } from "../analytics/session_token.ts";
import { newSecret } from "../analytics/store.ts";
import { KeyedRateLimiter } from "../utils/rate_limit.ts";
import { DEFAULT_TRACKER_CONFIG, Tracker } from "../tracker/mod.ts";
import { createBackend } from "../tracker/cluster/mod.ts";
import { log } from "../utils/log.ts";
import { withSecurityHeaders } from "../utils/security.ts";
import { TRUST_NO_PROXY } from "../utils/client_address.ts";
import { RequestGate } from "../utils/request_gate.ts";
import { type AppConfig, DEFAULT_MAX_REQUESTS_PER_ADDRESS } from "./config.ts";
import type { AppState } from "./state.ts";

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
    peakBitrateOf: (id) => state.catalog.peakBitrate(id),
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
    summaryExtra: () => ({ reportingViewers: analytics.reportingViewers() }),
    cluster: config.cluster &&
      createBackend(config.cluster, {
        peerTimeoutMs,
        // Instances see each other's summaries within a quarter of the timeout.
        heartbeatMs: Math.min(5000, peerTimeoutMs / 4),
      }),
  });
  await tracker.start(); // waits a few seconds at most for a cluster engine
  const guideConfig = { ...DEFAULT_GUIDE_CONFIG, ...config.guide };
  const guideSources = (of: Catalog): GuideSource[] => [
    ...[...of.guideUrls, ...guideConfig.urls].map((url) => ({ url })),
    // The embedded catalog's sample guide: one day that repeats.
    ...(of.channels === DEFAULT_CHANNELS
      ? [{ url: DEMO_GUIDE_PATH, repeatsDaily: true }]
      : []),
  ];
  const guide = new GuideService(
    guideSources(catalog),
    catalog.channels,
    {
      fetcher: (url, signal) =>
        url.startsWith("/")
          ? routes(new Request(new URL(url, "http://localhost")))
          : config.fetchRemote
          ? config.fetchRemote(url)
          : fetch(url, { signal }),
      limits: guideConfig,
    },
  );
  const defaults = p2pConfigFromEnv(() => undefined);
  const state: AppState = {
    catalog,
    guide,
    timeZone: guideConfig.timeZone,
    tracker,
    p2p: {
      ...defaults,
      ...config.p2p,
      core: { ...defaults.core, ...config.p2p?.core },
      liveCore: { ...defaults.liveCore, ...config.p2p?.liveCore },
    },
    analytics,
    sessions,
    turn: config.turn && await TurnCredentials.create(config.turn),
    // Players report every few seconds: 2 per second per address, bursts of 20 (households, NAT).
    reportLimiter: new KeyedRateLimiter(2, 20),
    live: new LiveSources(new URL("../static/media/", import.meta.url), {
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
  guide.start(guideConfig.refreshMinutes);
  const probe = (target: Catalog) =>
    target.probe({
      fetcher: (url) =>
        url.startsWith("/")
          ? routes(new Request(new URL(url, "http://localhost")))
          : fetchRemote(url),
      allowPrivate: config.probeAllowPrivate,
    });
  const probed = probe(catalog);
  // A changed CHANNELS_FILE (or SIGHUP) is served without a restart.
  const stopWatching = config.channelsFile && config.watchCatalog !== false
    ? watchCatalog(config.channelsFile, () => state.catalog, (next) => {
      state.catalog = next;
      guide.setSources(guideSources(next), next.channels);
      probe(next);
    })
    : () => {};
  return {
    handler: gate.wrap(routes),
    probed,
    gate,
    async shutdown(timeoutMs) {
      stopWatching();
      guide.stop();
      const drained = gate.drain(timeoutMs);
      await tracker.close(); // clients reconnect by themselves, to another instance if there is one
      const finished = await drained;
      await analytics.close(); // what the last requests counted reaches the store
      return finished;
    },
    async close() {
      stopWatching();
      guide.stop();
      await tracker.close();
      await analytics.close();
    },
  };
}
