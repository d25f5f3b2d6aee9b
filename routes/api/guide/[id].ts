import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";
import { scheduleWindow } from "../../../channels/guide.ts";

/** A channel's programmes around now, from the program guide (JSON). */
export const handler = {
  GET(_req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const channel = ctx.params.id ?? "";
    if (!ctx.state.catalog.get(channel)) {
      return Response.json({ error: `Unknown channel ${channel}` }, {
        status: 404,
        headers: { "cache-control": "no-store" },
      });
    }
    const now = Date.now();
    const { from, to } = scheduleWindow(now);
    return Response.json({
      channel,
      now,
      programmes: ctx.state.guide?.guide.between(channel, from, to) ?? [],
    }, { headers: { "cache-control": "public, max-age=60" } });
  },
};
