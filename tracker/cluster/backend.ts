/**
 * What many tracker instances share to act as one: swarm membership with
 * expiry, random peer choice across instances, and a per-instance inbox for
 * the offers and answers whose recipient's socket is on another instance.
 *
 * The in-memory registry stays the source of truth for this instance's own
 * sockets; a backend only mirrors membership and carries relays. One
 * instance (the default) uses no backend at all, so its hot path is untouched.
 * @module
 */

/** A peer somewhere in the cluster. */
export interface PeerRef {
  /** Its peer_id (binary string, as on the wire). */
  peerId: string;
  /** The instance that holds its socket. */
  instance: string;
}

/** Options of {@linkcode SwarmBackend.announce}. */
export interface AnnounceOptions {
  /** Peers wanted (0: only refresh, and count the swarm). */
  count: number;
  /** The peer joined or became a seeder: its details must be written too. */
  detailsChanged: boolean;
  /**
   * Share of the picks drawn from the whole swarm even when the member has
   * locality keys (the rest go to members sharing its keys first); 1, or
   * no keys, is a plain random choice.
   */
  randomShare?: number;
  /**
   * The member's first announce in this swarm (the default): only then do
   * far members get the random share once near ones exist (see
   * `farAllowance`).
   */
  firstAnnounce?: boolean;
}

/** What {@linkcode SwarmBackend.announce} found. */
export interface PickResult {
  /** The chosen peers. */
  peers: PeerRef[];
  /** Live members of the swarm on every instance, if the engine counted them. */
  swarmSize?: number;
  /** How many of the peers were picked at each of the member's locality keys. */
  matched?: number[];
}

/** A peer as stored in the shared engine. */
export interface MemberRecord {
  /** The swarm's info_hash (binary string). */
  infoHash: string;
  /** Its peer_id (binary string). */
  peerId: string;
  /** Seeder or leecher. */
  complete: boolean;
  /** When it joined (ms since epoch). */
  joinedAt: number;
  /** When it last announced (ms since epoch). */
  lastSeen: number;
  /** Its locality keys, nearest first (kept inside the engine, never listed). */
  near?: readonly string[];
}

/** A peer listed by {@linkcode SwarmBackend.swarmPeers}. */
export interface ClusterPeer extends MemberRecord {
  /** The instance that holds its socket. */
  instance: string;
}

/** An offer or answer for a peer whose socket is on another instance. */
export interface RelayEnvelope {
  /** What the frame carries. */
  kind: "offer" | "answer";
  /** The swarm (binary info_hash). */
  infoHash: string;
  /** Sender's peer_id. */
  from: string;
  /** Sender's instance: where an answer to this offer must go. */
  fromInstance: string;
  /** Recipient's peer_id. */
  to: string;
  /** The offer_id the frame is about. */
  offerId: string;
  /** The WebSocket frame to deliver, already serialized: forwarded as is. */
  frame: string;
}

/** What one instance publishes about itself, a few times a minute. */
export interface InstanceSummary {
  /** Instance id. */
  instance: string;
  /** When it was published (ms since epoch). */
  at: number;
  /** Its WebTorrent peers. */
  peers: number;
  /** Its seeders. */
  seeders: number;
  /** Its open sockets. */
  connections: number;
  /** Its open player sockets, by channel id (tracker sockets, not reporting players). */
  connectedPlayers: Record<string, number>;
  /** What the app adds (players reporting now); untrusted when read back. */
  extra?: Record<string, unknown>;
}

/** Most channels taken from one summary. */
const MAX_SUMMARY_CHANNELS = 10_000;

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0
    ? value
    : undefined;
}

/**
 * A summary another instance published, checked like any input from the
 * network (an older instance during a rolling deploy, or a broken one);
 * `undefined` if it is not one.
 */
export function parseSummary(value: unknown): InstanceSummary | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  const [at, peers, seeders, connections] = [
    count(raw.at),
    count(raw.peers),
    count(raw.seeders),
    count(raw.connections),
  ];
  if (
    typeof raw.instance !== "string" || at === undefined ||
    peers === undefined || seeders === undefined || connections === undefined
  ) return undefined;
  const connectedPlayers: Record<string, number> = {};
  if (typeof raw.connectedPlayers === "object" && raw.connectedPlayers) {
    for (
      const [channel, players] of Object.entries(raw.connectedPlayers).slice(
        0,
        MAX_SUMMARY_CHANNELS,
      )
    ) {
      const n = count(players);
      if (n !== undefined) connectedPlayers[channel] = n;
    }
  }
  return {
    instance: raw.instance,
    at,
    peers,
    seeders,
    connections,
    connectedPlayers,
    extra: typeof raw.extra === "object" && raw.extra !== null
      ? raw.extra as Record<string, unknown>
      : undefined,
  };
}

/** Whether the shared engine is in use right now. */
export type ClusterState = "connected" | "local-only";

