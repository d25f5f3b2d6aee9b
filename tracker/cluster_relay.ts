/**
 * The tracker's side of a cluster: picks peers across instances, carries
 * offers and answers to the instance that holds their recipient, and hands
 * what other instances relay here to the same {@linkcode Delivery} the
 * tracker uses for its own sockets. The WebTorrent dialect calls it only
 * while a shared engine is connected; everything else stays on the
 * synchronous single-instance path.
 * @module
 */
import { LruCache } from "../utils/lru.ts";
import type {
  AnnounceOptions,
  BackendHandlers,
  ClusterPeer,
  InstanceSummary,
  MemberRecord,
  PickResult,
  RelayEnvelope,
  SwarmBackend,
} from "./cluster/backend.ts";
import { clusterTotals } from "./cluster/backend.ts";
import type { Delivery } from "./delivery.ts";
import type { Registry } from "./registry.ts";
import type { ClusterStats, PeerInfo } from "./stats.ts";
import type { Peer } from "./swarm.ts";
import { binaryToHex } from "../utils/hex.ts";

/** What the relay works with. */
export interface RelayOptions {
  /** The WebTorrent swarms of this instance (where relays for its sockets land). */
  registry: Registry;
  /** The one way frames reach local peers. */
  delivery: Delivery;
  /** This instance's summary, published to the others. */
  summary(): Omit<InstanceSummary, "instance" | "at">;
}

/** A relay to another instance, before this one stamps itself as the sender's instance. */
export type OutgoingRelay = Omit<RelayEnvelope, "fromInstance">;

/** A peer as the shared engine stores it. */
function memberRecord(peer: Peer): MemberRecord {
  return {
    infoHash: peer.swarm.infoHash,
    peerId: peer.id,
    complete: peer.complete,
    joinedAt: peer.joinedAt,
    lastSeen: peer.lastSeen,
    ...(peer.near.length ? { near: peer.near } : {}),
  };
}

/** How long a swarm's cluster-wide size, counted at an announce, is used (ms). */
const SIZE_TTL_MS = 30_000;

/** Signaling across the instances of a cluster, on a shared engine. */
export class ClusterRelay {
  /** The shared engine. */
  readonly backend: SwarmBackend;
  #options: RelayOptions;
  #relays = { out: 0, in: 0, outages: 0 };
  #swarmSizes = new LruCache<string, number>(10_000);

  /** A relay on `backend`; nothing connects until {@linkcode ClusterRelay.start}. */
  constructor(backend: SwarmBackend, options: RelayOptions) {
    this.backend = backend;
    this.#options = options;
  }

  /** Whether the engine is in use now (else the tracker runs local-only). */
  get connected(): boolean {
    return this.backend.state === "connected";
  }

  /** This instance's id in the cluster. */
  get instanceId(): string {
    return this.backend.instanceId;
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
    this.backend.remove(peer.swarm.infoHash, peer.id, peer.near);
  }

  /**
   * Refresh `peer` in the shared engine and pick up to `options.count`
   * random peers of its swarm on any instance, counting the swarm, in one
   * round trip; `undefined` if the engine failed meanwhile.
   */
  async pick(
    peer: Peer,
    options: AnnounceOptions,
  ): Promise<PickResult | undefined> {
    try {
      const picked = await this.backend.announce(memberRecord(peer), options);
      if (picked.swarmSize !== undefined) {
        this.#swarmSizes.set(
          peer.swarm.infoHash,
          picked.swarmSize,
          SIZE_TTL_MS,
        );
      }
      return picked;
    } catch {
      return undefined;
    }
  }

  /** Peers of a swarm on every instance, as last counted by an announce here (recent only). */
  swarmSize(infoHash: string): number | undefined {
    return this.#swarmSizes.get(infoHash);
  }

  /**
   * Send an offer or an answer to the instance that holds its recipient;
   * `false` if the engine is out of reach.
   */
  send(instance: string, relay: OutgoingRelay): boolean {
    if (!this.connected) return false;
    this.backend.send(instance, { ...relay, fromInstance: this.instanceId });
    this.#relays.out++;
    return true;
  }

  /** A relay from another instance, for a peer whose socket is here. */
  #receive(envelope: RelayEnvelope): void {
    const { registry, delivery } = this.#options;
    this.#relays.in++;
    const target = registry.swarms.get(envelope.infoHash)?.get(envelope.to);
    if (envelope.kind === "answer") {
      delivery.answer(target, envelope.frame);
    } else {
      delivery.offer(target, envelope.frame, envelope.offerId, {
        peerId: envelope.from,
        instance: envelope.fromInstance,
      });
    }
  }

  #handlers(): BackendHandlers {
    return {
      deliver: (envelope) => this.#receive(envelope),
      stateChanged: (state) => {
        if (state === "local-only") this.#relays.outages++;
      },
      localMembers: () => this.#localMembers(),
      localSwarms: () => this.#options.registry.swarms.keys(),
      summary: () => this.#options.summary(),
    };
  }

  *#localMembers(): Generator<MemberRecord> {
    for (const swarm of this.#options.registry.swarms.values()) {
      for (const peer of swarm.peers()) yield memberRecord(peer);
    }
  }

  /** Open player sockets of a channel on the other live instances. */
  remoteConnectedPlayers(channel: string): number {
    if (!this.connected) return 0;
    let count = 0;
    for (const summary of this.backend.instances()) {
      if (summary.instance === this.instanceId) continue; // counted live by the tracker
      count += summary.connectedPlayers[channel] ?? 0;
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
    const self = this.instanceId;
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
    return peers;
  }
}
