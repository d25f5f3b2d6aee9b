import { type Channel, playerKind } from "../../channels/channel.ts";
import Player from "../../islands/Player.tsx";
import { Head } from "../../runtime/head.ts";
import type { Handlers, PageProps } from "../../runtime/types.ts";
import type { AppState } from "../../utils/state.ts";

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
  const { t, locale } = state;
  const kind = playerKind(channel.url);
  return (
    <section class="watch">
      <Head>
        <title>{`${channel.name} · ${t.siteName}`}</title>
      </Head>
      <div class="player-frame">
        {kind === "hls"
          ? (
            <Player
              channelId={channel.id}
              src={channel.url}
              locale={locale}
              p2p={state.p2p}
            />
          )
          : (
            <iframe
              class="embed"
              src={channel.url}
              title={`${t.embeddedPlayer}: ${channel.name}`}
              allow="autoplay; fullscreen; encrypted-media; picture-in-picture"
              sandbox="allow-scripts allow-same-origin allow-presentation"
              referrerpolicy="no-referrer"
              allowFullScreen
            />
          )}
      </div>
      <div class="watch-info">
        <div class="watch-title">
          {channel.logo && (
            <img src={channel.logo} alt="" width="64" height="36" />
          )}
          <div>
            <h1>{channel.name}</h1>
            <p class="meta">
              {channel.category && (
                <span class="category">{channel.category}</span>
              )}
              {channel.quality && (
                <span class="badge quality">{channel.quality}</span>
              )}
            </p>
          </div>
        </div>
        {channel.programs.length > 0 && (
          <section class="schedule">
            <h2>{t.programs}</h2>
            <ol>
              {channel.programs.map((program) => (
                <li key={`${program.start}-${program.title}`}>
                  {program.start && <time>{program.start}</time>}
                  <span>{program.title}</span>
                </li>
              ))}
            </ol>
          </section>
        )}
        <a class="back" href="/">← {t.backToChannels}</a>
      </div>
    </section>
  );
}
