import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";

/** How many players of a channel are connected to the tracker right now. */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const channel = ctx.params.id ?? "";
    const headers = { "cache-control": "no-store" };
    if (!ctx.state.catalog.get(channel)) {
      return Response.json({ error: `Unknown channel ${channel}` }, {
        status: 404,
        headers,
      });
    }
    return Response.json({
      channel,
      viewers: ctx.state.tracker.connectedPlayers(channel),
    }, { headers });
  },
};
