import { otherInstancesFigures } from "../analytics/shared.ts";
import { formatMetrics } from "../analytics/prometheus.ts";
import type { HandlerContext } from "../runtime/types.ts";
import type { AppState } from "../utils/state.ts";

/** Prometheus metrics: tracker and player-reported P2P figures. */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const body = formatMetrics(
      ctx.state.tracker.stats(),
      ctx.state.analytics.snapshot(
        otherInstancesFigures(ctx.state.tracker.cluster),
      ),
    );
    return new Response(body, {
      headers: {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  },
};