/** Callbacks a backend calls into the tracker. */
export interface BackendHandlers {
  /** A relay arrived for a peer on this instance. */
  deliver(envelope: RelayEnvelope): void;
  /** The engine became reachable (`connected`) or not (`local-only`). */
  stateChanged(state: ClusterState): void;
  /** This instance's peers, re-published when the engine comes back. */
  localMembers(): Iterable<MemberRecord>;
  /** The info_hashes of this instance's swarms: where it sweeps expired members. */
  localSwarms(): Iterable<string>;
  /** This instance's summary, published periodically. */
  summary(): Omit<InstanceSummary, "instance" | "at">;
}

/** A shared engine behind the tracker (Redis, Deno KV). */
export interface SwarmBackend {
  /** Which engine, for stats and logs. */
  readonly kind: "redis" | "kv";
  /** This instance's id, unique in the cluster. */
  readonly instanceId: string;
  /** Whether the engine is reachable now. */
  readonly state: ClusterState;
  /**
   * Connect and subscribe to this instance's inbox. Resolves once connected
   * or after `timeoutMs`; an engine that is down is retried in the
   * background (the tracker runs local-only meanwhile).
   */
  start(handlers: BackendHandlers, timeoutMs?: number): Promise<void>;
  /** Add or refresh a member; fire and forget (writes are batched). */
  upsert(member: MemberRecord): void;
  /**
   * What an announce needs, in one round trip where the engine allows:
   * refresh `member`, then pick up to `options.count` distinct random live
   * members of its swarm, on any instance, other than `member` itself; and
   * count the swarm when the engine can in the same round trip.
   */
  announce(member: MemberRecord, options: AnnounceOptions): Promise<PickResult>;
  /** Remove a member at once (it stopped, or its socket closed). */
  remove(infoHash: string, peerId: string, near?: readonly string[]): void;
  /**
   * Deliver a relay to the instance that holds its recipient; fire and
   * forget. Relays to one instance in one tick travel as one message.
   */
  send(instance: string, envelope: RelayEnvelope): void;
  /** Live members of one swarm across the cluster. */
  swarmPeers(infoHash: string): Promise<ClusterPeer[]>;
  /** The latest summaries of the live instances (this one included), cached. */
  instances(): readonly InstanceSummary[];
  /** Withdraw this instance's members and close the engine's connections. */
  close(): Promise<void>;
}

/** How long an instance summary counts as live: three missed heartbeats. */
export const SUMMARY_TTL_FACTOR = 3;

/** A random instance id: short, unique enough for a cluster's lifetime. */
export function newInstanceId(): string {
  return crypto.randomUUID().slice(0, 13).replace("-", "");
}

/**
 * Encode relays for the wire: per relay, a JSON header line (ids and the
 * frame's length), then the frame untouched (never escaped a second time).
 */
export function encodeEnvelopes(envelopes: readonly RelayEnvelope[]): string {
  let text = "";
  for (
    const { kind, infoHash, from, fromInstance, to, offerId, frame }
      of envelopes
  ) {
    text += JSON.stringify([
      kind,
      infoHash,
      from,
      fromInstance,
      to,
      offerId,
      frame.length,
    ]) +
      "\n" + frame;
  }
  return text;
}

/**
 * Decode what {@linkcode encodeEnvelopes} wrote.
 *
 * @throws {TypeError} if the text is not a list of relays.
 */
export function decodeEnvelopes(text: string): RelayEnvelope[] {
  const envelopes: RelayEnvelope[] = [];
  let at = 0;
  while (at < text.length) {
    const newline = text.indexOf("\n", at);
    let header: unknown;
    try {
      header = newline > at ? JSON.parse(text.slice(at, newline)) : undefined;
    } catch {
      header = undefined;
    }
    if (
      !Array.isArray(header) || header.length !== 7 ||
      !header.slice(0, 6).every((part) => typeof part === "string") ||
      (header[0] !== "offer" && header[0] !== "answer") ||
      !Number.isInteger(header[6]) || newline + 1 + header[6] > text.length
    ) {
      throw new TypeError(
        `Invalid relay envelope at ${at}: ${
          JSON.stringify(text.slice(at, at + 80))
        }`,
      );
    }
    const [kind, infoHash, from, fromInstance, to, offerId, length] =
      header as [
        "offer" | "answer",
        string,
        string,
        string,
        string,
        string,
        number,
      ];
    const frame = text.slice(newline + 1, newline + 1 + length);
    envelopes.push({ kind, infoHash, from, fromInstance, to, offerId, frame });
    at = newline + 1 + length;
  }
  return envelopes;
}

/** Sum the live instances' summaries: the cluster's totals. */
export function clusterTotals(summaries: readonly InstanceSummary[]): {
  instances: number;
  peers: number;
  seeders: number;
  connections: number;
} {
  let peers = 0, seeders = 0, connections = 0;
  for (const summary of summaries) {
    peers += summary.peers;
    seeders += summary.seeders;
    connections += summary.connections;
  }
  return { instances: summaries.length, peers, seeders, connections };
}
