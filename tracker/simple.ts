/**
 * The simple RedFlix signaling API, beside the WebTorrent dialect on the
 * same socket: `{"type":"announce","peerId","infoHash"}` gets the swarm's
 * peer list, and `{"type":"offer"|"answer"|"ice","from","to","data"}` is
 * relayed to `to` only if `from` is this socket's peer and both share a
 * swarm. Its swarms are a registry of their own (a namespace apart from
 * WebTorrent's), under the same caps; its errors are `{"type":"error"}`.
 * @module
 */
import type { Capacity } from "./capacity.ts";
import type { TrackerConfig } from "./config.ts";
import type { Connection } from "./connection.ts";
import { sendSimpleError } from "./failures.ts";
import {
  ProtocolError,
  type SimpleAnnounceMessage,
  type SimpleRelayMessage,
} from "./protocol.ts";
import { PeerIdTakenError, type Registry } from "./registry.ts";
import type { TrackerCounters } from "./stats.ts";
import type { Peer } from "./swarm.ts";

/** What the simple dialect works with. */
export interface SimpleOptions {
  /** The tracker's configuration. */
  config: TrackerConfig;
  /** The tracker's counters. */
  counters: TrackerCounters;
  /** The simple API's swarms. */
  registry: Registry;
  /** The caps both dialects share. */
  capacity: Capacity;
}

/** Announces and relays of the simple signaling API. */
export class SimpleDialect {
  #options: SimpleOptions;

  /** The dialect on `options.registry`. */
  constructor(options: SimpleOptions) {
    this.#options = options;
  }

  /** Join a swarm (under the shared caps) and answer with up to 50 other peers. */
  announce(connection: Connection, message: SimpleAnnounceMessage): void {
    const { registry, capacity, counters, config } = this.#options;
    let peer: Peer;
    try {
      if (!registry.peerOf(connection, message.infoHash)) {
        capacity.check(connection, registry, message.infoHash);
      }
      peer = registry.announce(connection, message.infoHash, message.peerId)
        .peer;
    } catch (error) {
      if (error instanceof PeerIdTakenError) {
        counters.refused.peerIdTaken++;
        sendSimpleError(
          connection,
          counters,
          `peerId ${message.peerId} is in use by another connection`,
        );
        return;
      }
      if (error instanceof ProtocolError) {
        sendSimpleError(connection, counters, error.message);
        return;
      }
      throw error;
    }
    const others = peer.swarm.sample(
      config.maxPeersListed,
      peer,
      registry.random,
    );
    const reply = {
      type: "peers",
      infoHash: message.infoHash,
      peers: others.map((p) => p.id),
    };
    if (connection.send(JSON.stringify(reply))) counters.out.peers++;
  }

  /** Relay opaque signaling data from this socket's peer to another in one of its swarms. */
  relay(connection: Connection, message: SimpleRelayMessage): void {
    const { registry, counters } = this.#options;
    let target: Peer | undefined;
    let fromKnown = false;
    for (const peer of registry.peersOf(connection)?.values() ?? []) {
      if (peer.id !== message.from) continue;
      fromKnown = true;
      target = peer.swarm.get(message.to);
      if (target) break;
    }
    if (!fromKnown || !target) {
      counters.relayFailures++;
      sendSimpleError(
        connection,
        counters,
        fromKnown
          ? `Unknown peer ${message.to}: not in a swarm with ${message.from}`
          : `Announce before relaying: ${message.from} is not a peer of this connection`,
      );
      return;
    }
    const frame = JSON.stringify({
      type: message.type,
      from: message.from,
      to: message.to,
      data: message.data,
    });
    if (target.connection.send(frame)) counters.out.relay++;
    else counters.relayFailures++;
  }
}
