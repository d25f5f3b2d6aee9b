/**
 * The tracker: the socket side ({@linkcode Connections}: slots, budgets,
 * the frame gate) in front of the swarm side (the WebTorrent and simple
 * dialects on their registries), with a cluster relay when instances share
 * swarms. It is transport-agnostic (a connection is anything that can send
 * text and close), so it runs behind `Deno.upgradeWebSocket` in production
 * and behind plain functions in unit tests.
 * @module
 */
import { Capacity } from "./capacity.ts";
import type { SwarmBackend } from "./cluster/backend.ts";
import { ClusterRelay } from "./cluster_relay.ts";
import { DEFAULT_TRACKER_CONFIG, type TrackerConfig } from "./config.ts";
import {
  type AdmissionSlot,
  CloseCode,
  type ConnectInfo,
  type Connection,
  type Transport,
} from "./connection.ts";
import { Connections } from "./connections.ts";
import { Delivery } from "./delivery.ts";
import { sendFailure, sendSimpleError } from "./failures.ts";
import { membershipListener } from "./membership_log.ts";
import { parseMessage, ProtocolError } from "./protocol.ts";
import { Registry } from "./registry.ts";
import { SimpleDialect } from "./simple.ts";
import {
  createCounters,
  type Dialect,
  pagePeerInfos,
  pagePeers,
  peerInfo,
  type PeersPage,
  swarmRow,
  type TrackerCounters,
  type TrackerStats,
} from "./stats.ts";
import type { Swarm } from "./swarm.ts";
import { VERSION } from "./version.ts";
import { WebTorrentDialect } from "./webtorrent.ts";
import { pageOf, type PageRequest } from "../utils/paging.ts";

/** Options of {@linkcode Tracker}. */
export interface TrackerOptions {
  /** Configuration; defaults from {@linkcode DEFAULT_TRACKER_CONFIG}. */
  config?: Partial<TrackerConfig>;
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
  /** Random number in [0, 1); injectable for tests. */
  random?: () => number;
  /** A shared engine, so that several instances act as one; none by default. */
  cluster?: SwarmBackend;
  /** What the app publishes with this instance's summary (e.g. players reporting now). */
  summaryExtra?: () => Record<string, unknown>;
}

/** The WebTorrent + simple-API tracker. */
export class Tracker {
  /** The configuration in force. */
  readonly config: TrackerConfig;
  /** Counters behind `/tracker/stats`. */
  readonly counters: TrackerCounters = createCounters();
  /** WebTorrent swarms. */
  readonly webtorrent: Registry;
  /** Simple-API swarms (a namespace of their own). */
  readonly simple: Registry;
  #connections: Connections;
  #webtorrentDialect: WebTorrentDialect;
  #simpleDialect: SimpleDialect;
  #relay?: ClusterRelay;
  #clock: () => number;
  #startedAt: number;
  #sweepTimer?: ReturnType<typeof setInterval>;

