/**
 * Program guide settings: extra XMLTV URLs (`EPG_URL`; the catalog's own
 * `x-tvg-url` is read too), how often they are fetched, how large one may
 * be, and the time zone pages show times in before the browser's own.
 * @module
 */
import { envInteger, type EnvReader } from "../utils/env.ts";

/** Program guide settings. */
export interface GuideConfig {
  /** XMLTV URLs besides the catalog's `x-tvg-url`. */
  urls: string[];
  /** Minutes between refreshes. */
  refreshMinutes: number;
  /** Largest guide, decompressed (bytes). */
  maxBytes: number;
  /** Longest download of one guide (ms). */
  timeoutMs: number;
  /** IANA time zone of times rendered on the server (the browser then uses its own). */
  timeZone: string;
}

/** Defaults: refresh every 6 h, guides up to 64 MB, times in São Paulo. */
export const DEFAULT_GUIDE_CONFIG: GuideConfig = {
  urls: [],
  refreshMinutes: 360,
  maxBytes: 64 * 1024 * 1024,
  timeoutMs: 120_000,
  timeZone: "America/Sao_Paulo",
};

/** Read `EPG_URL`, `EPG_REFRESH_MINUTES`, `EPG_MAX_MB` and `GUIDE_TIME_ZONE`. */
export function guideConfigFromEnv(env: EnvReader): GuideConfig {
  const urls = (env("EPG_URL") ?? "").split(",").map((url) => url.trim())
    .filter(Boolean);
  for (const url of urls) {
    if (!/^https?:\/\/\S+$/i.test(url)) {
      throw new TypeError(
        `Invalid EPG_URL: expected http(s) URLs, got "${url.slice(0, 80)}"`,
      );
    }
  }
  const timeZone = env("GUIDE_TIME_ZONE") || DEFAULT_GUIDE_CONFIG.timeZone;
  try {
    new Intl.DateTimeFormat("en", { timeZone });
  } catch {
    throw new RangeError(
      `Invalid GUIDE_TIME_ZONE: "${timeZone}" is not an IANA time zone`,
    );
  }
  return {
    urls,
    refreshMinutes: envInteger(env, "EPG_REFRESH_MINUTES", {
      fallback: DEFAULT_GUIDE_CONFIG.refreshMinutes,
      min: 5,
      max: 10_080,
    }),
    maxBytes:
      envInteger(env, "EPG_MAX_MB", { fallback: 64, min: 1, max: 1024 }) *
      1024 * 1024,
    timeoutMs: DEFAULT_GUIDE_CONFIG.timeoutMs,
    timeZone,
  };
}
