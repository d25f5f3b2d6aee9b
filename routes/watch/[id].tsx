import { type Channel, playerKind } from "../../channels/channel.ts";
import { scheduleWindow } from "../../channels/guide.ts";
import Schedule from "../../islands/Schedule.tsx";
import { ChannelInfo } from "../../components/ChannelInfo.tsx";
import Player, { type PlayerChannel } from "../../islands/Player.tsx";
import { Head } from "../../runtime/head.ts";
import type { Handlers, PageProps } from "../../runtime/types.ts";
import type { AppState } from "../../app/state.ts";
import type { PlayerP2PConfig } from "../../p2p/config.ts";
import { hostnameOf } from "../../utils/client_address.ts";

/**
 * The iframe sandbox of an embedded channel. A page of another site keeps
 * its own origin (players need their storage) but can never reach ours; a
 * page of this site (a site path, or an absolute URL on `siteOrigin`) runs
 * scripts in an opaque origin, since scripts plus same-origin would let it
 * remove its own sandbox.
 */
export function iframeSandbox(url: string, siteOrigin: string): string {
  const sameSite = new URL(url, siteOrigin).origin === siteOrigin;
  return sameSite
    ? "allow-scripts allow-presentation"
    : "allow-scripts allow-same-origin allow-presentation";
}

/** What the watch page renders. */
export interface WatchData {
  /** The channel. */
  channel: Channel;
  /** This page view's analytics session, if the address has budget left. */
  sessionToken?: string;
  /** P2P settings of this page view (with its own TURN credentials). */
  p2p: PlayerP2PConfig;
}

/** Finds the channel (or answers with the 404 page) and mints this view's session. */
export const handler: Handlers<WatchData, AppState> = {
  async GET(_req, ctx) {
    const channel = ctx.state.catalog.get(ctx.params.id ?? "");
    if (!channel) return ctx.renderNotFound();
    const hls = playerKind(channel.url) === "hls";
    const sessionToken = hls
      ? await ctx.state.sessions.issue(
        channel.id,
        hostnameOf(ctx.remoteAddr) ?? "unknown",
      )
      : undefined;
    const { p2p, turn } = ctx.state;
    // TURN credentials of this page view: they work for TURN_CREDENTIAL_TTL, the secret never leaves.
    const pageP2P = hls && turn && p2p.enabled
      ? {
        ...p2p,
        iceServers: [
          ...p2p.iceServers,
          await turn.mint(Date.now(), crypto.randomUUID().slice(0, 8)),
        ],
      }
      : p2p;
    // The page carries a token and credentials of its own: never cached, never shared.
    return ctx.render({ channel, sessionToken, p2p: pageP2P }, {
      headers: { "cache-control": "private, no-store" },
    });
  },
};

/** Channels in the watch page's lineup: the channel's category, around it. */
const LINEUP_SIZE = 30;

/** The universal player: HLS gets the player island, anything else an iframe. */
export default function Watch(
  { data: { channel, sessionToken, p2p }, state, url }: PageProps<
    WatchData,
    AppState
  >,
) {
  const { t, locale, catalog } = state;
  const renderedAt = Date.now();
  const span = scheduleWindow(renderedAt);
  const schedule = {
    programmes: state.guide?.guide.between(channel.id, span.from, span.to) ??
      [],
    renderedAt,
    timeZone: state.timeZone ?? "UTC",
  };
  const withKind = (c: Channel): PlayerChannel => ({
    ...c,
    kind: catalog.kind(c.id),
  });
  return (
    <section class="watch">
      <Head>
        <title>{`${channel.name} · ${t.siteName}`}</title>
        <link rel="stylesheet" href="/watch.css" />
      </Head>
      {playerKind(channel.url) === "hls"
        ? (
          <Player
            channel={withKind(channel)}
            lineup={catalog.neighbours(
              channel,
              LINEUP_SIZE,
              (c) => playerKind(c.url) === "hls",
            ).map(withKind)}
            locale={locale}
            p2p={p2p}
            sessionToken={sessionToken}
            schedule={schedule}
          />
        )
        : (
          <>
            <div class="player-frame">
              {playerKind(channel.url) === "link"
                ? (
                  <div class="player-message">
                    <p>{t.dashUnsupported}</p>
                    <a href={channel.url} rel="noopener noreferrer">
                      {t.openStream}
                    </a>
                  </div>
                )
                : (
                  <iframe
                    class="embed"
                    src={channel.url}
                    title={`${t.embeddedPlayer}: ${channel.name}`}
                    allow="autoplay; fullscreen; encrypted-media; picture-in-picture"
                    sandbox={iframeSandbox(channel.url, url.origin)}
                    referrerpolicy="no-referrer"
                    allowFullScreen
                  />
                )}
            </div>
            <div class="watch-info">
              <ChannelInfo
                channel={channel}
                kind={catalog.kind(channel.id)}
                t={t}
              />
              {channel.programs.length === 0 && (
                <Schedule
                  channelId={channel.id}
                  locale={locale}
                  {...schedule}
                />
              )}
              <a class="back" href="/">← {t.backToChannels}</a>
            </div>
          </>
        )}
    </section>
  );
}
