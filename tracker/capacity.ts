/**
 * The tracker's capacity, one check for both dialects: swarms one
 * connection may join, peers in one swarm, peers in all. A simple-API
 * announce counts exactly like a WebTorrent one, so neither dialect can be
 * used to go around the caps or to fill the tracker for the other.
 * @module
 */
import type { TrackerConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import { ProtocolError } from "./protocol.ts";
import type { Registry } from "./registry.ts";
import type { TrackerCounters } from "./stats.ts";

/** Caps shared by every registry of one tracker. */
export class Capacity {
  #config: TrackerConfig;
  #counters: TrackerCounters;
  #registries: Registry[] = [];

  /** Caps from `config`, refusals counted in `counters`. */
  constructor(config: TrackerConfig, counters: TrackerCounters) {
    this.#config = config;
    this.#counters = counters;
  }

  /** Count `registry`'s swarms and peers against the caps too. */
  add(registry: Registry): void {
    this.#registries.push(registry);
  }

  /**
   * Refuse a new peer of `connection` in `registry`'s swarm `infoHash` when a
   * cap is reached, with a polite message (and `context` for WebTorrent).
   *
   * @throws {ProtocolError} naming the cap.
   */
  check(
    connection: Connection,
    registry: Registry,
    infoHash: string,
    context?: { action: "announce"; infoHash: string },
  ): void {
    const { refused } = this.#counters;
    const config = this.#config;
    let joined = 0;
    let peers = 0;
    for (const each of this.#registries) {
      joined += each.peersOf(connection)?.size ?? 0;
      peers += each.peerCount;
    }
    if (joined >= config.maxSwarmsPerConnection) {
      refused.swarmsPerConnection++;
      throw new ProtocolError(
        `Too many swarms on one connection: at most ${config.maxSwarmsPerConnection}`,
        context,
      );
    }
    if ((registry.swarms.get(infoHash)?.size ?? 0) >= config.maxPeersPerSwarm) {
      refused.peersPerSwarm++;
      throw new ProtocolError(
        `Swarm is full: at most ${config.maxPeersPerSwarm} peers`,
        context,
      );
    }
    if (peers >= config.maxPeers) {
      refused.totalPeers++;
      throw new ProtocolError("Tracker is full: try again later", context);
    }
  }
}
