/**
 * A swarm: the peers of one info_hash. Peers sit in a dense array so that
 * adding, removing (swap with the last) and picking k random peers cost
 * O(1), O(1) and O(k), whatever the swarm's size. With locality, each peer
 * also sits in one dense array per locality key it has (its network
 * prefix, network, region), so picking the nearest peers first costs O(k)
 * too.
 * @module
 */
import {
  farAllowance,
  listedNear,
  type LocalityKeys,
  nearLimit,
  nearQuota,
  NO_LOCALITY,
} from "./locality.ts";

/** Where a peer's messages go: one per WebSocket. */
export interface PeerConnection {
  /** Unique per process, for logs. */
  readonly id: number;
  /** Where the client sits (never shown to anyone); none by default. */
  readonly locality?: LocalityKeys;
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
  /** Its locality keys (its connection's), nearest first. */
  readonly near: LocalityKeys;
  /** Its index in the swarm's array of each of its keys, if it is listed there (see `listedNear`); maintained by the swarm. */
  nearSlots?: number[];
  /** The last pick that chose it (see {@linkcode Swarm.pickNear}). */
  picked?: number;
  /**
   * Offers relayed to this peer, by offer_id: it may answer only these.
   * Created on the first offer; oldest entries are dropped past a cap.
   */
  offers?: Map<string, OfferSource>;
  /**
   * Peers it exchanged an offer with lately (peer id to ms since epoch),
   * recorded on the instance that holds its socket; capped.
   */
  partners?: Map<string, number>;
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
  #near = new Map<string, Peer[]>();
  #complete = 0;
  #pick = 0;

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
    const near = connection.locality ?? NO_LOCALITY;
    const peer: Peer = {
      id,
      swarm: this,
      connection,
      complete: false,
      joinedAt: now,
      lastSeen: now,
      slot: this.#peers.length,
      near,
    };
    this.#peers.push(peer);
    this.#byId.set(id, peer);
    if (near.length > 0 && listedNear(id)) {
      peer.nearSlots = near.map((key) => {
        let bucket = this.#near.get(key);
        if (!bucket) {
          bucket = [];
          this.#near.set(key, bucket);
        }
        bucket.push(peer);
        return bucket.length - 1;
      });
    }
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
    for (let level = 0; level < (peer.nearSlots?.length ?? 0); level++) {
      const key = peer.near[level]!;
      const bucket = this.#near.get(key)!;
      const slot = peer.nearSlots![level]!;
      const moved = bucket.pop()!;
      if (moved !== peer) {
        bucket[slot] = moved;
        moved.nearSlots![moved.near.indexOf(key)] = slot;
      }
      if (bucket.length === 0) this.#near.delete(key);
    }
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

  /**
   * Up to `count` distinct peers other than `from`, nearest first: peers
   * sharing `from`'s first locality key, then its second, and so on, then
   * anyone. On `from`'s first announce `randomShare` of the picks
   * (rounded at random, so the share holds on average) are drawn from the
   * whole swarm, so a swarm never splits into islands; later announces of
   * a peer that has near peers go to near peers only (see
   * {@linkcode farAllowance}). `matched[level]` counts the picks made at
   * each key level. O(count), no copy of the swarm.
   */
  pickNear(
    count: number,
    from: Peer,
    random: () => number,
    options: {
      randomShare: number;
      /** `from`'s first announce in the swarm (the default). */
      firstAnnounce?: boolean;
      matched?: number[];
    },
  ): Peer[] {
    const near = from.near;
    if (near.length === 0 || count <= 0) {
      return this.sample(count, from, random);
    }
    const mark = ++this.#pick;
    from.picked = mark;
    const result: Peer[] = [];
    const wanted = Math.min(count, this.#peers.length - 1);
    const quota = nearQuota(wanted, options.randomShare, random);
    let nearLeft = nearLimit(wanted, quota, options.firstAnnounce);
    for (let level = 0; level < near.length && nearLeft > 0; level++) {
      const bucket = this.#near.get(near[level]!);
      if (!bucket) continue;
      // A partial shuffle in place (bucket order means nothing): the first
      // draws are random distinct peers of the bucket.
      for (let i = 0; i < bucket.length && nearLeft > 0; i++) {
        const j = i + Math.floor(random() * (bucket.length - i));
        const peer = bucket[j]!;
        if (j !== i) this.#swapInBucket(bucket, near[level]!, i, j);
        if (peer.picked === mark) continue;
        peer.picked = mark;
        result.push(peer);
        nearLeft--;
        if (options.matched) {
          options.matched[level] = (options.matched[level] ?? 0) + 1;
        }
      }
    }
    // The rest (the random share, or all when nobody is near) from anyone.
    const total = Math.min(
      wanted,
      result.length +
        farAllowance(wanted, quota, result.length, options.firstAnnounce),
    );
    const peers = this.#peers;
    let attempts = 4 * wanted + 8;
    while (result.length < total && attempts-- > 0) {
      const peer = peers[Math.floor(random() * peers.length)]!;
      if (peer.picked === mark) continue;
      peer.picked = mark;
      result.push(peer);
    }
    if (result.length < total) {
      // A small swarm mostly picked already: take whoever is left.
      for (const peer of peers) {
        if (result.length === total) break;
        if (peer.picked === mark) continue;
        peer.picked = mark;
        result.push(peer);
      }
    }
    return result;
  }

  #swapInBucket(bucket: Peer[], key: string, i: number, j: number): void {
    const a = bucket[i]!;
    const b = bucket[j]!;
    bucket[i] = b;
    bucket[j] = a;
    b.nearSlots![b.near.indexOf(key)] = i;
    a.nearSlots![a.near.indexOf(key)] = j;
  }
}
