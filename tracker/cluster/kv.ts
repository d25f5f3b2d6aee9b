/**
 * The Deno KV backend, for Deno Deploy (and a local SQLite file).
 *
 * Keys:
 * - `["redflix", "member", info_hash, slot, instance, peer_id]` →
 *   `{ complete, joinedAt, lastSeen }`, written with `expireIn`. `slot` is a
 *   random number given at join, so listing from a random slot onwards is a
 *   random choice that reads only `count` entries, not the whole swarm.
 * - `["redflix", "near", info_hash, locality key, slot, instance, peer_id]`
 *   → `{ lastSeen }`, the same member under each of its locality keys, so
 *   nearby members are picked first the same way (kept inside KV, never
 *   listed).
 * - `["redflix", "inbox", instance, id]` → an encoded relay, and
 *   `["redflix", "bell", instance]`, a counter bumped in the same atomic
 *   write: each instance `watch`es its bell and drains its inbox.
 * - `["redflix", "instance", instance]` → its summary, for cluster stats.
 *
 * Writes made in one tick go out in one atomic commit. KV deletes expired
 * keys lazily, so readers also check `lastSeen`.
 * @module
 */
import {
  type AnnounceOptions,
  type BackendHandlers,
  type ClusterPeer,
  type ClusterState,
  decodeEnvelopes,
  type InstanceSummary,
  type MemberRecord,
  newInstanceId,
  parseSummary,
  type PeerRef,
  type PickResult,
  type RelayEnvelope,
  SUMMARY_TTL_FACTOR,
  type SwarmBackend,
} from "./backend.ts";
import { farAllowance, listedNear, nearLimit, nearQuota } from "../locality.ts";
import { EngineState } from "./_engine_state.ts";
import { commitInBatches, inboxWrites, type Mutation } from "./_kv_writes.ts";
import { log } from "../../utils/log.ts";

/** Options of {@linkcode KvBackend}. */
export interface KvBackendOptions {
  /** Opens the store: `() => Deno.openKv()` on Deploy, or a file path locally. */
  open: () => Promise<Deno.Kv>;
  /** Members silent this long are ignored, then expire (ms). */
  peerTimeoutMs: number;
  /** First key part, so several deployments can share one database. */
  prefix?: string;
  /** How often this instance publishes its summary (ms). */
  heartbeatMs?: number;
  /** This instance's id; random by default. */
  instanceId?: string;
  /** Current time in ms; injectable for tests. */
  clock?: () => number;
}

interface StoredMember {
  complete: boolean;
  joinedAt: number;
  lastSeen: number;
}

/** Swarm membership and relays on Deno KV. */
export class KvBackend implements SwarmBackend {
  /** Which engine. */
  readonly kind = "kv" as const;
  /** This instance's id. */
  readonly instanceId: string;
  #engine: EngineState;
  #open: () => Promise<Deno.Kv>;
  #prefix: string;
  #timeoutMs: number;
  #heartbeatMs: number;
  #clock: () => number;
  #kv?: Deno.Kv;
  #handlers?: BackendHandlers;
  #summaries: InstanceSummary[] = [];
  /** This instance's members and their random slots, by {@linkcode memberId}. */
  #slots = new Map<
    string,
    {
      infoHash: string;
      peerId: string;
      slot: number;
      near: readonly string[];
    }
  >();
  #pending: Mutation[] = [];
  #flushScheduled = false;
  #sequence = 0;
  #draining = false;
  #drainAgain = false;
  #watch?: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]>;
  #heartbeat?: ReturnType<typeof setInterval>;

