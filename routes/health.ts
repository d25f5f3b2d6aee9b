import type { HandlerContext } from "../runtime/types.ts";
import type { AppState } from "../app/state.ts";

/** Liveness for load balancers and uptime checks; `degraded` while the cluster engine is unreachable. */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const { version, uptimeSeconds, connections, peers, swarms, cluster } = ctx
      .state.tracker.stats();
    const guide = ctx.state.guide?.state();
    // Still 200 when the cluster engine is down: this instance serves its own
    // swarms meanwhile, and taking every instance out of rotation would be worse.
    return Response.json({
      status: cluster?.state === "local-only" ? "degraded" : "ok",
      version,
      uptimeSeconds,
      connections,
      peers,
      swarms,
      ...(cluster && {
        cluster: {
          backend: cluster.backend,
          state: cluster.state,
          instances: cluster.instances,
        },
      }),
      ...(guide && guide.sources > 0 && { guide }),
    }, {
      headers: { "cache-control": "no-store" },
    });
  },
};
