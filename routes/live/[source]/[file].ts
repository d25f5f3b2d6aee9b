import { LIVE_PLAYLIST_CACHE } from "../../../live/source.ts";
import type { HandlerContext } from "../../../runtime/types.ts";
import type { AppState } from "../../../app/state.ts";

/** A simulated live channel's playlists; segments are the static media's. */
export const handler = {
  async GET(
    _req: Request,
    ctx: HandlerContext<unknown, AppState>,
  ): Promise<Response> {
    const text = await ctx.state.live.playlist(
      ctx.params.source ?? "",
      ctx.params.file ?? "",
    );
    if (text === undefined) return ctx.renderNotFound();
    return new Response(text, {
      headers: {
        "content-type": "application/vnd.apple.mpegurl",
        // Media playlists slide every segment; the master never changes within a build.
        "cache-control": ctx.params.file === "master.m3u8"
          ? "public, max-age=60"
          : LIVE_PLAYLIST_CACHE,
      },
    });
  },
};