  /** A tracker with no swarms. */
  constructor(options: TrackerOptions = {}) {
    const config = this.config = {
      ...DEFAULT_TRACKER_CONFIG,
      ...options.config,
    };
    const counters = this.counters;
    const clock = this.#clock = options.clock ?? Date.now;
    this.#startedAt = clock();
    const registry = (dialect: Dialect) =>
      new Registry({
        peerTimeoutMs: config.peerTimeoutMs,
        clock,
        random: options.random,
        onEvent: membershipListener(
          dialect,
          counters,
          dialect === "webtorrent"
            ? (peer) => this.#relay?.forget(peer)
            : undefined,
        ),
      });
    this.webtorrent = registry("webtorrent");
    this.simple = registry("simple");
    const capacity = new Capacity(config, counters);
    capacity.add(this.webtorrent);
    capacity.add(this.simple);
    const delivery = new Delivery(counters, clock, config.pairingHoldMs);
    this.#connections = new Connections(config, counters, clock);
    if (options.cluster) {
      const { summaryExtra } = options;
      this.#relay = new ClusterRelay(options.cluster, {
        registry: this.webtorrent,
        delivery,
        summary: () => ({
          peers: this.webtorrent.peerCount,
          seeders: seedersOf(this.webtorrent),
          connections: this.#connections.size,
          connectedPlayers: this.#connections.playersByChannel(),
          extra: summaryExtra?.(),
        }),
      });
    }
    this.#webtorrentDialect = new WebTorrentDialect({
      config,
      counters,
      registry: this.webtorrent,
      capacity,
      delivery,
      relay: this.#relay,
      clock,
    });
    this.#simpleDialect = new SimpleDialect({
      config,
      counters,
      registry: this.simple,
      capacity,
    });
  }

  /** The shared engine, if this instance is part of a cluster. */
  get cluster(): SwarmBackend | undefined {
    return this.#relay?.backend;
  }

  /**
   * Start dropping silent peers periodically, and join the cluster if there
   * is one. Resolves once the shared engine answered, or after a few seconds
   * without it (the tracker then runs local-only and keeps retrying).
   */
  start(): Promise<void> {
    if (this.#sweepTimer !== undefined) return Promise.resolve();
    const every = Math.max(1000, Math.min(5000, this.config.peerTimeoutMs / 4));
    this.#sweepTimer = setInterval(() => this.sweep(), every);
    Deno.unrefTimer(this.#sweepTimer);
    return this.#relay?.start() ?? Promise.resolve();
  }

  /**
   * Stop the sweep timer, close every connection with 1001 (going away) and
   * withdraw this instance's peers from the cluster.
   */
  async close(): Promise<void> {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    for (const connection of this.#connections.all()) {
      connection.close(CloseCode.goingAway, "Tracker shutting down");
      this.disconnect(connection);
    }
    await this.#relay?.close();
  }

  /** Drop peers that stopped announcing; returns how many. */
  sweep(): number {
    return this.webtorrent.sweep() + this.simple.sweep();
  }

  /**
   * Reserve a slot for `address` under the per-address cap, before the
   * WebSocket handshake (see {@linkcode Connections.reserve}).
   */
  reserve(address: string | undefined): AdmissionSlot | undefined {
    return this.#connections.reserve(address);
  }

  /** Register a new client connection on its reserved slot. */
  connect(transport: Transport, info: ConnectInfo = {}): Connection {
    return this.#connections.connect(transport, info);
  }

  /** Forget a connection and remove its peers at once. */
  disconnect(connection: Connection): void {
    if (!this.#connections.disconnect(connection)) return;
    this.webtorrent.removeConnection(connection);
    this.simple.removeConnection(connection);
  }

  /**
   * Peers of a WebTorrent swarm (binary info_hash): on every instance when
   * this one saw a cluster count lately, else here. Counts only.
   */
  swarmPeers(infoHash: string): number {
    const here = this.webtorrent.swarms.get(infoHash)?.size ?? 0;
    return Math.max(here, this.#relay?.swarmSize(infoHash) ?? 0);
  }

  /** Player sockets of a channel open on every instance: how many viewers a joiner will find. */
  connectedPlayers(channel: string): number {
    return this.#connections.connectedPlayers(channel) +
      (this.#relay?.remoteConnectedPlayers(channel) ?? 0);
  }

  /** Handle one incoming frame from a connection. */
  receive(
    connection: Connection,
    data: string | ArrayBuffer | Blob | Uint8Array,
  ): void {
    const text = this.#connections.admit(
      connection,
      data,
      (closed) => this.disconnect(closed),
    );
    if (text === undefined) return;
    const counted = this.counters.in;
    try {
      const message = parseMessage(text, this.config);
      switch (message.kind) {
        case "announce":
          counted.announce++;
          return this.#webtorrentDialect.announce(connection, message);
        case "answer":
          counted.answer++;
          return this.#webtorrentDialect.answer(connection, message);
        case "scrape":
          counted.scrape++;
          return this.#webtorrentDialect.scrape(connection, message);
        case "simple-announce":
          counted.simpleAnnounce++;
          return this.#simpleDialect.announce(connection, message);
        case "simple-relay":
          counted.simpleRelay++;
          return this.#simpleDialect.relay(connection, message);
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      counted.invalid++;
      if (error.simple) {
        sendSimpleError(connection, this.counters, error.message);
      } else sendFailure(connection, this.counters, error);
    }
  }

  /**
   * Stats for `GET /tracker/stats`; `swarms` adds a page of per-swarm rows,
   * biggest first (totals stay exact whatever the page).
   */
  stats(swarms?: PageRequest): TrackerStats {
    let seeders = 0;
    let peers = 0;
    for (const registry of [this.webtorrent, this.simple]) {
      seeders += seedersOf(registry);
      peers += registry.peerCount;
    }
    const counters = this.counters;
    const stats: TrackerStats = {
      version: VERSION,
      uptimeSeconds: Math.floor((this.#clock() - this.#startedAt) / 1000),
      swarms: this.webtorrent.swarms.size + this.simple.swarms.size,
      peers,
      seeders,
      leechers: peers - seeders,
      connections: this.#connections.size,
      messages: { in: { ...counters.in }, out: { ...counters.out } },
      relayFailures: counters.relayFailures,
      offersHeld: counters.offersHeld,
      peerEvents: { ...counters.peerEvents },
      refused: { ...counters.refused },
      rateLimited: counters.rateLimited,
      slowClosed: counters.slowClosed,
      locality: { ...counters.locality },
    };
    if (swarms) {
      const page = pageOf(
        this.#allSwarms(),
        (a, b) => b.swarm.size - a.swarm.size || a.order - b.order,
        swarms,
        ({ swarm, dialect }) => swarmRow(dialect, swarm),
      );
      stats.swarmDetails = page.items;
      stats.swarmPage = { total: page.total, nextCursor: page.nextCursor };
    }
    if (this.#relay) stats.cluster = this.#relay.stats();
    return stats;
  }

  /** Every swarm of both dialects, numbered in a stable order for ties. */
  *#allSwarms(): Generator<{ swarm: Swarm; dialect: Dialect; order: number }> {
    let order = 0;
    for (const swarm of this.webtorrent.swarms.values()) {
      yield { swarm, dialect: "webtorrent", order: order++ };
    }
    for (const swarm of this.simple.swarms.values()) {
      yield { swarm, dialect: "simple", order: order++ };
    }
  }

  /**
   * A page of a swarm's peers on every instance of the cluster (this
   * instance's own when there is no cluster, or it is unreachable).
   * `infoHash` is the binary info_hash (WebTorrent) or the id (simple API).
   */
  async peersAcrossCluster(
    infoHash: string,
    page: PageRequest,
  ): Promise<PeersPage | undefined> {
    const webtorrent = this.webtorrent.swarms.get(infoHash);
    const simple = webtorrent ? undefined : this.simple.swarms.get(infoHash);
    if (simple) return pagePeers("simple", simple.peers(), page);
    if (!this.#relay?.connected) {
      return webtorrent && pagePeers("webtorrent", webtorrent.peers(), page);
    }
    const mine =
      webtorrent?.peers().map((peer) => peerInfo("webtorrent", peer)) ?? [];
    const peers = await this.#relay.peers(infoHash, mine);
    return peers.length > 0 ? pagePeerInfos(peers, page) : undefined;
  }
}

/** Seeders in a registry's swarms. */
function seedersOf(registry: Registry): number {
  let seeders = 0;
  for (const swarm of registry.swarms.values()) seeders += swarm.complete;
  return seeders;
}
