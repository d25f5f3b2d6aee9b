/**
 * Viewers reporting now across the instances of a cluster: each instance
 * publishes its {@linkcode ViewerCounts} with its summary (a few times a
 * minute) and adds the others' to its own. Totals need no such exchange:
 * every instance adds to the same store. What another instance published
 * is checked like any input from the network.
 * @module
 */
import { VIEWER_KEYS, type ViewerCounts, type ViewerKey } from "./figures.ts";
import { isChannelId } from "../channels/channel.ts";
import type { SwarmBackend } from "../tracker/cluster/mod.ts";

/** Most channels taken from one instance's counts. */
const MAX_CHANNELS = 1000;

/** Counts another instance published, keeping only well-formed entries. */
export function parseViewerCounts(value: unknown): ViewerCounts | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return undefined;
  }
  const parsed: ViewerCounts = {};
  for (
    const [id, statuses] of Object.entries(value).slice(0, MAX_CHANNELS)
  ) {
    if (!isChannelId(id) || typeof statuses !== "object" || !statuses) {
      continue;
    }
    const counts: Partial<Record<ViewerKey, number>> = {};
    for (const status of VIEWER_KEYS) {
      const n = (statuses as Record<string, unknown>)[status];
      if (typeof n === "number" && Number.isInteger(n) && n > 0 && n < 1e7) {
        counts[status] = n;
      }
    }
    parsed[id] = counts;
  }
  return parsed;
}

/** The other live instances' viewer counts (none without a connected cluster). */
export function otherInstancesViewers(
  cluster: SwarmBackend | undefined,
): ViewerCounts[] {
  if (cluster?.state !== "connected") return [];
  const counts: ViewerCounts[] = [];
  for (const summary of cluster.instances()) {
    if (summary.instance === cluster.instanceId) continue; // ours is live, not this copy
    const parsed = parseViewerCounts(summary.extra?.reportingViewers);
    if (parsed) counts.push(parsed);
  }
  return counts;
}
