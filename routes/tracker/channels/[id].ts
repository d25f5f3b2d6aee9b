import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";
import { hexToBinary } from "../../../utils/hex.ts";

/** Most swarms one request may ask about (a channel's renditions). */
export const MAX_SWARMS_ASKED = 16;

/**
 * How many players of a channel are connected to the tracker right now;
 * with `?swarms=<hex>,<hex>…` (info_hashes as 40 hex digits, at most
 * {@linkcode MAX_SWARMS_ASKED}) also how many peers each of those swarms
 * holds, so a player can see which rendition its channel's viewers watch.
 * Counts only: nothing about who they are.
 */
export const handler = {
  GET(req: Request, ctx: HandlerContext<unknown, AppState>): Response {
    const channel = ctx.params.id ?? "";
    const headers = { "cache-control": "no-store" };
    if (!ctx.state.catalog.get(channel)) {
      return Response.json({ error: `Unknown channel ${channel}` }, {
        status: 404,
        headers,
      });
    }
    const body: {
      channel: string;
      viewers: number;
      swarms?: Record<string, number>;
    } = { channel, viewers: ctx.state.tracker.connectedPlayers(channel) };
    const asked = new URL(req.url).searchParams.get("swarms");
    if (asked !== null) {
      const hashes = asked.split(",").filter(Boolean);
      if (
        hashes.length > MAX_SWARMS_ASKED ||
        !hashes.every((hash) => /^[0-9a-f]{40}$/.test(hash))
      ) {
        return Response.json({
          error:
            `Invalid swarms: at most ${MAX_SWARMS_ASKED} info_hashes of 40 lower-case hex digits, comma-separated`,
        }, { status: 400, headers });
      }
      body.swarms = Object.fromEntries(
        hashes.map((hash) => [
          hash,
          ctx.state.tracker.swarmPeers(hexToBinary(hash)),
        ]),
      );
    }
    return Response.json(body, { headers });
  },
};
