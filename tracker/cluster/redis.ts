/**
 * The Redis backend, for self-hosted clusters.
 *
 * Keys (all under a prefix, `redflix` by default):
 * - `<p>:seen:<info_hash hex>`: a sorted set of `"<instance> <peer_id hex>"`
 *   scored by last announce. Readers ignore members older than the peer
 *   timeout, so a crashed instance's peers vanish within it; sweeps delete
 *   them and the key itself expires when nobody writes to it.
 * - `<p>:info:<info_hash hex>`: a hash, same members, `"<joinedAt> <0|1>"`.
 * - `<p>:inbox:<instance>`: the pub/sub channel of one instance's relays.
 * - `<p>:instances`: a hash of instance summaries (JSON), for cluster stats.
 *
 * An announce is one EVALSHA (refresh, random choice and count in a Lua
 * script), so one round trip; the relays of one tick to one instance are one
 * PUBLISH; commands issued in one tick leave in one write (node-redis
 * pipelines them).
 * @module
 */
import { createClient } from "@redis/client";
import {
  type AnnounceOptions,
  type BackendHandlers,
  type ClusterPeer,
  type ClusterState,
  decodeEnvelopes,
  encodeEnvelopes,
  type InstanceSummary,
  type MemberRecord,
  newInstanceId,
  type PickResult,
  type RelayEnvelope,
  SUMMARY_TTL_FACTOR,
  type SwarmBackend,
} from "./backend.ts";
import { listedNear, nearQuota } from "../locality.ts";
import { binaryToHex, digestHex } from "../../utils/hex.ts";
import { EngineState } from "./_engine_state.ts";
import {
  ANNOUNCE_SCRIPT,
  choose,
  details,
  type Drawn,
  parseMember,
  parseSummaryJson,
  SWEEP_NEAR_SCRIPT,
  SWEEP_SCRIPT,
} from "./_redis_wire.ts";
import { log } from "../../utils/log.ts";

/** Locality sets swept per heartbeat, at most (each is one command). */
const MAX_NEAR_SETS_SWEPT = 5000;

/** `[member, score, member, score, …]` as drawn members. */
function pairs(flat: unknown[]): Drawn[] {
  const drawn: Drawn[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    drawn.push({ value: String(flat[i]), score: Number(flat[i + 1]) });
  }
  return drawn;
}

/** Options of {@linkcode RedisBackend}. */
export interface RedisBackendOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Members silent this long are ignored, then deleted (ms). */
  peerTimeoutMs: number;
  /** Key prefix, so several deployments can share one Redis. */
  prefix?: string;
  /** How often this instance publishes its summary and sweeps (ms). */
  heartbeatMs?: number;
  /** This instance's id; random by default. */
  instanceId?: string;
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
}

/** A client that fails fast while Redis is down and reconnects by itself. */
export function newRedisClient(url: string) {
  return createClient({
    url,
    // Fail fast while Redis is down: the tracker falls back to local swarms.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      reconnectStrategy: (retries: number) =>
        Math.min(100 * 2 ** retries, 2000),
    },
  });
}

/** A client made by {@linkcode newRedisClient}. */
export type RedisClient = ReturnType<typeof newRedisClient>;

/** Swarm membership and relays on Redis. */
export class RedisBackend implements SwarmBackend {
  /** Which engine. */
  readonly kind = "redis" as const;
  /** This instance's id. */
  readonly instanceId: string;
  #engine: EngineState;
  #url: string;
  #prefix: string;
  #timeoutMs: number;
  #heartbeatMs: number;
  #clock: () => number;
  #command?: RedisClient;
  #subscriber?: RedisClient;
  #handlers?: BackendHandlers;
  #summaries: InstanceSummary[] = [];
  #heartbeat?: ReturnType<typeof setInterval>;
  #announceSha = "";
  #outbox = new Map<string, RelayEnvelope[]>();
  #outboxScheduled = false;

