import { playerKind } from "../channels/channel.ts";
import type { Messages } from "../i18n/mod.ts";

/** What the viewer gets from a channel's URL: HLS with P2P, an embedded player, or a link. */
export function PlaysAs({ url, t }: { url: string; t: Messages }) {
  const kind = playerKind(url);
  const text = {
    hls: t.playsAsHls,
    iframe: t.playsEmbedded,
    link: t.playsAsLink,
  }[kind];
  return <p class={`plays plays-${kind}`}>{text}</p>;
}
