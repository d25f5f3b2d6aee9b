import { otherInstancesViewers } from "../analytics/shared.ts";
import { formatMetrics } from "../analytics/prometheus.ts";
import type { HandlerContext } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** Prometheus metrics: tracker and player-reported P2P figures. */
export const handler = {
  async GET(
    _req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const { tracker, analytics } = ctx.state;
    const body = formatMetrics(
      tracker.stats(),
      await analytics.snapshot(otherInstancesViewers(tracker.cluster)),
      ctx.state.guide?.state(),
    );
    return new Response(body, {
      headers: {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  },
};