  /** A backend for the Redis at `options.url`; nothing connects until {@linkcode start}. */
  constructor(options: RedisBackendOptions) {
    this.#url = options.url;
    this.#prefix = options.prefix ?? "redflix";
    this.#timeoutMs = options.peerTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs ?? 5000;
    this.#clock = options.clock ?? Date.now;
    this.instanceId = options.instanceId ?? newInstanceId();
    this.#engine = new EngineState({
      backend: "redis",
      instanceId: this.instanceId,
      fallback: "local-only swarms until Redis is back",
    });
  }

  /** Whether Redis is reachable now. */
  get state(): ClusterState {
    return this.#engine.state;
  }

  /** Connect both clients (commands, and the inbox subscription). */
  async start(handlers: BackendHandlers, timeoutMs = 3000): Promise<void> {
    this.#handlers = handlers;
    this.#announceSha = await digestHex(
      new TextEncoder().encode(ANNOUNCE_SCRIPT),
      "SHA-1",
    );
    const command = newRedisClient(this.#url);
    const subscriber = newRedisClient(this.#url);
    this.#command = command;
    this.#subscriber = subscriber;
    for (const client of [command, subscriber]) {
      client.on("error", (error: Error) => this.#lost(error.message));
      client.on("end", () => this.#lost("connection closed"));
      client.on("ready", () => this.#checkReady());
    }
    const connected = Promise.all([
      command.connect(),
      subscriber.connect().then(() =>
        subscriber.subscribe(
          this.#inbox(this.instanceId),
          (message: string) => this.#receive(message),
        )
      ),
    ]).then(() => this.#checkReady());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    // Not connected in time: run local-only; reconnection goes on in the background.
    await Promise.race([connected.catch(() => {}), timeout]);
    clearTimeout(timer);
    this.#heartbeat = setInterval(() => this.#beat(), this.#heartbeatMs);
    Deno.unrefTimer(this.#heartbeat);
    if (this.#engine.state === "connected") await this.#beat();
    else this.#lost(`no answer within ${timeoutMs} ms`);
  }

  #inbox(instance: string): string {
    return `${this.#prefix}:inbox:${instance}`;
  }

  #seenKey(infoHash: string): string {
    return `${this.#prefix}:seen:${binaryToHex(infoHash)}`;
  }

  #infoKey(infoHash: string): string {
    return `${this.#prefix}:info:${binaryToHex(infoHash)}`;
  }

  /** A swarm's members sharing one locality key (kept inside Redis, never listed). */
  #nearKey(infoHash: string, key: string): string {
    return `${this.#prefix}:near:${binaryToHex(infoHash)}:${key}`;
  }

  #member(instance: string, peerId: string): string {
    return `${instance} ${binaryToHex(peerId)}`;
  }

  /** Connected once both clients (commands and the inbox) are ready. */
  #checkReady(): void {
    if (this.#command?.isReady && this.#subscriber?.isReady) {
      this.#engine.up(this.#handlers, (member) => this.upsert(member));
    }
  }

  #lost(reason: string): void {
    this.#engine.down(reason, this.#handlers);
    this.#summaries = [];
  }

  #ignore = (error: unknown): void => {
    if (log.enabled("debug")) {
      log.debug("cluster.command_failed", { error: String(error) });
    }
  };

  #receive(message: string): void {
    let envelopes: RelayEnvelope[];
    try {
      envelopes = decodeEnvelopes(message);
    } catch (error) {
      log.warn("cluster.bad_envelope", { error: String(error) });
      return;
    }
    for (const envelope of envelopes) this.#handlers?.deliver(envelope);
  }

  /** Add or refresh a member, details included (the announce script, drawing nobody). */
  upsert(member: MemberRecord): void {
    if (this.#engine.state !== "connected") return;
    this.announce(member, {
      count: 0,
      detailsChanged: true,
      firstAnnounce: false,
    }).catch(
      this.#ignore,
    );
  }

  /** Remove a member at once. */
  remove(infoHash: string, peerId: string, near?: readonly string[]): void {
    const client = this.#command;
    if (this.#engine.state !== "connected" || !client) return;
    const value = this.#member(this.instanceId, peerId);
    client.zRem(this.#seenKey(infoHash), value).catch(this.#ignore);
    client.hDel(this.#infoKey(infoHash), value).catch(this.#ignore);
    for (const key of near ?? []) {
      client.zRem(this.#nearKey(infoHash, key), value).catch(this.#ignore);
    }
  }

  /** Refresh a member and pick others: one EVALSHA, so one round trip. */
  async announce(
    member: MemberRecord,
    options: AnnounceOptions,
  ): Promise<PickResult> {
    const client = this.#command;
    if (!client) return { peers: [] };
    const cutoff = this.#clock() - this.#timeoutMs;
    const value = this.#member(this.instanceId, member.peerId);
    const call = {
      keys: [
        this.#seenKey(member.infoHash),
        this.#infoKey(member.infoHash),
        ...(member.near ?? []).map((key) =>
          this.#nearKey(member.infoHash, key)
        ),
      ],
      arguments: [
        String(member.lastSeen),
        value,
        options.detailsChanged ? details(member) : "",
        String(this.#timeoutMs * 2),
        String(cutoff),
        String(options.count > 0 ? options.count + 4 : 0),
        listedNear(member.peerId) ? "1" : "0",
      ],
    };
    let reply: unknown;
    try {
      reply = await client.evalSha(this.#announceSha, call);
    } catch (error) {
      // Redis restarted and forgot the script: EVAL sends it (and caches it).
      if (!String(error).includes("NOSCRIPT")) throw error;
      reply = await client.eval(ANNOUNCE_SCRIPT, call);
    }
    const [swarmSize, flat, ...nearFlat] = Array.isArray(reply) ? reply : [];
    if (
      typeof swarmSize !== "number" || !Array.isArray(flat) ||
      !nearFlat.every(Array.isArray)
    ) {
      throw new TypeError(`Unexpected reply to the announce script: ${reply}`);
    }
    const matched: number[] = [];
    const peers = choose(pairs(flat), options.count, cutoff, value, {
      draws: nearFlat.map((draw) => pairs(draw as unknown[])),
      quota: nearQuota(options.count, options.randomShare),
      firstAnnounce: options.firstAnnounce,
      matched,
    });
    return { peers, swarmSize, matched };
  }

  /** Queue a relay; this tick's relays to one instance go as one PUBLISH. */
  send(instance: string, envelope: RelayEnvelope): void {
    if (this.#engine.state !== "connected") return;
    const queued = this.#outbox.get(instance);
    if (queued) queued.push(envelope);
    else this.#outbox.set(instance, [envelope]);
    if (this.#outboxScheduled) return;
    this.#outboxScheduled = true;
    queueMicrotask(() => this.#publish());
  }

  #publish(): void {
    this.#outboxScheduled = false;
    const client = this.#command;
    const outbox = this.#outbox;
    this.#outbox = new Map();
    if (!client) return;
    for (const [instance, envelopes] of outbox) {
      client.publish(this.#inbox(instance), encodeEnvelopes(envelopes)).catch(
        this.#ignore,
      );
    }
  }

  /** Live members of a swarm across the cluster. */
  async swarmPeers(infoHash: string): Promise<ClusterPeer[]> {
    const client = this.#command;
    if (!client) return [];
    const cutoff = this.#clock() - this.#timeoutMs;
    const [seen, info] = await Promise.all([
      client.zRangeByScoreWithScores(this.#seenKey(infoHash), cutoff, "+inf"),
      client.hGetAll(this.#infoKey(infoHash)),
    ]);
    const peers: ClusterPeer[] = [];
    for (const { value, score } of seen) {
      const ref = parseMember(value);
      if (!ref) continue;
      const [joinedAt, complete] = (info[value] ?? "").split(" ");
      peers.push({
        ...ref,
        infoHash,
        lastSeen: score,
        joinedAt: Number(joinedAt) || score,
        complete: complete === "1",
      });
    }
    return peers;
  }

  /** Live instances' summaries, as of the last heartbeat. */
  instances(): readonly InstanceSummary[] {
    return this.#summaries;
  }

  /** Publish this instance's summary, read the others', sweep expired peers. */
  async #beat(): Promise<void> {
    const client = this.#command;
    const handlers = this.#handlers;
    if (this.#engine.state !== "connected" || !client || !handlers) return;
    const now = this.#clock();
    const own: InstanceSummary = {
      instance: this.instanceId,
      at: now,
      ...handlers.summary(),
    };
    const key = `${this.#prefix}:instances`;
    const cutoff = now - this.#timeoutMs;
    try {
      const swept = [...handlers.localSwarms()].map((infoHash) =>
        client.eval(SWEEP_SCRIPT, {
          keys: [this.#seenKey(infoHash), this.#infoKey(infoHash)],
          arguments: [String(cutoff)],
        })
      );
      // Locality sets that this instance's peers use lose their stale members too.
      const nearSets = new Set<string>();
      for (const { infoHash, near } of handlers.localMembers()) {
        for (const key of near ?? []) {
          if (nearSets.size < MAX_NEAR_SETS_SWEPT) {
            nearSets.add(this.#nearKey(infoHash, key));
          }
        }
      }
      for (const key of nearSets) {
        swept.push(
          client.eval(SWEEP_NEAR_SCRIPT, {
            keys: [key],
            arguments: [String(cutoff)],
          }),
        );
      }
      const [, all] = await Promise.all([
        client.hSet(key, this.instanceId, JSON.stringify(own)),
        client.hGetAll(key),
        ...swept,
      ]);
      const live: InstanceSummary[] = [];
      const summaryTtl = this.#heartbeatMs * SUMMARY_TTL_FACTOR;
      for (const [instance, json] of Object.entries(all)) {
        const summary = parseSummaryJson(json);
        if (summary && now - summary.at <= summaryTtl) live.push(summary);
        else if (!summary || now - summary.at > this.#timeoutMs) {
          client.hDel(key, instance).catch(this.#ignore); // long gone
        }
      }
      this.#summaries = live.sort((a, b) =>
        a.instance.localeCompare(b.instance)
      );
    } catch (error) {
      this.#ignore(error);
    }
  }

  /** Withdraw this instance's members and summary, then disconnect. */
  async close(): Promise<void> {
    if (this.#engine.closed) return;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    const client = this.#command;
    if (this.#engine.state === "connected" && client) {
      for (
        const { infoHash, peerId, near } of this.#handlers?.localMembers() ?? []
      ) {
        this.remove(infoHash, peerId, near);
      }
      await client.hDel(`${this.#prefix}:instances`, this.instanceId).catch(
        this.#ignore,
      );
    }
    const wasConnected = this.#engine.state === "connected";
    this.#engine.close();
    this.#publish(); // relays queued this tick still go
    await Promise.all(
      [this.#command, this.#subscriber].map(async (c) => {
        if (!c?.isOpen) return;
        // A clean QUIT only when Redis answers; never let shutdown wait on it.
        const quit = wasConnected ? c.close() : Promise.reject();
        const bound = new Promise((_, reject) => setTimeout(reject, 2000));
        await Promise.race([quit, bound]).catch(() => c.destroy());
      }),
    );
  }
}
