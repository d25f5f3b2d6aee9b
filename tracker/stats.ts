/**
 * Counters the tracker keeps and the JSON shape of `GET /tracker/stats`.
 * Field names are a public interface: scripts read them, so they only grow.
 * The functions below turn swarms and peers into those shapes.
 * @module
 */
import { binaryToHex } from "../utils/hex.ts";
import { pageOf, type PageRequest } from "../utils/paging.ts";
import type { Peer, Swarm } from "./swarm.ts";

/** Incoming frames, by kind. */
export interface InCounters {
  /** WebTorrent announces (with or without offers). */
  announce: number;
  /** WebTorrent answers. */
  answer: number;
  /** WebTorrent scrapes. */
  scrape: number;
  /** Simple-API announces. */
  simpleAnnounce: number;
  /** Simple-API offer/answer/ice relays. */
  simpleRelay: number;
  /** Frames that did not parse (bad JSON, types, ids…). */
  invalid: number;
  /** Binary frames (refused). */
  binary: number;
  /** Frames over the size limit (socket closed). */
  oversized: number;
}

/** Outgoing frames, by kind. */
export interface OutCounters {
  /** Replies to announces. */
  announceReply: number;
  /** Offers relayed to peers. */
  offer: number;
  /** Answers relayed to peers. */
  answer: number;
  /** Scrape replies. */
  scrape: number;
  /** Simple-API peer lists. */
  peers: number;
  /** Simple-API relays. */
  relay: number;
  /** `failure reason` / error replies. */
  error: number;
}

/** Membership events since start. */
export interface PeerEventCounters {
  /** Peers that joined a swarm. */
  joined: number;
  /** Peers that left (stopped, closed or replaced). */
  left: number;
  /** Peers dropped for silence. */
  timedOut: number;
}

/**
 * Offers relayed, by how near the recipient was chosen: sharing the
 * sender's network prefix, network or region, or at random (locality off,
 * nothing known, the random share, or no nearby peer). Counts only: where a
 * peer sits is never shown.
 */
export interface LocalityCounters {
  /** Same /24 (IPv4) or /48 (IPv6). */
  prefix: number;
  /** Same network in the locality table. */
  network: number;
  /** Same region (locality table or platform header). */
  region: number;
  /** Anyone in the swarm. */
  random: number;
}

/** What the tracker refused, by rule. */
export interface RefusedCounters {
  /** WebSocket upgrades from an origin not in `ALLOWED_ORIGINS`. */
  origin: number;
  /** Upgrades beyond the per-IP connection cap. */
  connectionsPerIp: number;
  /** Announces beyond the swarms-per-connection cap. */
  swarmsPerConnection: number;
  /** Announces into a full swarm. */
  peersPerSwarm: number;
  /** Announces while the tracker holds its maximum of peers. */
  totalPeers: number;
  /** Announces of a peer_id another connection holds. */
  peerIdTaken: number;
  /** Answers to an offer the answering peer was never sent. */
  unknownOffer: number;
}

/** All counters. */
export interface TrackerCounters {
  /** Incoming frames. */
  in: InCounters;
  /** Outgoing frames. */
  out: OutCounters;
  /** Offers/answers/relays whose recipient was gone or unknown. */
  relayFailures: number;
  /** Offers held back: their two peers were already connecting to each other. */
  offersHeld: number;
  /** Membership events. */
  peerEvents: PeerEventCounters;
  /** Refusals by rule. */
  refused: RefusedCounters;
  /** Messages dropped by the per-connection rate limit. */
  rateLimited: number;
  /** Connections closed because they did not read what was sent to them. */
  slowClosed: number;
  /** Offers relayed, by how near their recipient was chosen. */
  locality: LocalityCounters;
}

/** Fresh zeroed counters. */
export function createCounters(): TrackerCounters {
  return {
    in: {
      announce: 0,
      answer: 0,
      scrape: 0,
      simpleAnnounce: 0,
      simpleRelay: 0,
      invalid: 0,
      binary: 0,
      oversized: 0,
    },
    out: {
      announceReply: 0,
      offer: 0,
      answer: 0,
      scrape: 0,
      peers: 0,
      relay: 0,
      error: 0,
    },
    relayFailures: 0,
    offersHeld: 0,
    peerEvents: { joined: 0, left: 0, timedOut: 0 },
    refused: {
      origin: 0,
      connectionsPerIp: 0,
      swarmsPerConnection: 0,
      peersPerSwarm: 0,
      totalPeers: 0,
      peerIdTaken: 0,
      unknownOffer: 0,
    },
    rateLimited: 0,
    slowClosed: 0,
    locality: { prefix: 0, network: 0, region: 0, random: 0 },
  };
}

/** One swarm in `?swarms=1` output. */
export interface SwarmRow {
  /** info_hash as 40 hex characters (WebTorrent) or the id as given (simple API). */
  infoHash: string;
  /** Which dialect the swarm's peers speak. */
  protocol: "webtorrent" | "simple";
  /** Peers now. */
  peers: number;
  /** Seeders now. */
  seeders: number;
  /** Leechers now. */
  leechers: number;
  /** `completed` events seen. */
  downloaded: number;
  /** When the swarm was created (ISO 8601). */
  createdAt: string;
}

