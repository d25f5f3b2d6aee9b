import { isBinaryId } from "../../../tracker/mod.ts";
import { hexToBinary } from "../../../utils/hex.ts";
import { parsePageRequest } from "../../../utils/paging.ts";
import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";

/** Peers per page, by default and at most. */
export const PEER_PAGE = { defaultLimit: 100, maxLimit: 1000 };

/**
 * The peers of one swarm (on every instance), a page at a time (`?limit=`,
 * `?cursor=`): ids as hex, join and last-seen times, never addresses.
 */
export const handler = {
  async GET(
    _req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const raw = ctx.params.infoHash ?? "";
    const headers = {
      "cache-control": "no-store",
      "access-control-allow-origin": "*",
    };
    let page;
    try {
      page = parsePageRequest(ctx.url.searchParams, PEER_PAGE);
    } catch (error) {
      return Response.json({ error: (error as Error).message }, {
        status: 400,
        headers,
      });
    }
    const { tracker } = ctx.state;
    // Across the cluster when there is one: a swarm spans every instance.
    const found =
      (/^[0-9a-f]{40}$/i.test(raw)
        ? await tracker.peersAcrossCluster(hexToBinary(raw), page)
        : undefined) ??
        await tracker.peersAcrossCluster(raw, page);
    if (!found) {
      const hint = raw.length === 40 || isBinaryId(raw)
        ? ""
        : " (give the info_hash as 40 hex characters, or URL-encoded)";
      return Response.json({
        error: `No swarm with info_hash ${raw.slice(0, 80)}${hint}`,
      }, { status: 404, headers });
    }
    return Response.json({ infoHash: raw, ...found }, { headers });
  },
};
