import { isBinaryId } from "../../../tracker/mod.ts";
import { hexToBinary } from "../../../utils/hex.ts";
import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../utils/state.ts";

/** The peers of one swarm (on every instance): ids as hex, join and last-seen times, never addresses. */
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
    const { tracker } = ctx.state;
    // Across the cluster when there is one: a swarm spans every instance.
    const found =
      (/^[0-9a-f]{40}$/i.test(raw)
        ? await tracker.peersAcrossCluster(hexToBinary(raw))
        : undefined) ??
        await tracker.peersAcrossCluster(raw);
    if (!found) {
      const hint = raw.length === 40 || isBinaryId(raw)
        ? ""
        : " (give the info_hash as 40 hex characters, or URL-encoded)";
      return Response.json({ error: `No swarm with info_hash ${raw}${hint}` }, {
        status: 404,
        headers,
      });
    }
    return Response.json({
      infoHash: raw,
      protocol: found.protocol,
      peers: found.peers,
    }, { headers });
  },
};
