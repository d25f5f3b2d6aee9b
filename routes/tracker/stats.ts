import { otherInstancesFigures } from "../../analytics/shared.ts";
import type { HandlerContext } from "../../runtime/types.ts";
import type { AppState } from "../../utils/state.ts";

/** The version of this JSON's layout; it grows only by adding fields. */
export const STATS_SCHEMA_VERSION = 2;

/**
 * Tracker statistics and player-reported P2P figures as JSON; `?swarms=1`
 * adds per-swarm rows, `?history=1` per-minute history per channel.
 */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const flag = (name: string) =>
      ["1", "true"].includes(ctx.url.searchParams.get(name) ?? "");
    const { tracker, analytics } = ctx.state;
    // Across the cluster when there is one; history stays this instance's.
    const snapshot = analytics.snapshot(otherInstancesFigures(tracker.cluster));
    const p2p = flag("history")
      ? {
        ...snapshot,
        history: Object.fromEntries(
          Object.keys(snapshot.channels).map((c) => [c, analytics.history(c)]),
        ),
      }
      : snapshot;
    return Response.json({
      schemaVersion: STATS_SCHEMA_VERSION,
      ...tracker.stats(flag("swarms")),
      p2p,
    }, {
      headers: {
        "cache-control": "no-store",
        "access-control-allow-origin": "*",
      },
    });
  },
};