  /** A backend on the store `options.open` returns; nothing opens until {@linkcode start}. */
  constructor(options: KvBackendOptions) {
    this.#open = options.open;
    this.#prefix = options.prefix ?? "redflix";
    this.#timeoutMs = options.peerTimeoutMs;
    this.#heartbeatMs = options.heartbeatMs ?? 5000;
    this.#clock = options.clock ?? Date.now;
    this.instanceId = options.instanceId ?? newInstanceId();
    this.#engine = new EngineState({
      backend: "kv",
      instanceId: this.instanceId,
      fallback: "local-only swarms until Deno KV answers again",
    });
  }

  /** Whether the store answered the last write. */
  get state(): ClusterState {
    return this.#engine.state;
  }

  /** Open the store and watch this instance's inbox. */
  async start(handlers: BackendHandlers, timeoutMs = 3000): Promise<void> {
    this.#handlers = handlers;
    try {
      const kv = await this.#open();
      this.#kv = kv;
      const stream = kv.watch([this.#bell(this.instanceId)]);
      this.#watch = stream.getReader();
      void this.#listen(this.#watch);
      await Promise.race([
        this.#beat(),
        new Promise((resolve) => setTimeout(resolve, timeoutMs)),
      ]);
    } catch (error) {
      this.#lost(String(error));
    }
    this.#heartbeat = setInterval(() => void this.#beat(), this.#heartbeatMs);
    Deno.unrefTimer(this.#heartbeat);
  }

  #key(...parts: Deno.KvKeyPart[]): Deno.KvKey {
    return [this.#prefix, ...parts];
  }

  #bell(instance: string): Deno.KvKey {
    return this.#key("bell", instance);
  }

  #memberKey(infoHash: string, peerId: string): Deno.KvKey | undefined {
    const own = this.#slots.get(memberId(infoHash, peerId));
    return own &&
      this.#key("member", infoHash, own.slot, this.instanceId, peerId);
  }

  /** This instance's entry for `peerId` under one of its locality keys. */
  #nearKey(
    infoHash: string,
    near: string,
    slot: number,
    peerId: string,
  ): Deno.KvKey {
    return this.#key("near", infoHash, near, slot, this.instanceId, peerId);
  }

  #connected(): void {
    this.#engine.up(this.#handlers, (member) => this.upsert(member));
  }

  #lost(reason: string): void {
    this.#engine.down(reason, this.#handlers);
    this.#summaries = [];
  }

  #enqueue(mutation: Mutation): void {
    this.#pending.push(mutation);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => void this.#flush());
  }

  /** Commit what this tick queued, in as few atomic writes as allowed. */
  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const kv = this.#kv;
    const batch = inboxWrites(this.#pending, {
      key: (...parts) => this.#key(...parts),
      nextId: () =>
        `${this.#clock().toString(36).padStart(9, "0")}-${this.instanceId}-${
          (this.#sequence++).toString(36)
        }`,
    });
    this.#pending = [];
    if (!kv) return;
    try {
      await commitInBatches(kv, batch);
    } catch (error) {
      this.#lost(String(error));
    }
  }

  /** Refresh a member, then pick others (two operations on KV). */
  async announce(
    member: MemberRecord,
    options: AnnounceOptions,
  ): Promise<PickResult> {
    this.upsert(member);
    return await this.#pick(member, options);
  }

  /** Add or refresh a member. */
  upsert(member: MemberRecord): void {
    if (this.#engine.state !== "connected") return;
    const { infoHash, peerId } = member;
    const id = memberId(infoHash, peerId);
    let own = this.#slots.get(id);
    if (!own) {
      // Listed under its keys only if it can serve its neighbours.
      const near = listedNear(peerId) ? member.near ?? [] : [];
      own = { infoHash, peerId, slot: Math.random(), near };
      this.#slots.set(id, own);
    }
    const value: StoredMember = {
      complete: member.complete,
      joinedAt: member.joinedAt,
      lastSeen: member.lastSeen,
    };
    this.#enqueue({
      type: "set",
      key: this.#memberKey(member.infoHash, member.peerId)!,
      value,
      expireIn: this.#timeoutMs,
    });
    for (const near of own.near) {
      this.#enqueue({
        type: "set",
        key: this.#nearKey(infoHash, near, own.slot, peerId),
        value: { lastSeen: member.lastSeen },
        expireIn: this.#timeoutMs,
      });
    }
  }

  /** Remove a member at once. */
  remove(infoHash: string, peerId: string): void {
    const key = this.#memberKey(infoHash, peerId);
    const own = this.#slots.get(memberId(infoHash, peerId));
    this.#slots.delete(memberId(infoHash, peerId));
    if (!key || !own || this.#engine.state !== "connected") return;
    this.#enqueue({ type: "delete", key });
    for (const near of own.near) {
      this.#enqueue({
        type: "delete",
        key: this.#nearKey(infoHash, near, own.slot, peerId),
      });
    }
  }

  /**
   * Live members of `member`'s swarm, never itself: those sharing its
   * locality keys first (the near quota), then random ones: the entries
   * after a random slot of each list, wrapping around.
   */
  async #pick(
    member: MemberRecord,
    options: AnnounceOptions,
  ): Promise<PickResult> {
    const kv = this.#kv;
    const { count } = options;
    // Counting a swarm would read all of it: KV leaves the size out.
    if (!kv || count <= 0) return { peers: [] };
    const cutoff = this.#clock() - this.#timeoutMs;
    const result: PeerRef[] = [];
    const seen = new Set<string>([`${this.instanceId}\n${member.peerId}`]);
    const take = async (prefix: Deno.KvKey, limit: number) => {
      let took = 0;
      const from = Math.random();
      for (
        const selector of [
          { prefix, start: [...prefix, from] },
          { prefix, end: [...prefix, from] },
        ]
      ) {
        const entries = kv.list<{ lastSeen: number }>(selector, {
          limit: limit + 4,
          consistency: "eventual",
        });
        for await (const { key, value } of entries) {
          if (took === limit || result.length === count) return took;
          const [instance, peerId] = key.slice(-2);
          if (typeof instance !== "string" || typeof peerId !== "string") {
            continue;
          }
          const id = `${instance}\n${peerId}`;
          if (value.lastSeen < cutoff || seen.has(id)) continue;
          seen.add(id);
          result.push({ instance, peerId });
          took++;
        }
      }
      return took;
    };
    const matched: number[] = [];
    const nearWanted = nearQuota(count, options.randomShare);
    let quota = nearLimit(count, nearWanted, options.firstAnnounce);
    for (const near of member.near ?? []) {
      if (quota <= 0) break;
      const took = await take(this.#key("near", member.infoHash, near), quota);
      matched.push(took);
      quota -= took;
    }
    await take(
      this.#key("member", member.infoHash),
      farAllowance(count, nearWanted, result.length, options.firstAnnounce),
    );
    return { peers: result, matched };
  }

  /** Leave a relay in the recipient instance's inbox and ring its bell. */
  send(instance: string, envelope: RelayEnvelope): void {
    if (this.#engine.state !== "connected") return;
    this.#enqueue({ type: "relay", instance, envelope });
  }

  async #listen(
    reader: ReadableStreamDefaultReader<Deno.KvEntryMaybe<unknown>[]>,
  ): Promise<void> {
    try {
      for (;;) {
        const { done } = await reader.read();
        if (done) return;
        void this.#drain();
      }
    } catch (error) {
      if (!this.#engine.closed) this.#lost(`watch ended: ${error}`);
    }
  }

  /** Deliver and delete everything in this instance's inbox. */
  async #drain(): Promise<void> {
    const kv = this.#kv;
    if (!kv) return;
    if (this.#draining) {
      this.#drainAgain = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#drainAgain = false;
        const done: Deno.KvKey[] = [];
        const inbox = kv.list<string>({
          prefix: this.#key("inbox", this.instanceId),
        });
        for await (const { key, value } of inbox) {
          done.push(key);
          try {
            for (const envelope of decodeEnvelopes(value)) {
              this.#handlers?.deliver(envelope);
            }
          } catch (error) {
            log.warn("cluster.bad_envelope", { error: String(error) });
          }
        }
        for (const key of done) this.#enqueue({ type: "delete", key });
      } while (this.#drainAgain);
    } catch (error) {
      this.#lost(String(error));
    } finally {
      this.#draining = false;
    }
  }

  /** Live members of a swarm across the cluster. */
  async swarmPeers(infoHash: string): Promise<ClusterPeer[]> {
    const kv = this.#kv;
    if (!kv) return [];
    const cutoff = this.#clock() - this.#timeoutMs;
    const peers: ClusterPeer[] = [];
    const entries = kv.list<StoredMember>({
      prefix: this.#key("member", infoHash),
    });
    for await (const { key, value } of entries) {
      const [instance, peerId] = key.slice(-2);
      if (
        typeof instance !== "string" || typeof peerId !== "string" ||
        value.lastSeen < cutoff
      ) continue;
      peers.push({ instance, peerId, infoHash, ...value });
    }
    return peers;
  }

  /** Live instances' summaries, as of the last heartbeat. */
  instances(): readonly InstanceSummary[] {
    return this.#summaries;
  }

  /** Publish this instance's summary and read the others'. */
  async #beat(): Promise<void> {
    const kv = this.#kv;
    const handlers = this.#handlers;
    if (!kv || !handlers || this.#engine.closed) return;
    const now = this.#clock();
    const ttl = this.#heartbeatMs * SUMMARY_TTL_FACTOR;
    const own: InstanceSummary = {
      instance: this.instanceId,
      at: now,
      ...handlers.summary(),
    };
    try {
      await kv.set(this.#key("instance", this.instanceId), own, {
        expireIn: ttl,
      });
      this.#connected();
      const live: InstanceSummary[] = [];
      for await (
        const { value } of kv.list<unknown>({
          prefix: this.#key("instance"),
        })
      ) {
        const summary = parseSummary(value);
        if (summary && now - summary.at <= ttl) live.push(summary);
      }
      this.#summaries = live.sort((a, b) =>
        a.instance.localeCompare(b.instance)
      );
    } catch (error) {
      this.#lost(String(error));
    }
  }

  /** Withdraw this instance's members and summary, then close the store. */
  async close(): Promise<void> {
    if (this.#engine.closed) return;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    if (this.#engine.state === "connected") {
      this.#enqueue({
        type: "delete",
        key: this.#key("instance", this.instanceId),
      });
      for (const { infoHash, peerId } of [...this.#slots.values()]) {
        this.remove(infoHash, peerId);
      }
      await this.#flush();
    }
    this.#engine.close();
    await this.#watch?.cancel().catch(() => {});
    this.#kv?.close();
  }
}

/** A member's map key: ids are binary, so the first one's length goes first. */
function memberId(infoHash: string, peerId: string): string {
  return `${infoHash.length}:${infoHash}${peerId}`;
}
