/**
 * What the player needs to know about P2P, decided on the server from the
 * environment and handed to the island as props: whether P2P is on, which
 * tracker and ICE servers to use, and p2p-media-loader tuning.
 * @module
 */
import { envBoolean, type EnvReader } from "../utils/env.ts";
import { localityEnabled } from "./near_peers.ts";

/** An ICE server, as `RTCIceServer` (TURN credentials included). */
export interface IceServer {
  /** `stun:` / `turn:` URL(s). */
  urls: string | string[];
  /** TURN user name. */
  username?: string;
  /** TURN credential. */
  credential?: string;
}

/**
 * The p2p-media-loader core options an operator may tune (see its
 * `StreamConfig`; time windows in seconds, timeouts in ms).
 */
export interface CoreTuning {
  /** Seconds ahead of the playhead that must be loaded now (HTTP if no peer has it). */
  highDemandTimeWindow?: number;
  /** Seconds ahead fetched over HTTP to seed the swarm when peers lack them. */
  httpDownloadTimeWindow?: number;
  /** Seconds ahead fetched from peers. */
  p2pDownloadTimeWindow?: number;
  /** Parallel HTTP downloads. */
  simultaneousHttpDownloads?: number;
  /** Parallel P2P downloads. */
  simultaneousP2PDownloads?: number;
  /** ms to hold HTTP back at start so peers can serve the first segments. */
  httpDownloadInitialTimeoutMs?: number;
  /** ms without bytes before a P2P download is given up. */
  p2pNotReceivingBytesTimeoutMs?: number;
  /** ms without bytes before an HTTP download is given up (and resumed with a `Range` request). */
  httpNotReceivingBytesTimeoutMs?: number;
  /** MiB of segments kept in memory for sharing. */
  segmentMemoryStorageLimit?: number;
}

const TUNING_KEYS: ReadonlyArray<keyof CoreTuning> = [
  "highDemandTimeWindow",
  "httpDownloadTimeWindow",
  "p2pDownloadTimeWindow",
  "simultaneousHttpDownloads",
  "simultaneousP2PDownloads",
  "httpDownloadInitialTimeoutMs",
  "p2pNotReceivingBytesTimeoutMs",
  "httpNotReceivingBytesTimeoutMs",
  "segmentMemoryStorageLimit",
];

/** P2P settings for the player island. */
export interface PlayerP2PConfig {
  /** P2P for this deployment; `false` plays HTTP only. */
  enabled: boolean;
  /** Tracker WebSocket URL; `null` means this site's `/tracker/ws`. */
  trackerUrl: string | null;
  /** ICE servers for WebRTC (a page's minted TURN credentials are added to these). */
  iceServers: IceServer[];
  /**
   * Privacy mode (`P2P_RELAY_ONLY`): every P2P byte goes through the TURN
   * relay (`iceTransportPolicy: "relay"`), so viewers never learn each
   * other's addresses.
   */
  relayOnly: boolean;
  /**
   * Upload on mobile data, with Data Saver or on a low battery unless the
   * viewer says no (`P2P_UPLOAD_ON_METERED`); by default those viewers
   * download from peers but upload only if they opt in.
   */
  uploadOnMetered: boolean;
  /** p2p-media-loader tuning for VOD. */
  core: CoreTuning;
  /** Tuning applied once the player sees a live playlist (its windows fit a sliding playlist). */
  liveCore: CoreTuning;
  /** How often players report their figures to `/api/stats/report` (ms); 0 turns reporting off. */
  reportIntervalMs: number;
  /**
   * How P2P players choose their rendition (`P2P_ABR`): `p2p` (the
   * default) with the swarm in mind (player/p2p_abr.ts), `stock` as hls.js
   * alone would.
   */
  abr: "p2p" | "stock";
  /**
   * Nearby peers first (`LOCALITY`, on by default): a player with enough
   * near links closes its links to far peers (player/near_first.ts).
   */
  nearFirst: boolean;
}

/** The public STUN servers RedFlix documents. */
export const DEFAULT_ICE_SERVERS: IceServer[] = [
  { urls: "stun:stun.l.google.com:19302" },
  { urls: "stun:global.stun.twilio.com:3478" },
];

/**
 * One HTTP download at a time, as hls.js fetches alone: two share the line,
 * so the more urgent one arrives later, and each fetch's time (which sets
 * the high-demand window and the quality) reads as half the line's speed.
 */
const ONE_HTTP_DOWNLOAD: CoreTuning = { simultaneousHttpDownloads: 1 };

/**
 * Default VOD tuning, measured with `deno task swarm --network fiber`
 * (docs/performance.md): peers fetch up to 60 s ahead, HTTP seeds (at
 * random, what no peer has) up to 30 s ahead; the high-demand window is
 * left to pacing (player/p2p_pacing.ts). The loopback-tuned windows of
 * 3000 / 6000 s let joiners seed far-ahead segments over HTTP at random:
 * 2.3 copies for 6 fiber viewers, against 1.3 for 4 with these.
 */
export const DEFAULT_CORE_TUNING: CoreTuning = {
  httpDownloadTimeWindow: 30,
  p2pDownloadTimeWindow: 60,
  ...ONE_HTTP_DOWNLOAD,
  simultaneousP2PDownloads: 3,
};

/**
 * Default live tuning: a live playlist holds a few segments near the edge,
 * so the time windows shrink to what exists (measured with `deno task swarm`).
 */
