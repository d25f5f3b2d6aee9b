import { hostnameOf } from "../../../utils/client_address.ts";
import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";

/**
 * A new session token for the player of `?channel=`, when the viewer zaps
 * to another channel inside the watch page (the page itself comes with
 * one). 429 past the address's budget of new sessions.
 */
export const handler = {
  async POST(
    req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    await req.body?.cancel(); // the channel is in the URL; a body is ignored
    const headers = { "cache-control": "no-store" };
    const channel = ctx.url.searchParams.get("channel") ?? "";
    if (!ctx.state.catalog.get(channel)) {
      return Response.json(
        { error: `Unknown channel ${channel.slice(0, 64)}` },
        {
          status: 404,
          headers,
        },
      );
    }
    const token = await ctx.state.sessions.issue(
      channel,
      hostnameOf(ctx.remoteAddr) ?? "unknown",
    );
    if (!token) {
      return Response.json({ error: "Too many new sessions: try later" }, {
        status: 429,
        headers: { ...headers, "retry-after": "10" },
      });
    }
    return Response.json({ token }, { headers });
  },
};
