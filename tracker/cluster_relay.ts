/**
 * The tracker's side of a cluster: what an announce, an answer and the
 * stats do when swarms span several instances. The tracker hands over to it
 * only while a shared engine is connected; everything else stays on the
 * synchronous single-instance path.
 * @module
 */
import type {
  AnnounceOptions,
  BackendHandlers,
  ClusterPeer,
  InstanceSummary,
  MemberRecord,
  PeerRef,
  RelayEnvelope,
  SwarmBackend,
} from "./cluster/backend.ts";
import { clusterTotals } from "./cluster/backend.ts";
import type { Connection } from "./connection.ts";
import { offerFrame, rememberOffer } from "./offers.ts";
import type { Offer } from "./protocol.ts";
import type { Registry } from "./registry.ts";
import type { ClusterStats, PeerInfo, TrackerCounters } from "./stats.ts";
import type { Peer } from "./swarm.ts";
import { binaryToHex } from "../utils/hex.ts";
import { log } from "../utils/log.ts";

/** What the relay needs from the tracker it serves. */
export interface RelayHost {
  /** The WebTorrent swarms of this instance. */
  registry: Registry;
  /** The tracker's counters. */
  counters: TrackerCounters;
  /** Current time in ms. */
  clock: () => number;
  /** Send the reply to an announce, counting `clusterSize` peers if known. */
  reply(connection: Connection, infoHash: string, clusterSize?: number): void;
  /** Relay offers to peers of this instance. */
  offerLocally(peer: Peer, offers: Offer[], targets: Peer[]): void;
  /** This instance's summary, published to the others. */
  summary(): Omit<InstanceSummary, "instance" | "at">;
}

/** The parts of an answer to relay to the instance of the offer's sender. */
export interface RemoteAnswer {
  /** The swarm. */
  infoHash: string;
  /** The answering peer. */
  from: string;
  /** The offering peer. */
  to: string;
  /** The offer answered. */
  offerId: string;
  /** The frame, serialized once. */
  frame: string;
}

/** A peer as the shared engine stores it. */
function memberRecord(peer: Peer): MemberRecord {
  return {
    infoHash: peer.swarm.infoHash,
    peerId: peer.id,
    complete: peer.complete,
    joinedAt: peer.joinedAt,
    lastSeen: peer.lastSeen,
  };
}

/** A cluster step failed in a way nobody awaits: say so, never crash. */
function logFailure(error: unknown): void {
  log.error("cluster.announce_failed", { error: String(error) });
}

/** Signaling across the instances of a cluster, on a shared engine. */
export class ClusterRelay {
  /** The shared engine. */
  readonly backend: SwarmBackend;
  #host: RelayHost;
  #relays = { out: 0, in: 0, outages: 0 };

  /** A relay for `host` on `backend`; nothing connects until {@linkcode start}. */
  constructor(backend: SwarmBackend, host: RelayHost) {
    this.backend = backend;
    this.#host = host;
  }

  /** Whether the engine is in use now (else the tracker runs local-only). */
  get connected(): boolean {
    return this.backend.state === "connected";
  }

  /** Join the cluster (see {@linkcode SwarmBackend.start}). */
  start(): Promise<void> {
    return this.backend.start(this.#handlers());
  }

  /** Withdraw this instance's peers and disconnect. */
  close(): Promise<void> {
    return this.backend.close();
  }

  /** A peer of this instance left its swarm. */
  forget(peer: Peer): void {
    this.backend.remove(peer.swarm.infoHash, peer.id);
  }

  /**
   * Answer an announce: one round trip to the engine refreshes the peer,
   * counts the swarm across instances (for the reply) and picks random peers
   * anywhere in it; then each offer goes to a local socket, or is published
   * once to the instance that holds its recipient. Never rejects.
   */
  announce(
    connection: Connection,
    peer: Peer,
    offers: Offer[],
    options: AnnounceOptions,
  ): void {
    this.#announce(connection, peer, offers, options).catch(logFailure);
  }

  async #announce(
    connection: Connection,
    peer: Peer,
    offers: Offer[],
    options: AnnounceOptions,
  ): Promise<void> {
    const host = this.#host;
    const { swarm } = peer;
    let targets: PeerRef[];
    try {
      const picked = await this.backend.announce(memberRecord(peer), options);
      targets = picked.peers;
      host.reply(connection, swarm.infoHash, picked.swarmSize);
    } catch {
      // The engine went away between the state check and the pick: stay local.
      host.reply(connection, swarm.infoHash);
      if (options.count > 0) {
        host.offerLocally(
          peer,
          offers,
          swarm.sample(options.count, peer, host.registry.random),
        );
      }
      return;
    }
    if (swarm.get(peer.id) !== peer) return; // it left while we waited
    const self = this.backend.instanceId;
    const now = host.clock();
    for (let i = 0; i < targets.length; i++) {
      const { peerId, instance } = targets[i]!;
      const { offer, offerId } = offers[i]!;
      const frame = offerFrame(peer, offer, offerId);
      if (instance !== self) {
        this.backend.send(instance, {
          kind: "offer",
          infoHash: swarm.infoHash,
          from: peer.id,
          fromInstance: self,
          to: peerId,
          offerId,
          frame,
        });
        this.#relays.out++;
        continue;
      }
      const target = swarm.get(peerId);
      if (target && target.connection.send(frame)) {
        host.counters.out.offer++;
        rememberOffer(target, offerId, { peerId: peer.id, peer, at: now });
      } else {
        host.counters.relayFailures++;
      }
    }
  }