/** The body of `GET /tracker/stats`. */
export interface TrackerStats {
  /** The RedFlix P2P version. */
  version: string;
  /** Seconds since the tracker started. */
  uptimeSeconds: number;
  /** Swarms now (both dialects). */
  swarms: number;
  /** Peers now. */
  peers: number;
  /** Seeders now. */
  seeders: number;
  /** Leechers now. */
  leechers: number;
  /** Open WebSocket connections. */
  connections: number;
  /** Frames in and out, by kind. */
  messages: { in: InCounters; out: OutCounters };
  /** Relays whose recipient was gone or unknown. */
  relayFailures: number;
  /** Offers held back: their two peers were already connecting to each other. */
  offersHeld: number;
  /** Membership events since start. */
  peerEvents: PeerEventCounters;
  /** Refusals by rule since start. */
  refused: RefusedCounters;
  /** Messages dropped by the rate limit since start. */
  rateLimited: number;
  /** Connections closed as too slow since start. */
  slowClosed: number;
  /** Offers relayed since start, by how near their recipient was chosen (counts only). */
  locality: LocalityCounters;
  /** A page of per-swarm rows, biggest first; only with `?swarms=1`. */
  swarmDetails?: SwarmRow[];
  /** Swarms in all, and the `?cursor=` of the next page of rows; only with `?swarms=1`. */
  swarmPage?: { total: number; nextCursor?: string };
  /**
   * The cluster this instance belongs to; only with `TRACKER_BACKEND` set.
   * The fields above count this instance; these count every live instance.
   */
  cluster?: ClusterStats;
}

/** The `cluster` block of `GET /tracker/stats`. */
export interface ClusterStats {
  /** The shared engine: `redis` or `kv`. */
  backend: "redis" | "kv";
  /** This instance's id. */
  instance: string;
  /** `connected`, or `local-only` while the engine is unreachable. */
  state: "connected" | "local-only";
  /** Live instances (0 while local-only). */
  instances: number;
  /** WebTorrent peers on all live instances. */
  peers: number;
  /** Seeders on all live instances. */
  seeders: number;
  /** Open sockets on all live instances. */
  connections: number;
  /** Offers and answers this instance sent to, and received from, other instances. */
  relays: { out: number; in: number };
  /** Times the engine became unreachable since start. */
  outages: number;
}

/** Details of one peer for `GET /tracker/peers/:infoHash` (never an IP address). */
export interface PeerInfo {
  /** Peer id as hex (WebTorrent) or as given (simple API). */
  peerId: string;
  /** Seeder or leecher. */
  complete: boolean;
  /** When it joined (ISO 8601). */
  joinedAt: string;
  /** When it last announced (ISO 8601). */
  lastSeen: string;
  /** The instance holding its socket; only when clustered. */
  instance?: string;
}

/** Which dialect a swarm speaks. */
export type Dialect = "webtorrent" | "simple";

/**
 * An id as scripts read it: WebTorrent's binary ids as hex, simple-API ids
 * as given.
 */
export function idText(dialect: Dialect, id: string): string {
  return dialect === "webtorrent" ? binaryToHex(id) : id;
}

/** A swarm's row in `?swarms=1` output. */
export function swarmRow(dialect: Dialect, swarm: Swarm): SwarmRow {
  return {
    infoHash: idText(dialect, swarm.infoHash),
    protocol: dialect,
    peers: swarm.size,
    seeders: swarm.complete,
    leechers: swarm.incomplete,
    downloaded: swarm.downloaded,
    createdAt: new Date(swarm.createdAt).toISOString(),
  };
}

/** A peer as `GET /tracker/peers/:infoHash` lists it (never its address). */
export function peerInfo(dialect: Dialect, peer: Peer): PeerInfo {
  return {
    peerId: idText(dialect, peer.id),
    complete: peer.complete,
    joinedAt: new Date(peer.joinedAt).toISOString(),
    lastSeen: new Date(peer.lastSeen).toISOString(),
  };
}

/** A page of a swarm's peers, for `GET /tracker/peers/:infoHash`. */
export interface PeersPage {
  /** Which dialect the swarm speaks. */
  protocol: Dialect;
  /** The page, earliest joiners first. */
  peers: PeerInfo[];
  /** Peers in the swarm. */
  total: number;
  /** `?cursor=` of the next page; absent on the last. */
  nextCursor?: string;
}

/** The page `request` of a swarm's peers, earliest joiners first; only those are formatted. */
export function pagePeers(
  dialect: Dialect,
  peers: readonly Peer[],
  request: PageRequest,
): PeersPage {
  const page = pageOf(
    peers,
    (a, b) => a.joinedAt - b.joinedAt || a.slot - b.slot,
    request,
    (peer) => peerInfo(dialect, peer),
  );
  return {
    protocol: dialect,
    peers: page.items,
    total: page.total,
    nextCursor: page.nextCursor,
  };
}

/** The page `request` of a swarm's peers across a cluster (already formatted). */
export function pagePeerInfos(
  peers: readonly PeerInfo[],
  request: PageRequest,
): PeersPage {
  const page = pageOf(
    peers,
    (a, b) =>
      a.joinedAt.localeCompare(b.joinedAt) || a.peerId.localeCompare(b.peerId),
    request,
    (peer) => peer,
  );
  return {
    protocol: "webtorrent",
    peers: page.items,
    total: page.total,
    nextCursor: page.nextCursor,
  };
}
