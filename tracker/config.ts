/**
 * Tracker configuration from the environment, with sane defaults and clear
 * errors for bad values.
 * @module
 */
import { envInteger, type EnvReader } from "../utils/env.ts";
import { log } from "../utils/log.ts";
import { DEFAULT_LOCALITY_CONFIG, type LocalityConfig } from "./locality.ts";
import { localityEnabled } from "../p2p/near_peers.ts";
import { LocalityTable } from "./locality_table.ts";
import { PAIRING_HOLD_MS } from "./offers.ts";

/** How the tracker behaves. */
export interface TrackerConfig {
  /** Seconds between a client's announces (sent as `interval`). */
  announceIntervalS: number;
  /** Peers that do not announce for this long are dropped (ms). */
  peerTimeoutMs: number;
  /** Most peers an announce's offers are relayed to. */
  maxNumwant: number;
  /** Most offers read from one announce. */
  maxOffers: number;
  /** Largest accepted text frame, in characters; larger closes the socket. */
  maxMessageSize: number;
  /** Largest SDP in an offer or answer, in characters. */
  maxSdpLength: number;
  /** Most info_hashes in one scrape. */
  maxScrape: number;
  /** Most peer ids in a simple-API `peers` reply. */
  maxPeersListed: number;
  /** Seconds of silence before the server pings a socket (keep-alive). */
  idleTimeoutS: number;
  /** Origins allowed to open the WebSocket; empty allows any. */
  allowedOrigins: string[];
  /** Messages per second a connection may send on average. */
  messagesPerSecond: number;
  /** Messages a connection may send in a burst. */
  messageBurst: number;
  /** Open connections allowed from one IP address. */
  maxConnectionsPerIp: number;
  /** Swarms one connection may be in. */
  maxSwarmsPerConnection: number;
  /** Peers in one swarm. */
  maxPeersPerSwarm: number;
  /** Peers in all swarms. */
  maxPeers: number;
  /** Bytes queued for a client before it is dropped as too slow. */
  maxBufferedBytes: number;
  /**
   * Two peers that exchanged an offer are not relayed another either way
   * for this long (ms), while they connect.
   */
  pairingHoldMs: number;
  /** How offers go to nearby peers first (`LOCALITY`…). */
  locality: LocalityConfig;
}

/** The defaults. */
export const DEFAULT_TRACKER_CONFIG: Readonly<TrackerConfig> = {
  announceIntervalS: 20,
  peerTimeoutMs: 60_000,
  maxNumwant: 10,
  maxOffers: 10,
  maxMessageSize: 64 * 1024,
  maxSdpLength: 16 * 1024,
  maxScrape: 255,
  maxPeersListed: 50,
  idleTimeoutS: 30,
  allowedOrigins: [],
  messagesPerSecond: 10,
  messageBurst: 40,
  maxConnectionsPerIp: 64,
  maxSwarmsPerConnection: 10,
  maxPeersPerSwarm: 50_000,
  maxPeers: 200_000,
  maxBufferedBytes: 1024 * 1024,
  pairingHoldMs: PAIRING_HOLD_MS,
  locality: DEFAULT_LOCALITY_CONFIG,
};

/** The environment variable behind each numeric setting. */
export const TRACKER_ENV = {
  announceIntervalS: "TRACKER_ANNOUNCE_INTERVAL",
  peerTimeoutMs: "TRACKER_PEER_TIMEOUT",
  maxNumwant: "TRACKER_MAX_NUMWANT",
  maxOffers: "TRACKER_MAX_OFFERS",
  maxMessageSize: "TRACKER_MAX_MESSAGE_SIZE",
  idleTimeoutS: "TRACKER_IDLE_TIMEOUT",
  messagesPerSecond: "TRACKER_MESSAGES_PER_SECOND",
  messageBurst: "TRACKER_MESSAGE_BURST",
  maxConnectionsPerIp: "TRACKER_MAX_CONNECTIONS_PER_IP",
  maxSwarmsPerConnection: "TRACKER_MAX_SWARMS_PER_CONNECTION",
  maxPeersPerSwarm: "TRACKER_MAX_PEERS_PER_SWARM",
  maxPeers: "TRACKER_MAX_PEERS",
  maxBufferedBytes: "TRACKER_MAX_BUFFERED_BYTES",
  pairingHoldMs: "TRACKER_PAIRING_HOLD",
} as const;

