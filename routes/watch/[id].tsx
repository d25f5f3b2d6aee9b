import { type Channel, playerKind } from "../../channels/channel.ts";
import { ChannelInfo } from "../../components/ChannelInfo.tsx";
import Player, { type PlayerChannel } from "../../islands/Player.tsx";
import { Head } from "../../runtime/head.ts";
import type { Handlers, PageProps } from "../../runtime/types.ts";
import type { AppState } from "../../utils/state.ts";

/**
 * The iframe sandbox of an embedded channel. A page of another site keeps
 * its own origin (players need their storage) but can never reach ours; a
 * page of this site runs scripts in an opaque origin, since scripts plus
 * same-origin would let it remove its own sandbox.
 */
export function iframeSandbox(url: string): string {
  const sameSite = url.startsWith("/") && !url.startsWith("//");
  return sameSite
    ? "allow-scripts allow-presentation"
    : "allow-scripts allow-same-origin allow-presentation";
}

/** Finds the channel or answers with the 404 page. */
export const handler: Handlers<Channel, AppState> = {
  GET(_req, ctx) {
    const channel = ctx.state.catalog.get(ctx.params.id ?? "");
    return channel ? ctx.render(channel) : ctx.renderNotFound();
  },
};

/** The universal player: HLS gets the player island, anything else an iframe. */
export default function Watch(
  { data: channel, state }: PageProps<Channel, AppState>,
) {
  const { t, locale, catalog } = state;
  const withKind = (c: Channel): PlayerChannel => ({
    ...c,
    kind: catalog.kind(c.id),
  });
  return (
    <section class="watch">
      <Head>
        <title>{`${channel.name} · ${t.siteName}`}</title>
      </Head>
      {playerKind(channel.url) === "hls"
        ? (
          <Player
            channel={withKind(channel)}
            lineup={catalog.channels.filter((c) => playerKind(c.url) === "hls")
              .slice(0, 50).map(withKind)}
            locale={locale}
            p2p={state.p2p}
          />
        )
        : (
          <>
            <div class="player-frame">
              <iframe
                class="embed"
                src={channel.url}
                title={`${t.embeddedPlayer}: ${channel.name}`}
                allow="autoplay; fullscreen; encrypted-media; picture-in-picture"
                sandbox={iframeSandbox(channel.url)}
                referrerpolicy="no-referrer"
                allowFullScreen
              />
            </div>
            <div class="watch-info">
              <ChannelInfo
                channel={channel}
                kind={catalog.kind(channel.id)}
                t={t}
              />
              <a class="back" href="/">← {t.backToChannels}</a>
            </div>
          </>
        )}
    </section>
  );
}
