/**
 * A swarm: the peers of one info_hash. Peers sit in a dense array so that
 * adding, removing (swap with the last) and picking k random peers cost
 * O(1), O(1) and O(k), whatever the swarm's size.
 * @module
 */

/** Where a peer's messages go: one per WebSocket. */
export interface PeerConnection {
  /** Unique per process, for logs. */
  readonly id: number;
  /** Send a text frame; `false` if the socket is gone. */
  send(text: string): boolean;
}

/** A peer in a swarm. */
export interface Peer {
  /** The client's peer id. */
  readonly id: string;
  /** The swarm it is in. */
  readonly swarm: Swarm;
  /** Its socket. */
  readonly connection: PeerConnection;
  /** Seeder (`left` was 0 or it sent `completed`). */
  complete: boolean;
  /** When it joined (ms since epoch). */
  readonly joinedAt: number;
  /** When it last announced (ms since epoch). */
  lastSeen: number;
  /** Its index in the swarm's array; maintained by the swarm. */
  slot: number;
  /**
   * Offers relayed to this peer, by offer_id: it may answer only these.
   * Created on the first offer; oldest entries are dropped past a cap.
   */
  offers?: Map<string, OfferSource>;
}

/** Who sent an offer: a peer on this instance, or one on another instance. */
export interface OfferSource {
  /** The sender's peer_id. */
  peerId: string;
  /** The sender, when its socket is on this instance. */
  peer?: Peer;
  /** The sender's instance, when it is elsewhere in the cluster. */
  instance?: string;
  /** When the offer was relayed (ms since epoch). */
  at: number;
}

/** The peers of one info_hash. */
export class Swarm {
  /** The info_hash (a 20-character binary string, or any id for the simple API). */
  readonly infoHash: string;
  /** When the swarm was created. */
  readonly createdAt: number;
  /** Number of `completed` events seen: scrape's `downloaded`. */
  downloaded = 0;
  #peers: Peer[] = [];
  #byId = new Map<string, Peer>();
  #complete = 0;

  /** An empty swarm. */
  constructor(infoHash: string, createdAt: number) {
    this.infoHash = infoHash;
    this.createdAt = createdAt;
  }

  /** Number of peers. */
  get size(): number {
    return this.#peers.length;
  }

  /** Seeders. */
  get complete(): number {
    return this.#complete;
  }

  /** Leechers. */
  get incomplete(): number {
    return this.#peers.length - this.#complete;
  }

  /** The peer with this id. */
  get(peerId: string): Peer | undefined {
    return this.#byId.get(peerId);
  }

  /** All peers, in no particular order. */
  peers(): readonly Peer[] {
    return this.#peers;
  }

  /** Add a new peer; the caller checks that the id is free. */
  add(id: string, connection: PeerConnection, now: number): Peer {
    const peer: Peer = {
      id,
      swarm: this,
      connection,
      complete: false,
      joinedAt: now,
      lastSeen: now,
      slot: this.#peers.length,
    };
    this.#peers.push(peer);
    this.#byId.set(id, peer);
    return peer;
  }

  /** Mark a peer seeder or leecher. */
  setComplete(peer: Peer, complete: boolean): void {
    if (peer.complete === complete) return;
    peer.complete = complete;
    this.#complete += complete ? 1 : -1;
  }

  /** Remove a peer in O(1): the last peer takes its slot. */
  remove(peer: Peer): boolean {
    if (this.#peers[peer.slot] !== peer) return false;
    const last = this.#peers.pop()!;
    if (last !== peer) {
      last.slot = peer.slot;
      this.#peers[peer.slot] = last;
    }
    this.#byId.delete(peer.id);
    if (peer.complete) this.#complete--;
    return true;
  }

  /**
   * Up to `count` distinct random peers other than `exclude`, in O(count)
   * with Robert Floyd's sampling: no copy of the swarm is made.
   */
  sample(
    count: number,
    exclude: Peer | undefined,
    random: () => number,
  ): Peer[] {
    const excluded = exclude && this.#peers[exclude.slot] === exclude
      ? exclude.slot
      : -1;
    const n = this.#peers.length - (excluded === -1 ? 0 : 1);
    const k = Math.min(count, n);
    if (k <= 0) return [];
    const chosen = new Set<number>();
    for (let j = n - k; j < n; j++) {
      const t = Math.floor(random() * (j + 1));
      chosen.add(chosen.has(t) ? j : t);
    }
    const result: Peer[] = [];
    for (const index of chosen) {
      // Indexes skip the excluded slot: those at or after it shift by one.
      result.push(
        this.#peers[excluded !== -1 && index >= excluded ? index + 1 : index]!,
      );
    }
    return result;
  }
}