  /**
   * Relay an answer to the instance whose peer made the offer; `false` if
   * the engine is out of reach.
   */
  answer(instance: string, answer: RemoteAnswer): boolean {
    if (!this.connected) return false;
    this.backend.send(instance, {
      kind: "answer",
      fromInstance: this.backend.instanceId,
      ...answer,
    });
    this.#relays.out++;
    return true;
  }

  /** A relay from another instance, for a peer whose socket is here. */
  #deliver(envelope: RelayEnvelope): void {
    const { counters, registry } = this.#host;
    this.#relays.in++;
    const target = registry.swarms.get(envelope.infoHash)?.get(envelope.to);
    if (!target || !target.connection.send(envelope.frame)) {
      counters.relayFailures++;
      return;
    }
    if (envelope.kind === "answer") {
      counters.out.answer++;
      return;
    }
    counters.out.offer++;
    rememberOffer(target, envelope.offerId, {
      peerId: envelope.from,
      instance: envelope.fromInstance,
      at: this.#host.clock(),
    });
  }

  #handlers(): BackendHandlers {
    return {
      deliver: (envelope) => this.#deliver(envelope),
      stateChanged: (state) => {
        if (state === "local-only") this.#relays.outages++;
      },
      localMembers: () => this.#localMembers(),
      localSwarms: () => this.#host.registry.swarms.keys(),
      summary: () => this.#host.summary(),
    };
  }

  *#localMembers(): Generator<MemberRecord> {
    for (const swarm of this.#host.registry.swarms.values()) {
      for (const peer of swarm.peers()) yield memberRecord(peer);
    }
  }

  /** Open player sockets of a channel on the other live instances. */
  remoteViewers(channel: string): number {
    if (!this.connected) return 0;
    let count = 0;
    for (const summary of this.backend.instances()) {
      if (summary.instance === this.backend.instanceId) continue; // counted live by the tracker
      count += summary.channels[channel] ?? 0;
    }
    return count;
  }

  /** The `cluster` block of the stats. */
  stats(): ClusterStats {
    const { backend } = this;
    return {
      backend: backend.kind,
      instance: backend.instanceId,
      state: backend.state,
      ...clusterTotals(this.connected ? backend.instances() : []),
      relays: { out: this.#relays.out, in: this.#relays.in },
      outages: this.#relays.outages,
    };
  }

  /**
   * A swarm's peers on every instance: `local` (this instance's, exact) plus
   * the others' from the engine; `local` alone if the engine fails.
   */
  async peers(infoHash: string, local: PeerInfo[]): Promise<PeerInfo[]> {
    const self = this.backend.instanceId;
    let remote: ClusterPeer[];
    try {
      remote = await this.backend.swarmPeers(infoHash);
    } catch {
      return local;
    }
    const peers = local.map((peer) => ({ ...peer, instance: self }));
    for (const peer of remote) {
      if (peer.instance === self) continue; // listed above, fresher
      peers.push({
        peerId: binaryToHex(peer.peerId),
        complete: peer.complete,
        joinedAt: new Date(peer.joinedAt).toISOString(),
        lastSeen: new Date(peer.lastSeen).toISOString(),
        instance: peer.instance,
      });
    }
    return peers.sort((a, b) => a.joinedAt.localeCompare(b.joinedAt));
  }
}
