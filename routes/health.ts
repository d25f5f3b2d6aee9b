import type { HandlerContext } from "../runtime/types.ts";
import type { AppState } from "../utils/state.ts";

/** Liveness for load balancers and uptime checks. */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const { version, uptimeSeconds, connections, peers, swarms } = ctx.state
      .tracker.stats();
    return Response.json({
      status: "ok",
      version,
      uptimeSeconds,
      connections,
      peers,
      swarms,
    }, {
      headers: { "cache-control": "no-store" },
    });
  },
};
