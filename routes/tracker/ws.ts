import { upgradeToTracker } from "../../tracker/mod.ts";
import { hostnameOf } from "../../utils/client_address.ts";
import type { HandlerContext } from "../../runtime/types.ts";
import type { AppState } from "../../app/state.ts";

/** The tracker's WebSocket endpoint (WebTorrent protocol + simple API). */
export const handler = {
  GET(req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    return upgradeToTracker(
      req,
      ctx.state.tracker,
      hostnameOf(ctx.remoteAddr),
    );
  },
};
