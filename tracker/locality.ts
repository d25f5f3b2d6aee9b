/**
 * Where a peer sits on the network, as the tracker may know it: the keys by
 * which it matches viewers that are near each other (same network prefix,
 * same network or region from the operator's locality table, same region
 * from a trusted platform header). A peer's keys travel with it inside the
 * tracker and the cluster engine; they never reach other peers or a public
 * route (only counts do).
 * @module
 */
import { type IpBytes, maskIp, parseIp } from "../utils/ip.ts";
import type { LocalityTable } from "./locality_table.ts";
import { uploadsOf } from "../p2p/peer_id.ts";
import { NEAR_ENOUGH } from "../p2p/near_peers.ts";

/**
 * A peer's locality keys, nearest first: `p:` its /24 (IPv4) or /48 (IPv6),
 * `n:` its network and `r:` its region from the locality table, `h:` its
 * region from the platform's header. Empty when locality is off or nothing
 * is known.
 */
export type LocalityKeys = readonly string[];

/** No keys: random choice, as without locality. */
export const NO_LOCALITY: LocalityKeys = Object.freeze([]);

/** How the tracker matches viewers by locality. */
export interface LocalityConfig {
  /** `LOCALITY=off` restores a purely random choice. */
  enabled: boolean;
  /**
   * Share of each announce's offers that still go to random peers of the
   * swarm, so it never splits into islands (`LOCALITY_RANDOM_SHARE`).
   */
  randomShare: number;
  /** The operator's `cidr,network,region` table (`PEER_LOCALITY_FILE`). */
  table?: LocalityTable;
  /** A trusted request header naming the client's region (`PEER_REGION_HEADER`), lower-case. */
  regionHeader?: string;
}

/** Locality on, a quarter of offers random, no table, no header. */
export const DEFAULT_LOCALITY_CONFIG: Readonly<LocalityConfig> = {
  enabled: true,
  randomShare: 0.25,
};

/** Longest region name taken from a header. */
const MAX_REGION_LENGTH = 64;

/** The network prefix key of an address: its /24 (IPv4) or /48 (IPv6). */
export function prefixKey(address: IpBytes): string {
  if (address.length === 4) {
    return `p:${address[0]}.${address[1]}.${address[2]}`;
  }
  const masked = maskIp(address, 48);
  let hex = "";
  for (let i = 0; i < 6; i++) hex += masked[i]!.toString(16).padStart(2, "0");
  return `p:${hex}`;
}

/**
 * The keys of a client at `address` (as `TRUST_PROXY` resolved it) whose
 * trusted region header said `headerRegion`.
 *
 * @example
 * ```ts
 * localityKeys("198.51.100.7", undefined, DEFAULT_LOCALITY_CONFIG);
 * // ["p:198.51.100"]
 * ```
 */
export function localityKeys(
  address: string | undefined,
  headerRegion: string | undefined,
  config: LocalityConfig,
): LocalityKeys {
  if (!config.enabled) return NO_LOCALITY;
  const keys: string[] = [];
  const bytes = address === undefined ? undefined : parseIp(address);
  if (bytes) {
    keys.push(prefixKey(bytes));
    const entry = config.table?.lookup(bytes);
    if (entry?.network) keys.push(`n:${entry.network}`);
    if (entry?.region) keys.push(`r:${entry.region}`);
  }
  const region = headerRegion?.trim();
  if (
    config.regionHeader && region && region.length <= MAX_REGION_LENGTH &&
    // deno-lint-ignore no-control-regex
    !/[\u0000-\u001f\u007f]/.test(region)
  ) {
    keys.push(`h:${region}`);
  }
  return keys.length ? Object.freeze(keys) : NO_LOCALITY;
}

/** What a key says about two peers that share it, for the stats. */
export type LocalityLevel = "prefix" | "network" | "region";

/** The level of a key (`p:` prefix, `n:` network, `r:`/`h:` region). */
export function levelOf(key: string): LocalityLevel {
  return key.startsWith("p:")
    ? "prefix"
    : key.startsWith("n:")
    ? "network"
    : "region";
}

/**
 * How many of `count` picks go to near peers first, the rest being drawn
 * from the whole swarm: `randomShare` of them on average (rounded at
 * random). One rule for the single instance and every backend.
 */
export function nearQuota(
  count: number,
  randomShare: number | undefined,
  random: () => number = Math.random,
): number {
  if (randomShare === undefined || count <= 0) return 0;
  return count - Math.min(count, Math.floor(count * randomShare + random()));
}

/**
 * Whether a peer is offered to its neighbours as a near peer: not when its
 * id says its player does not upload (a phone on mobile data, by default).
 * Near first means near sources first: a 4G carrier's viewers often share a
 * /24 behind its NAT, and without this their download-only neighbours would
 * fill each other's near offers and, once there are two, keep their
 * re-announces from reaching anyone who can serve them. Such a peer still
 * gets near sources itself, and anyone can still draw it at random.
 *
 * @example
 * ```ts
 * listedNear("-PM0203-1xYs5Md0abcd"); // false: "d", download only
 * listedNear("-WW0100-abcdefghijkl"); // true: another client says nothing
 * ```
 */
export function listedNear(peerId: string): boolean {
  return uploadsOf(peerId) !== false;
}

/**
 * How many near peers a pick of `count` takes before the rest of the swarm:
 * on a first announce its near `quota` (the random share goes to anyone);
 * on a re-announce, which stays near once it finds near peers
 * ({@linkcode farAllowance}), all `count`: the random share's slots go to
 * near peers rather than unused (in a swarm of 5 neighbours, a re-announce
 * reached 3 of the other 4).
 *
 * @example
 * ```ts
 * nearLimit(4, 3); // 3: the fourth is the random share
 * nearLimit(4, 3, false); // 4
 * ```
 */
export function nearLimit(
  count: number,
  quota: number,
  firstAnnounce = true,
): number {
  return firstAnnounce ? quota : count;
}

/**
 * How many of `count` picks may still come from the whole swarm once
 * `nearPicked` went to near peers (`quota` were meant for them), on the
 * peer's first announce in the swarm unless `firstAnnounce` is false. A peer
 * with no near peer takes anyone: it needs sources. Otherwise the random
 * share comes on its first announce (its links to the rest of the swarm,
 * so regions stay joined); once it has {@linkcode NEAR_ENOUGH} near peers,
 * its re-announces reach near peers only: p2p-media-loader keeps every
 * connection offered to it and re-announces every 20 s, so far offers on
 * re-announces connected most viewers to most of the swarm within a minute
 * (measured in the lab's `regions`). One rule for the single instance and
 * every backend.
 *
 * @example
 * ```ts
 * farAllowance(5, 4, 0, false); // 5: nobody near, anyone
 * farAllowance(5, 4, 2, true); // 1: the random share of a first announce
 * farAllowance(5, 4, 1, false); // 0: one near peer, a re-announce stays near
 * ```
 */
export function farAllowance(
  count: number,
  quota: number,
  nearPicked: number,
  firstAnnounce = true,
): number {
  if (nearPicked === 0) return count;
  if (!firstAnnounce && nearPicked >= NEAR_ENOUGH) return 0;
  return Math.max(0, count - quota);
}
