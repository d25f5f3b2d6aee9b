/**
 * The tracker: turns parsed messages into registry changes and relayed
 * frames. It is transport-agnostic (a connection is anything that can send
 * text and close), so it runs behind `Deno.upgradeWebSocket` in production
 * and behind plain functions in unit tests.
 * @module
 */
import { DEFAULT_TRACKER_CONFIG, type TrackerConfig } from "./config.ts";
import {
  type AnnounceMessage,
  type AnswerMessage,
  type Offer,
  type ParseLimits,
  parseMessage,
  ProtocolError,
  type ScrapeMessage,
  type SimpleAnnounceMessage,
  type SimpleRelayMessage,
} from "./protocol.ts";
import { PeerIdTakenError, Registry, type RegistryEvent } from "./registry.ts";
import { binaryToHex } from "../utils/hex.ts";
import {
  createCounters,
  type PeerInfo,
  type SwarmRow,
  type TrackerCounters,
  type TrackerStats,
} from "./stats.ts";
import type { Peer, Swarm } from "./swarm.ts";
import { type Page, pageOf, type PageRequest } from "../utils/paging.ts";
import type { SwarmBackend } from "./cluster/backend.ts";
import { ClusterRelay } from "./cluster_relay.ts";
import {
  type AdmissionSlot,
  CloseCode,
  type ConnectInfo,
  Connection,
  type Transport,
} from "./connection.ts";
import { addressKey } from "../utils/ip.ts";
import { isChannelId } from "../channels/channel.ts";
import { OFFER_TTL_MS, offerFrame, rememberOffer } from "./offers.ts";
import { TokenBucket } from "../utils/rate_limit.ts";
import { VERSION } from "./version.ts";
import { log } from "../utils/log.ts";