export const DEFAULT_LIVE_CORE_TUNING: CoreTuning = {
  // One player per neighbourhood brings each new segment in at once; the
  // others sit two segments further back and ask peers for it in turns
  // (player/live_role.ts sets their P2P windows). Random early HTTP fetches
  // (5 s window) still seed a segment nobody brought.
  httpDownloadTimeWindow: 5,
  ...ONE_HTTP_DOWNLOAD,
  simultaneousP2PDownloads: 3,
};

function parseJson(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw new TypeError(
      `Invalid ${name}: not JSON (${(error as Error).message})`,
    );
  }
}

/** Validate `ICE_SERVERS`: a JSON array of RTCIceServer. */
export function parseIceServers(raw: string): IceServer[] {
  const value = parseJson("ICE_SERVERS", raw);
  if (!Array.isArray(value)) {
    throw new TypeError("Invalid ICE_SERVERS: expected a JSON array");
  }
  return value.map((item, i) => {
    if (typeof item !== "object" || item === null) {
      throw new TypeError(`Invalid ICE_SERVERS[${i}]: expected an object`);
    }
    const { urls, username, credential } = item as Record<string, unknown>;
    const list = Array.isArray(urls) ? urls : [urls];
    if (
      list.length === 0 ||
      !list.every((u) => typeof u === "string" && /^(stuns?|turns?):/.test(u))
    ) {
      throw new TypeError(
        `Invalid ICE_SERVERS[${i}].urls: expected stun:/turn: URL(s)`,
      );
    }
    const server: IceServer = { urls: urls as string | string[] };
    if (username !== undefined) {
      if (typeof username !== "string") {
        throw new TypeError(`Invalid ICE_SERVERS[${i}].username`);
      }
      server.username = username;
    }
    if (credential !== undefined) {
      if (typeof credential !== "string") {
        throw new TypeError(`Invalid ICE_SERVERS[${i}].credential`);
      }
      server.credential = credential;
    }
    return server;
  });
}

/** Validate `P2P_CORE_OPTIONS`: a JSON object of {@linkcode CoreTuning} numbers. */
export function parseCoreTuning(
  raw: string,
  name = "P2P_CORE_OPTIONS",
): CoreTuning {
  const value = parseJson(name, raw);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Invalid ${name}: expected a JSON object`);
  }
  const tuning: CoreTuning = {};
  for (const [key, option] of Object.entries(value)) {
    if (!TUNING_KEYS.includes(key as keyof CoreTuning)) {
      throw new TypeError(
        `Invalid ${name}: unknown option "${key}" (known: ${
          TUNING_KEYS.join(", ")
        })`,
      );
    }
    if (typeof option !== "number" || !Number.isFinite(option) || option < 0) {
      throw new RangeError(
        `Invalid ${name}.${key}: expected a non-negative number`,
      );
    }
    tuning[key as keyof CoreTuning] = option;
  }
  return tuning;
}

function reportInterval(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 10_000;
  const value = Number(raw);
  if (
    !Number.isInteger(value) ||
    (value !== 0 && (value < 2000 || value > 300_000))
  ) {
    throw new RangeError(
      `Invalid STATS_REPORT_INTERVAL_MS: expected 0 or 2000-300000, got "${raw}"`,
    );
  }
  return value;
}

/** Settings that no longer exist, and what replaced them. */
const REMOVED_SETTINGS: Record<string, string> = {
  P2P_JOIN_WAIT_MS:
    "a joiner's wait for peers now follows what it measures (docs/performance.md)",
};

/**
 * Read the player's P2P settings from the environment. A removed setting
 * still set is reported through `warn`, so an operator learns it is ignored.
 */
export function p2pConfigFromEnv(
  env: EnvReader,
  warn: (message: string) => void = console.warn,
): PlayerP2PConfig {
  for (const [name, replacement] of Object.entries(REMOVED_SETTINGS)) {
    if (env(name) !== undefined) {
      warn(`${name} is no longer used and is ignored: ${replacement}`);
    }
  }
  const enabled = envBoolean(env, "P2P_ENABLED", true);
  const trackerUrl = env("P2P_TRACKER_URL") || null;
  if (trackerUrl && !/^wss?:\/\//.test(trackerUrl)) {
    throw new TypeError(
      `Invalid P2P_TRACKER_URL: expected a ws:// or wss:// URL, got "${trackerUrl}"`,
    );
  }
  const ice = env("ICE_SERVERS");
  const core = env("P2P_CORE_OPTIONS");
  const liveCore = env("P2P_LIVE_CORE_OPTIONS");
  return {
    enabled,
    relayOnly: envBoolean(env, "P2P_RELAY_ONLY", false),
    uploadOnMetered: envBoolean(env, "P2P_UPLOAD_ON_METERED", false),
    trackerUrl,
    iceServers: ice ? parseIceServers(ice) : DEFAULT_ICE_SERVERS,
    core: { ...DEFAULT_CORE_TUNING, ...(core ? parseCoreTuning(core) : {}) },
    liveCore: {
      ...DEFAULT_LIVE_CORE_TUNING,
      ...(liveCore ? parseCoreTuning(liveCore, "P2P_LIVE_CORE_OPTIONS") : {}),
    },
    reportIntervalMs: reportInterval(env("STATS_REPORT_INTERVAL_MS")),
    abr: abrMode(env("P2P_ABR")),
    nearFirst: localityEnabled(env),
  };
}

function abrMode(raw: string | undefined): "p2p" | "stock" {
  const value = raw?.trim().toLowerCase() || "p2p";
  if (value !== "p2p" && value !== "stock") {
    throw new TypeError(`Invalid P2P_ABR: expected p2p or stock, got "${raw}"`);
  }
  return value;
}
