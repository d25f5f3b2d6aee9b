/**
 * What the operator's dashboard shows, in one bounded answer: the exact
 * totals, the most-watched channels (with their names and per-minute
 * history) and the biggest swarms. Served in the page and as
 * `GET /api/dashboard`, which the dashboard refreshes from.
 * @module
 */
import type { Aggregator } from "./aggregator.ts";
import type { FiguresSnapshot, HistoryBucket } from "./figures.ts";
import { otherInstancesViewers } from "./shared.ts";
import type { Tracker } from "../tracker/mod.ts";

/** Channels the dashboard lists (most viewers first). */
export const DASHBOARD_CHANNELS = 20;
/** Swarms the dashboard lists (biggest first). */
export const DASHBOARD_SWARMS = 12;

/** The dashboard's figures. */
export interface DashboardStats {
  /** Tracker peers. */
  peers: number;
  /** Tracker swarms. */
  swarms: number;
  /** Share of offers relayed to a nearby peer (0–1), if any were relayed. */
  nearShare?: number;
  /** The biggest swarms. */
  swarmDetails: Array<{ infoHash: string; peers: number; protocol: string }>;
  /** Player-reported figures: exact totals, the most-watched channels. */
  p2p: FiguresSnapshot & { history: Record<string, HistoryBucket[]> };
  /** Display names of the listed channels. */
  names: Record<string, string>;
}

/** Gather the dashboard's figures. */
export async function dashboardData(
  tracker: Tracker,
  analytics: Aggregator,
  nameOf: (channel: string) => string | undefined,
): Promise<DashboardStats> {
  const { peers, swarms, swarmDetails = [], locality } = tracker.stats({
    limit: DASHBOARD_SWARMS,
    offset: 0,
  });
  const snapshot = await analytics.snapshot(
    otherInstancesViewers(tracker.cluster),
  );
  const listed = Object.entries(snapshot.channels)
    .sort(([, a], [, b]) =>
      b.viewers - a.viewers ||
      b.httpBytes + b.p2pBytes - a.httpBytes - a.p2pBytes
    )
    .slice(0, DASHBOARD_CHANNELS);
  const history: Record<string, HistoryBucket[]> = {};
  const names: Record<string, string> = {};
  await Promise.all(listed.map(async ([id]) => {
    history[id] = (await analytics.history(id)).slice(-60);
    names[id] = nameOf(id) ?? id;
  }));
  const offers = locality.prefix + locality.network + locality.region +
    locality.random;
  return {
    peers,
    swarms,
    nearShare: offers ? (offers - locality.random) / offers : undefined,
    swarmDetails: swarmDetails.map(({ infoHash, peers, protocol }) => ({
      infoHash,
      peers,
      protocol,
    })),
    p2p: { ...snapshot, channels: Object.fromEntries(listed), history },
    names,
  };
}