/** Add `delta` to a count, deleting it at zero. */
function increment(
  counts: Map<string, number>,
  key: string,
  delta: number,
): void {
  const value = (counts.get(key) ?? 0) + delta;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
}

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
  /** What the app publishes with this instance's summary (e.g. player totals). */
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
  /** Simple-API swarms (a separate namespace: their peers cannot take WebTorrent offers). */
  readonly simple: Registry;
  #limits: ParseLimits;
  #connections = new Set<Connection>();
  #viewersByChannel = new Map<string, number>();
  #connectionsByAddress = new Map<string, number>();
  #startedAt: number;
  #clock: () => number;
  #sweepTimer?: ReturnType<typeof setInterval>;
  #relay?: ClusterRelay;

  /** A tracker with no swarms. */
  constructor(options: TrackerOptions = {}) {
    this.config = { ...DEFAULT_TRACKER_CONFIG, ...options.config };
    this.#clock = options.clock ?? Date.now;
    const registryOptions = {
      peerTimeoutMs: this.config.peerTimeoutMs,
      clock: this.#clock,
      random: options.random,
    };
    this.webtorrent = new Registry({
      ...registryOptions,
      onEvent: (e) => this.#onRegistryEvent(e, "webtorrent"),
    });
    this.simple = new Registry({
      ...registryOptions,
      onEvent: (e) => this.#onRegistryEvent(e, "simple"),
    });
    this.#limits = {
      maxSdpLength: this.config.maxSdpLength,
      maxOffers: this.config.maxOffers,
      maxScrape: this.config.maxScrape,
    };
    this.#startedAt = this.#clock();
    if (options.cluster) {
      const { summaryExtra } = options;
      this.#relay = new ClusterRelay(options.cluster, {
        registry: this.webtorrent,
        counters: this.counters,
        clock: this.#clock,
        reply: (connection, infoHash, clusterSize) =>
          this.#announceReply(connection, infoHash, clusterSize),
        offerLocally: (peer, offers, targets) =>
          this.#offerLocally(peer, offers, targets),
        summary: () => ({
          peers: this.webtorrent.peerCount,
          seeders: this.#seeders(this.webtorrent),
          connections: this.#connections.size,
          channels: Object.fromEntries(this.#viewersByChannel),
          extra: summaryExtra?.(),
        }),
      });
    }
  }

  /** The shared engine, if this instance is part of a cluster. */
  get cluster(): SwarmBackend | undefined {
    return this.#relay?.backend;
  }

  #seeders(registry: Registry): number {
    let seeders = 0;
    for (const swarm of registry.swarms.values()) seeders += swarm.complete;
    return seeders;
  }

  #onRegistryEvent(
    event: RegistryEvent,
    protocol: "webtorrent" | "simple",
  ): void {
    const { peerEvents } = this.counters;
    const idOf = (
      id: string,
    ) => (protocol === "webtorrent" ? binaryToHex(id) : id);
    switch (event.type) {
      case "swarm-created":
      case "swarm-removed":
        // Per swarm and per peer: debug only, so nobody can flood the logs by joining swarms.
        if (log.enabled("debug")) {
          log.debug(
            event.type === "swarm-created" ? "swarm.created" : "swarm.removed",
            { protocol, infoHash: idOf(event.swarm.infoHash) },
          );
        }
        break;
      case "peer-joined":
        peerEvents.joined++;
        if (log.enabled("debug")) {
          log.debug("peer.joined", {
            protocol,
            infoHash: idOf(event.peer.swarm.infoHash),
            peerId: idOf(event.peer.id),
          });
        }
        break;
      case "peer-left":
        if (protocol === "webtorrent") {
          this.#relay?.forget(event.peer);
        }
        if (event.reason === "timeout") {
          peerEvents.timedOut++;
          if (log.enabled("debug")) {
            log.debug("peer.timed_out", {
              protocol,
              infoHash: idOf(event.peer.swarm.infoHash),
              peerId: idOf(event.peer.id),
            });
          }
        } else {
          peerEvents.left++;
          if (log.enabled("debug")) {
            log.debug("peer.left", {
              protocol,
              reason: event.reason,
              infoHash: idOf(event.peer.swarm.infoHash),
              peerId: idOf(event.peer.id),
            });
          }
        }
        break;
    }
  }

  /**
   * Start dropping silent peers periodically, and join the cluster if there
   * is one. Resolves once the shared engine answered, or after a few seconds
   * without it (the tracker then runs local-only and keeps retrying).
   */
  start(): Promise<void> {
    if (this.#sweepTimer !== undefined) return Promise.resolve();
    const every = Math.max(1000, Math.min(5000, this.config.peerTimeoutMs / 4));
    const timer = setInterval(() => this.sweep(), every);
    Deno.unrefTimer(timer);
    this.#sweepTimer = timer;
    return this.#relay?.start() ?? Promise.resolve();
  }

  /**
   * Stop the sweep timer, close every connection with 1001 (going away) and
   * withdraw this instance's peers from the cluster.
   */
  async close(): Promise<void> {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    for (const connection of [...this.#connections]) {
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
   * Reserve a connection slot for `address` (the per-address cap), before
   * the WebSocket handshake: concurrent upgrades cannot overshoot the cap.
   * `undefined` (and a counted refusal) when the address is at its cap.
   * The slot is released once, by {@linkcode Tracker.disconnect} of the
   * connection it was given to, or by `release()` if none was opened.
   */
  reserve(address: string | undefined): AdmissionSlot | undefined {
    const key = address === undefined ? undefined : addressKey(address);
    if (key !== undefined) {
      if (
        (this.#connectionsByAddress.get(key) ?? 0) >=
          this.config.maxConnectionsPerIp
      ) {
        this.counters.refused.connectionsPerIp++;
        return undefined;
      }
      increment(this.#connectionsByAddress, key, 1);
    }
    let held = true;
    return {
      address,
      release: () => {
        if (!held) return;
        held = false;
        if (key !== undefined) increment(this.#connectionsByAddress, key, -1);
      },
    };
  }

  /**
   * Register a new client connection on its reserved slot. `channel` (a
   * catalog id the player gives as `?channel=`) lets the tracker count
   * viewers per channel.
   */
  connect(transport: Transport, info: ConnectInfo = {}): Connection {
    const channel = isChannelId(info.channel) ? info.channel : undefined;
    const bucket = new TokenBucket(
      this.config.messagesPerSecond,
      this.config.messageBurst,
      this.#clock(),
    );
    const connection = new Connection(transport, bucket, {
      channel,
      slot: info.slot,
    });
    this.#connections.add(connection);
    if (channel) increment(this.#viewersByChannel, channel, 1);
    return connection;
  }

  /** Open player connections of a channel: how many viewers a joiner will find. */
  viewers(channel: string): number {
    return (this.#viewersByChannel.get(channel) ?? 0) +
      (this.#relay?.remoteViewers(channel) ?? 0);
  }

  /** Forget a connection and remove its peers at once. */
  disconnect(connection: Connection): void {
    connection.markClosed();
    if (!this.#connections.delete(connection)) return;
    if (connection.channel) {
      increment(this.#viewersByChannel, connection.channel, -1);
    }
    connection.slot.release();
    this.webtorrent.removeConnection(connection);
    this.simple.removeConnection(connection);
  }

  /** Handle one incoming frame from a connection. */
  receive(
    connection: Connection,
    data: string | ArrayBuffer | Blob | Uint8Array,
  ): void {
    const { in: counted } = this.counters;
    if (typeof data !== "string") {
      counted.binary++;
      this.#fail(
        connection,
        new ProtocolError("Binary frames are not supported: send JSON text"),
      );
      connection.close(
        CloseCode.unsupportedData,
        "Binary frames are not supported",
      );
      this.disconnect(connection);
      return;
    }
    if (data.length > this.config.maxMessageSize) {
      counted.oversized++;
      this.#fail(
        connection,
        new ProtocolError(
          `Message too big: ${data.length} characters, at most ${this.config.maxMessageSize}`,
        ),
      );
      connection.close(CloseCode.messageTooBig, "Message too big");
      this.disconnect(connection);
      return;
    }
    if (!connection.bucket.take(this.#clock())) {
      this.counters.rateLimited++;
      // Say it once per flood; a client that keeps flooding is closed.
      if (connection.droppedInARow++ === 0) {
        this.#fail(
          connection,
          new ProtocolError(
            `Rate limit exceeded: at most ${this.config.messagesPerSecond} messages per second`,
          ),
        );
      } else if (connection.droppedInARow > this.config.messageBurst) {
        connection.close(CloseCode.policyViolation, "Rate limit exceeded");
        this.disconnect(connection);
      }
      return;
    }
    connection.droppedInARow = 0;
    try {
      const message = parseMessage(data, this.#limits);
      switch (message.kind) {
        case "announce":
          counted.announce++;
          return this.#announce(connection, message);
        case "answer":
          counted.answer++;
          return this.#answer(connection, message);
        case "scrape":
          counted.scrape++;
          return this.#scrape(connection, message);
        case "simple-announce":
          counted.simpleAnnounce++;
          return this.#simpleAnnounce(connection, message);
        case "simple-relay":
          counted.simpleRelay++;
          return this.#simpleRelay(connection, message);
      }
    } catch (error) {
      if (error instanceof ProtocolError) {
        counted.invalid++;
        if (error.simple) this.#simpleError(connection, error.message);
        else this.#fail(connection, error);
      } else if (error instanceof PeerIdTakenError) {
        this.#fail(connection, new ProtocolError(error.message));
      } else {
        throw error;
      }
    }
  }

  #fail(connection: Connection, error: ProtocolError): void {
    this.counters.out.error++;
    const reply: Record<string, unknown> = { "failure reason": error.message };
    if (error.action) reply.action = error.action;
    if (error.infoHash !== undefined) reply.info_hash = error.infoHash;
    connection.send(JSON.stringify(reply));
  }

  #announce(connection: Connection, message: AnnounceMessage): void {
    const registry = this.webtorrent;
    const { infoHash, peerId } = message;
    if (message.event === "stopped") {
      const peer = registry.peerOf(connection, infoHash);
      if (peer?.id === peerId) registry.remove(peer, "stopped");
      this.#announceReply(connection, infoHash);
      return;
    }
    const context = { action: "announce" as const, infoHash };
    if (!registry.peerOf(connection, infoHash)) {
      this.#checkCapacity(connection, registry, infoHash, context);
    }
    let peer: Peer;
    let joined: boolean;
    try {
      ({ peer, joined } = registry.announce(connection, infoHash, peerId));
    } catch (error) {
      if (error instanceof PeerIdTakenError) {
        this.counters.refused.peerIdTaken++;
        throw new ProtocolError(error.message, context);
      }
      throw error;
    }
    const swarm = peer.swarm;
    const wasComplete = peer.complete;
    if (message.event === "completed") {
      if (!peer.complete) swarm.downloaded++;
      swarm.setComplete(peer, true);
    } else if (message.left !== undefined) {
      swarm.setComplete(peer, message.left === 0);
    }
    const offers = message.offers;
    const wanted = Math.min(
      offers.length,
      message.numwant ?? offers.length,
      this.config.maxNumwant,
    );
    if (this.#relay?.connected) {
      this.#relay.announce(connection, peer, offers, {
        count: wanted,
        detailsChanged: joined || peer.complete !== wasComplete,
      });
      return;
    }
    // Local-only (no engine, or it is down): the engine learns of this peer on rejoin.
    this.#announceReply(connection, infoHash);
    if (wanted > 0) {
      this.#offerLocally(
        peer,
        offers,
        swarm.sample(wanted, peer, registry.random),
      );
    }
  }

  /** Relay offers to peers of this instance (the single-instance path: synchronous). */
  #offerLocally(peer: Peer, offers: Offer[], targets: Peer[]): void {
    const now = this.#clock();
    for (let i = 0; i < targets.length; i++) {
      const { offer, offerId } = offers[i]!;
      const target = targets[i]!;
      if (target.connection.send(offerFrame(peer, offer, offerId))) {
        this.counters.out.offer++;
        rememberOffer(target, offerId, { peerId: peer.id, peer, at: now });
      } else {
        this.counters.relayFailures++;
      }
    }
  }

  /**
   * Refuse a new peer beyond the caps, with a polite failure reason. Both
   * dialects pass here and count together: swarms of a connection, peers
   * of a swarm, peers of the tracker.
   */
  #checkCapacity(
    connection: Connection,
    registry: Registry,
    infoHash: string,
    context?: { action: "announce"; infoHash: string },
  ): void {
    const { refused } = this.counters;
    const joined = (this.webtorrent.peersOf(connection)?.size ?? 0) +
      (this.simple.peersOf(connection)?.size ?? 0);
    if (joined >= this.config.maxSwarmsPerConnection) {
      refused.swarmsPerConnection++;
      throw new ProtocolError(
        `Too many swarms on one connection: at most ${this.config.maxSwarmsPerConnection}`,
        context,
      );
    }
    if (
      (registry.swarms.get(infoHash)?.size ?? 0) >= this.config.maxPeersPerSwarm
    ) {
      refused.peersPerSwarm++;
      throw new ProtocolError(
        `Swarm is full: at most ${this.config.maxPeersPerSwarm} peers`,
        context,
      );
    }
    if (
      this.webtorrent.peerCount + this.simple.peerCount >= this.config.maxPeers
    ) {
      refused.totalPeers++;
      throw new ProtocolError("Tracker is full: try again later", context);
    }
  }

  /**
   * The reply to an announce. `clusterSize` (peers on every instance) counts
   * the other instances' peers as leechers: seeders are counted per instance.
   */
  #announceReply(
    connection: Connection,
    infoHash: string,
    clusterSize?: number,
  ): void {
    const swarm = this.webtorrent.swarms.get(infoHash);
    const complete = swarm?.complete ?? 0;
    const incomplete = swarm?.incomplete ?? 0;
    const reply = {
      action: "announce",
      interval: this.config.announceIntervalS,
      info_hash: infoHash,
      complete,
      incomplete: clusterSize === undefined
        ? incomplete
        : Math.max(incomplete, clusterSize - complete),
    };
    if (connection.send(JSON.stringify(reply))) {
      this.counters.out.announceReply++;
    }
  }

  #answer(connection: Connection, message: AnswerMessage): void {
    const { infoHash, peerId, toPeerId } = message;
    const context = { action: "announce" as const, infoHash };
    const sender = this.webtorrent.peerOf(connection, infoHash);
    // A well-formed answer that cannot be delivered is a relay failure, not an invalid frame.
    if (!sender || sender.id !== peerId) {
      this.counters.relayFailures++;
      this.#fail(
        connection,
        new ProtocolError(
          "Announce before answering: peer_id is not in this swarm on this connection",
          context,
        ),
      );
      return;
    }
    // Only an offer this peer was actually sent may be answered, and only to its sender.
    const source = sender.offers?.get(message.offerId);
    const local = source?.peer;
    if (
      !source || source.peerId !== toPeerId ||
      (local
        ? local.swarm.get(local.id) !== local
        : source.instance === undefined) ||
      this.#clock() - source.at > OFFER_TTL_MS
    ) {
      this.counters.relayFailures++;
      this.counters.refused.unknownOffer++;
      this.#fail(
        connection,
        new ProtocolError(
          `Could not find the offer from ${
            binaryToHex(toPeerId)
          } this answer is for; it may have expired`,
          context,
        ),
      );
      return;
    }
    sender.offers!.delete(message.offerId);
    const frame = JSON.stringify({
      action: "announce",
      answer: message.answer,
      offer_id: message.offerId,
      peer_id: peerId,
      info_hash: infoHash,
    });
    if (local) {
      if (local.connection.send(frame)) this.counters.out.answer++;
      else this.counters.relayFailures++;
      return;
    }
    const relayed = source.instance !== undefined &&
      this.#relay?.answer(source.instance, {
        infoHash,
        from: peerId,
        to: toPeerId,
        offerId: message.offerId,
        frame,
      });
    if (!relayed) this.counters.relayFailures++; // its instance is out of reach for now
  }

  #scrape(connection: Connection, message: ScrapeMessage): void {
    const files: Record<
      string,
      { complete: number; incomplete: number; downloaded: number }
    > = {};
    const swarms = this.webtorrent.swarms;
    const wanted = message.infoHashes.length > 0
      ? message.infoHashes
      : swarms.keys();
    let count = 0;
    for (const infoHash of wanted) {
      if (count++ >= this.config.maxScrape) break; // a full scrape is capped too
      const swarm = swarms.get(infoHash);
      files[infoHash] = {
        complete: swarm?.complete ?? 0,
        incomplete: swarm?.incomplete ?? 0,
        downloaded: swarm?.downloaded ?? 0,
      };
    }
    if (connection.send(JSON.stringify({ action: "scrape", files }))) {
      this.counters.out.scrape++;
    }
  }

  #simpleAnnounce(
    connection: Connection,
    message: SimpleAnnounceMessage,
  ): void {
    let peer: Peer;
    try {
      if (!this.simple.peerOf(connection, message.infoHash)) {
        this.#checkCapacity(connection, this.simple, message.infoHash);
      }
      peer =
        this.simple.announce(connection, message.infoHash, message.peerId).peer;
    } catch (error) {
      if (error instanceof PeerIdTakenError) {
        this.counters.refused.peerIdTaken++;
        this.#simpleError(
          connection,
          `peerId ${message.peerId} is in use by another connection`,
        );
        return;
      }
      if (error instanceof ProtocolError) {
        this.#simpleError(connection, error.message);
        return;
      }
      throw error;
    }
    const others = peer.swarm.sample(
      this.config.maxPeersListed,
      peer,
      this.simple.random,
    );
    const reply = {
      type: "peers",
      infoHash: message.infoHash,
      peers: others.map((p) => p.id),
    };
    if (connection.send(JSON.stringify(reply))) this.counters.out.peers++;
  }

  #simpleRelay(connection: Connection, message: SimpleRelayMessage): void {
    const own = this.simple.peersOf(connection);
    let target: Peer | undefined;
    let fromKnown = false;
    for (const peer of own?.values() ?? []) {
      if (peer.id !== message.from) continue;
      fromKnown = true;
      target = peer.swarm.get(message.to);
      if (target) break;
    }
    if (!fromKnown) {
      this.counters.relayFailures++;
      this.#simpleError(
        connection,
        `Announce before relaying: ${message.from} is not a peer of this connection`,
      );
      return;
    }
    if (!target) {
      this.counters.relayFailures++;
      this.#simpleError(
        connection,
        `Unknown peer ${message.to}: not in a swarm with ${message.from}`,
      );
      return;
    }
    const frame = JSON.stringify({
      type: message.type,
      from: message.from,
      to: message.to,
      data: message.data,
    });
    if (target.connection.send(frame)) this.counters.out.relay++;
    else this.counters.relayFailures++;
  }

  #simpleError(connection: Connection, text: string): void {
    this.counters.out.error++;
    connection.send(JSON.stringify({ type: "error", message: text }));
  }

  /**
   * Stats for `GET /tracker/stats`; `swarms` adds a page of per-swarm rows,
   * biggest first (totals stay exact whatever the page).
   */
  stats(swarms?: PageRequest): TrackerStats {
    let seeders = 0;
    let peers = 0;
    for (const registry of [this.webtorrent, this.simple]) {
      for (const swarm of registry.swarms.values()) {
        seeders += swarm.complete;
        peers += swarm.size;
      }
    }
    const {
      in: counted,
      out,
      relayFailures,
      peerEvents,
      refused,
      rateLimited,
      slowClosed,
    } = this.counters;
    const stats: TrackerStats = {
      version: VERSION,
      uptimeSeconds: Math.floor((this.#clock() - this.#startedAt) / 1000),
      swarms: this.webtorrent.swarms.size + this.simple.swarms.size,
      peers,
      seeders,
      leechers: peers - seeders,
      connections: this.#connections.size,
      messages: { in: { ...counted }, out: { ...out } },
      relayFailures,
      peerEvents: { ...peerEvents },
      refused: { ...refused },
      rateLimited,
      slowClosed,
    };
    if (swarms) {
      const page = pageOf(
        this.#allSwarms(),
        (a, b) => b.swarm.size - a.swarm.size || a.order - b.order,
        swarms,
        ({ swarm, protocol }): SwarmRow => ({
          infoHash: this.#idText(protocol, swarm.infoHash),
          protocol,
          peers: swarm.size,
          seeders: swarm.complete,
          leechers: swarm.incomplete,
          downloaded: swarm.downloaded,
          createdAt: new Date(swarm.createdAt).toISOString(),
        }),
      );
      stats.swarmDetails = page.items;
      stats.swarmPage = { total: page.total, nextCursor: page.nextCursor };
    }
    if (this.#relay) stats.cluster = this.#relay.stats();
    return stats;
  }

  /** Every swarm of both dialects, numbered in a stable order for ties. */
  *#allSwarms(): Generator<
    { swarm: Swarm; protocol: "webtorrent" | "simple"; order: number }
  > {
    let order = 0;
    for (const swarm of this.webtorrent.swarms.values()) {
      yield { swarm, protocol: "webtorrent", order: order++ };
    }
    for (const swarm of this.simple.swarms.values()) {
      yield { swarm, protocol: "simple", order: order++ };
    }
  }

  /** An id as scripts read it: WebTorrent ids as hex, simple-API ids as given. */
  #idText(protocol: "webtorrent" | "simple", id: string): string {
    return protocol === "webtorrent" ? binaryToHex(id) : id;
  }

  /**
   * The peers of a swarm on every instance of the cluster (this instance's
   * own when there is no cluster, or it is unreachable), a page at a time.
   */
  async peersAcrossCluster(
    infoHash: string,
    page: PageRequest,
  ): Promise<PeersPage | undefined> {
    const local = this.#localSwarm(infoHash);
    if (!this.#relay?.connected || local?.protocol === "simple") {
      if (!local) return undefined;
      // Only the page's peers are formatted, whatever the swarm's size.
      const { protocol, swarm } = local;
      const found = pageOf(
        swarm.peers(),
        (a, b) => a.joinedAt - b.joinedAt || a.slot - b.slot,
        page,
        (peer) => this.#peerInfo(protocol, peer),
      );
      return { protocol, ...renamePeers(found) };
    }
    const mine =
      local?.swarm.peers().map((peer) => this.#peerInfo("webtorrent", peer)) ??
        [];
    const peers = await this.#relay.peers(infoHash, mine);
    if (peers.length === 0) return undefined;
    return {
      protocol: "webtorrent",
      ...renamePeers(pageOf(
        peers,
        (a, b) =>
          a.joinedAt.localeCompare(b.joinedAt) ||
          a.peerId.localeCompare(b.peerId),
        page,
        (peer) => peer,
      )),
    };
  }

  #peerInfo(protocol: "webtorrent" | "simple", peer: Peer): PeerInfo {
    return {
      peerId: this.#idText(protocol, peer.id),
      complete: peer.complete,
      joinedAt: new Date(peer.joinedAt).toISOString(),
      lastSeen: new Date(peer.lastSeen).toISOString(),
    };
  }

  /** This instance's swarm with this id: binary (WebTorrent) or as given (simple API). */
  #localSwarm(
    infoHash: string,
  ): { protocol: "webtorrent" | "simple"; swarm: Swarm } | undefined {
    const webtorrent = this.webtorrent.swarms.get(infoHash);
    if (webtorrent) return { protocol: "webtorrent", swarm: webtorrent };
    const simple = this.simple.swarms.get(infoHash);
    return simple && { protocol: "simple", swarm: simple };
  }
}

/** A page of a swarm's peers, for `GET /tracker/peers/:infoHash`. */
export interface PeersPage {
  /** Which dialect the swarm speaks. */
  protocol: "webtorrent" | "simple";
  /** The page, earliest joiners first. */
  peers: PeerInfo[];
  /** Peers in the swarm. */
  total: number;
  /** `?cursor=` of the next page; absent on the last. */
  nextCursor?: string;
}

function renamePeers(
  page: Page<PeerInfo>,
): Omit<PeersPage, "protocol"> {
  return { peers: page.items, total: page.total, nextCursor: page.nextCursor };
}