/**
 * Read the tracker's configuration. Times are given in seconds.
 *
 * @example
 * ```ts
 * const config = trackerConfigFromEnv((name) => Deno.env.get(name));
 * ```
 * @throws {RangeError} for a malformed value, or an interval that would let
 * live peers time out.
 */
export function trackerConfigFromEnv(env: EnvReader): TrackerConfig {
  const d = DEFAULT_TRACKER_CONFIG;
  const config: TrackerConfig = {
    ...d,
    allowedOrigins: (env("ALLOWED_ORIGINS") ?? "").split(",")
      .map((origin) => origin.trim().replace(/\/$/, "")).filter(Boolean),
    locality: localityConfigFromEnv(env),
  };
  for (
    const [key, name] of Object.entries(TRACKER_ENV) as [
      keyof typeof TRACKER_ENV,
      string,
    ][]
  ) {
    const scale = key.endsWith("Ms") ? 1000 : 1; // given in seconds, kept in ms
    config[key] = envInteger(env, name, {
      fallback: d[key] / scale,
      min: key === "pairingHoldMs" ? 0 : 1, // 0 turns the hold off
    }) * scale;
  }
  // A live client announces every interval; two missed announces may pass before it is dropped.
  if (config.announceIntervalS * 2 * 1000 > config.peerTimeoutMs) {
    throw new RangeError(
      `Invalid ${TRACKER_ENV.announceIntervalS}: ${config.announceIntervalS} s must be at most half of ${TRACKER_ENV.peerTimeoutMs} (${
        config.peerTimeoutMs / 1000
      } s)`,
    );
  }
  return config;
}

/** Bad lines of a locality file logged one by one, at most. */
const MAX_LOGGED_PROBLEMS = 20;

/**
 * Read the locality settings: `LOCALITY` (`on`/`off`, on by default),
 * `LOCALITY_RANDOM_SHARE` (0–1, 0.25), `PEER_LOCALITY_FILE` (a `cidr,network,region`
 * CSV, read now; bad lines are logged with `file:line` and skipped) and
 * `PEER_REGION_HEADER` (a request header the platform sets, off by default).
 *
 * @throws {RangeError} for a bad share, or a file that cannot be read.
 */
export function localityConfigFromEnv(
  env: EnvReader,
  readTextFile: (path: string) => string = Deno.readTextFileSync,
): LocalityConfig {
  const enabled = localityEnabled(env);
  if (!enabled) return { ...DEFAULT_LOCALITY_CONFIG, enabled };
  const shareText = env("LOCALITY_RANDOM_SHARE")?.trim();
  const randomShare = shareText
    ? Number(shareText)
    : DEFAULT_LOCALITY_CONFIG.randomShare;
  if (!Number.isFinite(randomShare) || randomShare < 0 || randomShare > 1) {
    throw new RangeError(
      `Invalid LOCALITY_RANDOM_SHARE: expected a number from 0 to 1, got "${shareText}"`,
    );
  }
  const config: LocalityConfig = { enabled, randomShare };
  const header = env("PEER_REGION_HEADER")?.trim().toLowerCase();
  if (header) {
    if (!/^[a-z0-9-]{1,64}$/.test(header)) {
      throw new RangeError(
        `Invalid PEER_REGION_HEADER: "${header}" is not a header name`,
      );
    }
    config.regionHeader = header;
  }
  const file = env("PEER_LOCALITY_FILE")?.trim();
  if (file) {
    let text: string;
    try {
      text = readTextFile(file);
    } catch (error) {
      throw new RangeError(
        `Invalid PEER_LOCALITY_FILE: cannot read ${file} (${
          (error as Error).message
        })`,
      );
    }
    const table = LocalityTable.parse(text, file);
    for (const problem of table.problems.slice(0, MAX_LOGGED_PROBLEMS)) {
      log.warn("locality.line_skipped", { ...problem });
    }
    log.info("locality.loaded", {
      file,
      ranges: table.size,
      skipped: table.problems.length,
    });
    config.table = table;
  }
  return config;
}
