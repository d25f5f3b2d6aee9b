/**
 * Player-reported figures across the instances of a cluster: each instance
 * publishes its running totals with its summary (a few times a minute), and
 * adds the others' to its own when asked for figures. What another instance
 * published is checked like any input from the network.
 * @module
 */
import type { SharedFigures, SharedTotals } from "./aggregator.ts";
import type { SwarmBackend } from "../tracker/cluster/backend.ts";

/** Most channels taken from one instance's figures. */
const MAX_CHANNELS = 1000;

const FIELDS = [
  "viewers",
  "httpBytes",
  "p2pBytes",
  "uploadedBytes",
  "stalls",
  "ttffSum",
  "ttffCount",
] as const;

function parseTotals(value: unknown): SharedTotals | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const totals = {} as SharedTotals;
  for (const field of FIELDS) {
    const number = record[field];
    if (typeof number !== "number" || !Number.isFinite(number) || number < 0) {
      return undefined;
    }
    totals[field] = number;
  }
  return totals;
}

/** Figures another instance published, if they are well-formed. */
export function parseSharedFigures(value: unknown): SharedFigures | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { all, channels } = value as Record<string, unknown>;
  const parsedAll = parseTotals(all);
  if (!parsedAll || typeof channels !== "object" || channels === null) {
    return undefined;
  }
  const parsed: Record<string, SharedTotals> = {};
  for (const [id, totals] of Object.entries(channels).slice(0, MAX_CHANNELS)) {
    const channel = parseTotals(totals);
    if (channel && /^[a-z0-9-]{1,64}$/.test(id)) parsed[id] = channel;
  }
  return { all: parsedAll, channels: parsed };
}

/** The other live instances' figures (none without a connected cluster). */
export function otherInstancesFigures(
  cluster: SwarmBackend | undefined,
): SharedFigures[] {
  if (cluster?.state !== "connected") return [];
  const figures: SharedFigures[] = [];
  for (const summary of cluster.instances()) {
    if (summary.instance === cluster.instanceId) continue; // ours is live, not this copy
    const parsed = parseSharedFigures(summary.extra?.p2p);
    if (parsed) figures.push(parsed);
  }
  return figures;
}
