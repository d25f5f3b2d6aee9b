import { otherInstancesViewers } from "../../analytics/shared.ts";
import { parsePageRequest } from "../../utils/paging.ts";
import type { HandlerContext } from "../../runtime/types.ts";
import type { AppState } from "../../app/state.ts";

/** The version of this JSON's layout; it grows only by adding fields. */
export const STATS_SCHEMA_VERSION = 2;

/** Swarm rows per page of `?swarms=1`, by default and at most. */
export const SWARM_PAGE = { defaultLimit: 100, maxLimit: 1000 };

/**
 * Tracker statistics and player-reported P2P figures as JSON; `?swarms=1`
 * adds a page of per-swarm rows (`?limit=`, `?cursor=`), `?history=1`
 * per-minute history per channel.
 */
export const handler = {
  async GET(
    _req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const headers = {
      "cache-control": "no-store",
      "access-control-allow-origin": "*",
    };
    const params = ctx.url.searchParams;
    const flag = (name: string) =>
      ["1", "true"].includes(params.get(name) ?? "");
    let swarms;
    try {
      swarms = flag("swarms")
        ? parsePageRequest(params, SWARM_PAGE)
        : undefined;
    } catch (error) {
      return Response.json({ error: (error as Error).message }, {
        status: 400,
        headers,
      });
    }
    const { tracker, analytics } = ctx.state;
    // Across the cluster when there is one.
    const snapshot = await analytics.snapshot(
      otherInstancesViewers(tracker.cluster),
    );
    const p2p = flag("history")
      ? {
        ...snapshot,
        history: Object.fromEntries(
          await Promise.all(
            Object.keys(snapshot.channels).map(async (c) =>
              [c, await analytics.history(c)] as const
            ),
          ),
        ),
      }
      : snapshot;
    return Response.json({
      schemaVersion: STATS_SCHEMA_VERSION,
      ...tracker.stats(swarms),
      p2p,
    }, { headers });
  },
};
