import type { HandlerContext } from "../../runtime/types.ts";
import type { AppState } from "../../utils/state.ts";

/** Tracker statistics as JSON; `?swarms=1` adds per-swarm rows. */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const withSwarms = ["1", "true"].includes(
      ctx.url.searchParams.get("swarms") ?? "",
    );
    return Response.json(ctx.state.tracker.stats(withSwarms), {
      headers: {
        "cache-control": "no-store",
        "access-control-allow-origin": "*",
      },
    });
  },
};
