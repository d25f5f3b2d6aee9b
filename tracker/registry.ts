/**
 * The swarm registry: which peers are in which swarm, on which connection,
 * and when each last announced. It knows nothing of sockets or JSON.
 *
 * Timeouts cost O(expired): peers sit in a `Set` in last-seen order (a
 * refresh deletes and re-adds, moving the peer to the end), so a sweep
 * stops at the first peer that is still fresh.
 * @module
 */
import { type Peer, type PeerConnection, Swarm } from "./swarm.ts";
import { binaryToHex } from "../utils/hex.ts";

/** Why a peer left its swarm. */
export type LeaveReason = "stopped" | "closed" | "timeout" | "replaced";

/** What the registry reports, for logs and stats. */
export type RegistryEvent =
  | { type: "swarm-created"; swarm: Swarm }
  | { type: "swarm-removed"; swarm: Swarm }
  | { type: "peer-joined"; peer: Peer }
  | { type: "peer-left"; peer: Peer; reason: LeaveReason };

/** Options of {@linkcode Registry}. */
export interface RegistryOptions {
  /** Peers silent for this long are dropped by {@linkcode Registry.sweep}. */
  peerTimeoutMs: number;
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
  /** Random number in [0, 1); injectable for tests. */
  random?: () => number;
  /** Called for every membership change. */
  onEvent?: (event: RegistryEvent) => void;
}

/** A peer id that another connection already holds. */
export class PeerIdTakenError extends Error {
  /** An error naming the contested peer id (as hex). */
  constructor(peerId: string) {
    super(`peer_id ${binaryToHex(peerId)} is in use by another connection`);
    this.name = "PeerIdTakenError";
  }
}

/** Swarms keyed by info_hash. */
export class Registry {
  #swarms = new Map<string, Swarm>();
  #byLastSeen = new Set<Peer>();
  #byConnection = new Map<PeerConnection, Map<string, Peer>>();
  #timeoutMs: number;
  #clock: () => number;
  #random: () => number;
  #onEvent?: (event: RegistryEvent) => void;

  /** An empty registry. */
  constructor(options: RegistryOptions) {
    this.#timeoutMs = options.peerTimeoutMs;
    this.#clock = options.clock ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#onEvent = options.onEvent;
  }

  /** The swarms, by info_hash. */
  get swarms(): ReadonlyMap<string, Swarm> {
    return this.#swarms;
  }

  /** Peers in all swarms. */
  get peerCount(): number {
    return this.#byLastSeen.size;
  }

  /** The random source, for callers that pick among peers. */
  get random(): () => number {
    return this.#random;
  }

  /** The connection's peer in a swarm, if it announced there. */
  peerOf(connection: PeerConnection, infoHash: string): Peer | undefined {
    return this.#byConnection.get(connection)?.get(infoHash);
  }

  /** The connection's peers, by info_hash. */
  peersOf(connection: PeerConnection): ReadonlyMap<string, Peer> | undefined {
    return this.#byConnection.get(connection);
  }

  /**
   * Join a swarm, or refresh the peer's last-seen time if it is already in.
   * A connection has one peer per swarm: announcing a new peer_id replaces
   * its old one.
   *
   * @throws {PeerIdTakenError} if another connection holds `peerId` there.
   */
  announce(
    connection: PeerConnection,
    infoHash: string,
    peerId: string,
  ): { peer: Peer; joined: boolean } {
    const now = this.#clock();
    let swarm = this.#swarms.get(infoHash);
    const existing = swarm?.get(peerId);
    if (existing) {
      if (existing.connection !== connection) {
        throw new PeerIdTakenError(peerId);
      }
      existing.lastSeen = now;
      this.#byLastSeen.delete(existing);
      this.#byLastSeen.add(existing);
      return { peer: existing, joined: false };
    }
    const previous = this.peerOf(connection, infoHash);
    if (!swarm) {
      swarm = new Swarm(infoHash, now);
      this.#swarms.set(infoHash, swarm);
      this.#onEvent?.({ type: "swarm-created", swarm });
    }
    const peer = swarm.add(peerId, connection, now);
    this.#byLastSeen.add(peer);
    let own = this.#byConnection.get(connection);
    if (!own) {
      own = new Map();
      this.#byConnection.set(connection, own);
    }
    own.set(infoHash, peer);
    this.#onEvent?.({ type: "peer-joined", peer });
    // Removed after the new peer joined, so the swarm does not flap empty.
    if (previous) this.remove(previous, "replaced");
    return { peer, joined: true };
  }

  /** Remove a peer; the swarm goes when it is empty. */
  remove(peer: Peer, reason: LeaveReason): void {
    const { swarm } = peer;
    if (!swarm.remove(peer)) return;
    this.#byLastSeen.delete(peer);
    const own = this.#byConnection.get(peer.connection);
    if (own?.get(swarm.infoHash) === peer) {
      own.delete(swarm.infoHash);
      if (own.size === 0) this.#byConnection.delete(peer.connection);
    }
    this.#onEvent?.({ type: "peer-left", peer, reason });
    if (swarm.size === 0 && this.#swarms.get(swarm.infoHash) === swarm) {
      this.#swarms.delete(swarm.infoHash);
      this.#onEvent?.({ type: "swarm-removed", swarm });
    }
  }

  /** Remove every peer of a connection (its socket closed); returns how many. */
  removeConnection(connection: PeerConnection): number {
    const own = this.#byConnection.get(connection);
    if (!own) return 0;
    const peers = [...own.values()];
    for (const peer of peers) this.remove(peer, "closed");
    return peers.length;
  }

  /** Drop peers silent for longer than the timeout; returns how many. */
  sweep(): number {
    const deadline = this.#clock() - this.#timeoutMs;
    let dropped = 0;
    for (const peer of this.#byLastSeen) {
      if (peer.lastSeen > deadline) break; // the rest are fresher
      this.remove(peer, "timeout");
      dropped++;
    }
    return dropped;
  }
}
