/**
 * How the Deno KV backend writes: the mutations one tick queues, relays
 * turned into inbox entries (one instance's relays of a tick share entries
 * and ring its bell once), and commits in as few atomic writes as allowed.
 * @module
 */
import { encodeEnvelopes, type RelayEnvelope } from "./backend.ts";

/** How long an undelivered relay waits in an inbox (ms). */
export const INBOX_TTL_MS = 60_000;
/** Most mutations in one atomic commit (Deno KV allows 1000). */
export const MAX_BATCH = 500;
/** Most characters of relays in one inbox entry (a KV value holds 64 KiB). */
export const MAX_INBOX_ENTRY = 30_000;

/** A write the backend queued in this tick. */
export type Mutation =
  | { type: "set"; key: Deno.KvKey; value: unknown; expireIn: number }
  | { type: "delete"; key: Deno.KvKey }
  | { type: "ring"; key: Deno.KvKey }
  | { type: "relay"; instance: string; envelope: RelayEnvelope };

/** How inbox entries are named. */
export interface InboxNaming {
  /** A key under the backend's prefix. */
  key(...parts: Deno.KvKeyPart[]): Deno.KvKey;
  /** A new, increasing entry id. */
  nextId(): string;
}

/**
 * Turn queued relays into inbox entries: the relays of one tick to one
 * instance share entries (each under a KV value's size), and its bell
 * rings once.
 */
export function inboxWrites(
  batch: readonly Mutation[],
  naming: InboxNaming,
): Mutation[] {
  const relays = new Map<string, RelayEnvelope[]>();
  const writes: Mutation[] = [];
  for (const mutation of batch) {
    if (mutation.type !== "relay") {
      writes.push(mutation);
      continue;
    }
    const queued = relays.get(mutation.instance);
    if (queued) queued.push(mutation.envelope);
    else relays.set(mutation.instance, [mutation.envelope]);
  }
  for (const [instance, envelopes] of relays) {
    let chunk: RelayEnvelope[] = [];
    let size = 0;
    const leave = () => {
      writes.push({
        type: "set",
        key: naming.key("inbox", instance, naming.nextId()),
        value: encodeEnvelopes(chunk),
        expireIn: INBOX_TTL_MS,
      });
    };
    for (const envelope of envelopes) {
      if (size > 0 && size + envelope.frame.length > MAX_INBOX_ENTRY) {
        leave();
        chunk = [];
        size = 0;
      }
      chunk.push(envelope);
      size += envelope.frame.length + 200; // the header, generously
    }
    leave();
    writes.push({ type: "ring", key: naming.key("bell", instance) });
  }
  return writes;
}

/** Commit `writes` (relays already turned into entries) in atomic batches. */
export async function commitInBatches(
  kv: Deno.Kv,
  writes: readonly Mutation[],
): Promise<void> {
  for (let start = 0; start < writes.length; start += MAX_BATCH) {
    const atomic = kv.atomic();
    for (const mutation of writes.slice(start, start + MAX_BATCH)) {
      if (mutation.type === "set") {
        atomic.set(mutation.key, mutation.value, {
          expireIn: mutation.expireIn,
        });
      } else if (mutation.type === "delete") atomic.delete(mutation.key);
      else if (mutation.type === "ring") atomic.sum(mutation.key, 1n);
    }
    await atomic.commit();
  }
}
