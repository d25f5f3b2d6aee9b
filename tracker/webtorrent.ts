/**
 * The WebTorrent dialect (what p2p-media-loader and every WebTorrent client
 * speak): what happens on announce, answer and scrape, in one file, as
 * bittorrent-tracker keeps it in its swarm module. Offers go to random
 * peers of the swarm (on any instance when there is a cluster), answers
 * only to the peer whose offer was actually delivered.
 * @module
 */
import type { Capacity } from "./capacity.ts";
import type { ClusterRelay } from "./cluster_relay.ts";
import type { TrackerConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import type { Delivery } from "./delivery.ts";
import { sendFailure } from "./failures.ts";
import { OFFER_TTL_MS, offerFrame } from "./offers.ts";
import {
  type AnnounceMessage,
  type AnswerMessage,
  type Offer,
  ProtocolError,
  type ScrapeMessage,
} from "./protocol.ts";
import { PeerIdTakenError, type Registry } from "./registry.ts";
import type { TrackerCounters } from "./stats.ts";
import type { Peer } from "./swarm.ts";
import type { AnnounceOptions, PeerRef } from "./cluster/backend.ts";
import { levelOf } from "./locality.ts";
import { binaryToHex } from "../utils/hex.ts";
import { log } from "../utils/log.ts";

/** What the dialect works with. */
export interface WebTorrentOptions {
  /** The tracker's configuration. */
  config: TrackerConfig;
  /** The tracker's counters. */
  counters: TrackerCounters;
  /** The WebTorrent swarms of this instance. */
  registry: Registry;
  /** The caps both dialects share. */
  capacity: Capacity;
  /** The one way frames reach local peers. */
  delivery: Delivery;
  /** The cluster, if this instance is part of one. */
  relay?: ClusterRelay;
  /** Current time in ms. */
  clock: () => number;
}

/** A cluster step failed in a way nobody awaits: say so, never crash. */
function logClusterFailure(error: unknown): void {
  log.error("cluster.announce_failed", { error: String(error) });
}

/** Announces, answers and scrapes of the WebTorrent protocol. */
export class WebTorrentDialect {
  #options: WebTorrentOptions;

  /** The dialect on `options.registry`. */
  constructor(options: WebTorrentOptions) {
    this.#options = options;
  }

  /**
   * Join or refresh the swarm, reply, and relay the offers. Refused joins
   * throw a {@linkcode ProtocolError} the caller sends as `failure reason`.
   */
  announce(connection: Connection, message: AnnounceMessage): void {
    const { registry, capacity, counters, config, relay } = this.#options;
    const { infoHash, peerId } = message;
    if (message.event === "stopped") {
      const peer = registry.peerOf(connection, infoHash);
      if (peer?.id === peerId) registry.remove(peer, "stopped");
      this.reply(connection, infoHash);
      return;
    }
    const context = { action: "announce" as const, infoHash };
    if (!registry.peerOf(connection, infoHash)) {
      capacity.check(connection, registry, infoHash, context);
    }
    let peer: Peer;
    let joined: boolean;
    try {
      ({ peer, joined } = registry.announce(connection, infoHash, peerId));
    } catch (error) {
      if (error instanceof PeerIdTakenError) {
        counters.refused.peerIdTaken++;
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
    const count = Math.min(
      offers.length,
      message.numwant ?? offers.length,
      config.maxNumwant,
    );
    if (relay?.connected) {
      this.#announceAcrossCluster(connection, peer, offers, {
        count,
        detailsChanged: joined || peer.complete !== wasComplete,
        firstAnnounce: joined,
      }).catch(logClusterFailure);
      return;
    }
    // Local only (no cluster, or its engine is down): synchronous.
    this.reply(connection, infoHash);
    if (count > 0) {
      this.#options.delivery.offersTo(
        peer,
        offers,
        this.#pick(peer, count, joined),
      );
    }
  }

  /** Per-level tallies of one pick, reused: the hot path allocates nothing for them. */
  #matched: number[] = [];

  /**
   * Up to `count` peers of `peer`'s swarm for its offers: nearest first
   * with locality (keeping the configured random share on its first
   * announce), else at random; counted by how near they were chosen.
   */
  #pick(peer: Peer, count: number, firstAnnounce?: boolean): Peer[] {
    const { registry, config, counters } = this.#options;
    const tally = counters.locality;
    if (!config.locality.enabled || peer.near.length === 0) {
      const peers = peer.swarm.sample(count, peer, registry.random);
      tally.random += peers.length;
      return peers;
    }
    const matched = this.#matched;
    matched.length = 0;
    const peers = peer.swarm.pickNear(count, peer, registry.random, {
      randomShare: config.locality.randomShare,
      firstAnnounce,
      matched,
    });
    this.#count(peer, matched, peers.length);
    return peers;
  }

  /** Count `total` picks for `peer`, `matched[level]` of them at each of its keys. */
  #count(peer: Peer, matched: readonly number[], total: number): void {
    const tally = this.#options.counters.locality;
    let near = 0;
    for (let level = 0; level < matched.length; level++) {
      const picked = matched[level] ?? 0;
      tally[levelOf(peer.near[level]!)] += picked;
      near += picked;
    }
    tally.random += total - near;
  }

  /**
   * One round trip to the shared engine refreshes the peer, counts the
   * swarm for the reply and picks random peers on any instance; each offer
   * then goes to a local socket, or once to the instance that holds its
   * recipient. If the engine fails, the announce is served locally.
   */
  async #announceAcrossCluster(
    connection: Connection,
    peer: Peer,
    offers: readonly Offer[],
    options: AnnounceOptions,
  ): Promise<void> {
    const { relay, delivery, config } = this.#options;
    const { swarm } = peer;
    const locality = config.locality.enabled && peer.near.length > 0;
    const picked = await relay!.pick(peer, {
      ...options,
      randomShare: locality ? config.locality.randomShare : undefined,
    });
    if (!picked) {
      this.reply(connection, swarm.infoHash);
      if (options.count > 0) {
        delivery.offersTo(
          peer,
          offers,
          this.#pick(peer, options.count, options.firstAnnounce),
        );
      }
      return;
    }
    this.reply(connection, swarm.infoHash, picked.swarmSize);
    if (swarm.get(peer.id) !== peer) return; // it left while we waited
    this.#count(peer, picked.matched ?? [], picked.peers.length);
    picked.peers.forEach((target: PeerRef, i) => {
      const { offer, offerId } = offers[i]!;
      const frame = offerFrame(peer, offer, offerId);
      if (target.instance === relay!.instanceId) {
        delivery.offer(swarm.get(target.peerId), frame, offerId, {
          peerId: peer.id,
          peer,
        });
      } else {
        delivery.relayedOffer(peer, target.peerId);
        relay!.send(target.instance, {
          kind: "offer",
          infoHash: swarm.infoHash,
          from: peer.id,
          to: target.peerId,
          offerId,
          frame,
        });
      }
    });
  }

  /**
   * The reply to an announce. `clusterSize` (peers on every instance)
   * counts the other instances' peers as leechers: seeders are counted per
   * instance.
   */
  reply(connection: Connection, infoHash: string, clusterSize?: number): void {
    const { registry, config, counters } = this.#options;
    const swarm = registry.swarms.get(infoHash);
    const complete = swarm?.complete ?? 0;
    const incomplete = swarm?.incomplete ?? 0;
    const reply = {
      action: "announce",
      interval: config.announceIntervalS,
      info_hash: infoHash,
      complete,
      incomplete: clusterSize === undefined
        ? incomplete
        : Math.max(incomplete, clusterSize - complete),
    };
    if (connection.send(JSON.stringify(reply))) counters.out.announceReply++;
  }

  /**
   * Relay an answer to the peer that made the offer: only an offer this
   * peer was actually sent, within its time to live, and only once. One
   * that cannot be relayed gets a `failure reason` naming why: a relay
   * failure, not an invalid frame.
   */
  answer(connection: Connection, message: AnswerMessage): void {
    const { registry, counters, delivery, relay, clock } = this.#options;
    const { infoHash, peerId, toPeerId } = message;
    const context = { action: "announce" as const, infoHash };
    const sender = registry.peerOf(connection, infoHash);
    if (!sender || sender.id !== peerId) {
      delivery.failed();
      sendFailure(
        connection,
        counters,
        new ProtocolError(
          "Announce before answering: peer_id is not in this swarm on this connection",
          context,
        ),
      );
      return;
    }
    const source = sender.offers?.get(message.offerId);
    const local = source?.peer;
    if (
      !source || source.peerId !== toPeerId ||
      (local
        ? local.swarm.get(local.id) !== local
        : source.instance === undefined) ||
      clock() - source.at > OFFER_TTL_MS
    ) {
      delivery.failed();
      counters.refused.unknownOffer++;
      sendFailure(
        connection,
        counters,
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
      delivery.answer(local, frame);
      return;
    }
    const relayed = relay?.send(source.instance!, {
      kind: "answer",
      infoHash,
      from: peerId,
      to: toPeerId,
      offerId: message.offerId,
      frame,
    });
    if (!relayed) delivery.failed(); // its instance is out of reach for now
  }

  /** Counts of some swarms (or all, capped like every scrape). */
  scrape(connection: Connection, message: ScrapeMessage): void {
    const { registry, config, counters } = this.#options;
    const files: Record<
      string,
      { complete: number; incomplete: number; downloaded: number }
    > = {};
    const wanted = message.infoHashes.length > 0
      ? message.infoHashes
      : registry.swarms.keys();
    let count = 0;
    for (const infoHash of wanted) {
      if (count++ >= config.maxScrape) break;
      const swarm = registry.swarms.get(infoHash);
      files[infoHash] = {
        complete: swarm?.complete ?? 0,
        incomplete: swarm?.incomplete ?? 0,
        downloaded: swarm?.downloaded ?? 0,
      };
    }
    if (connection.send(JSON.stringify({ action: "scrape", files }))) {
      counters.out.scrape++;
    }
  }
}
