import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Channel } from "../channels/channel.ts";
import type { StreamKind } from "../channels/probe.ts";
import { ChannelInfo } from "../components/ChannelInfo.tsx";
import { LiveSchedule } from "../components/LiveSchedule.tsx";
import type { Programme } from "../channels/guide.ts";
import { HlsPlayer } from "../player/hls_player.tsx";
import { type Locale, messages } from "../i18n/mod.ts";
import type { PlayerP2PConfig } from "../p2p/config.ts";

/** A channel the player can show, with its stream kind. */
export interface PlayerChannel extends Channel {
  /** Live or VOD, read from its playlist. */
  kind: StreamKind;
}

/** Props of the {@linkcode Player} island. */
export interface PlayerProps {
  /** The channel to start with. */
  channel: PlayerChannel;
  /** HLS channels the viewer can zap to without leaving the page. */
  lineup: PlayerChannel[];
  /** The viewer's language. */
  locale: Locale;
  /** P2P settings from the server. */
  p2p: PlayerP2PConfig;
  /** The analytics session of this page view's first channel. */
  sessionToken?: string;
  /** The first channel's schedule from the program guide, at render time. */
  schedule?: { programmes: Programme[]; renderedAt: number; timeZone: string };
}

/**
 * The watch page's player island: the HLS player of the current channel,
 * its info, and a lineup to zap between HLS channels. The player is keyed by
 * channel, so a switch unmounts the old one completely (hls.js, P2P engine,
 * peers, tracker socket, timers) before the new one starts.
 */
export default function Player(
  { channel, lineup, locale, p2p, sessionToken, schedule }: PlayerProps,
) {
  const t = messages(locale);
  const current = useSignal(channel);
  // The page's session belongs to its first channel, once: a zap starts a new one.
  const firstToken = useRef(sessionToken);

  useEffect(() => {
    // Back and forward move between zapped channels.
    const onPopState = () => {
      const id = decodeURIComponent(location.pathname.split("/").pop() ?? "");
      const found = lineup.find((c) => c.id === id);
      if (found) {
        current.value = found;
        document.title = `${found.name} · ${t.siteName}`;
      }
    };
    addEventListener("popstate", onPopState);
    return () => removeEventListener("popstate", onPopState);
  }, [lineup]);

  const zap = (event: MouseEvent, next: PlayerChannel) => {
    if (
      event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0
    ) return; // new tab etc.
    event.preventDefault();
    if (next.id === current.value.id) return;
    firstToken.current = undefined;
    current.value = next;
    history.pushState(null, "", `/watch/${encodeURIComponent(next.id)}`);
    document.title = `${next.name} · ${t.siteName}`;
  };

  const active = current.value;
  return (
    <>
      <div class="player-frame">
        <HlsPlayer
          key={active.id}
          channelId={active.id}
          src={active.url}
          locale={locale}
          p2p={p2p}
          sessionToken={firstToken.current}
        />
      </div>
      <div class="watch-info">
        <ChannelInfo channel={active} kind={active.kind} t={t} />
        {active.programs.length === 0 && schedule && (
          <LiveSchedule
            channelId={active.id}
            programmes={active.id === channel.id ? schedule.programmes : []}
            renderedAt={schedule.renderedAt}
            locale={locale}
            timeZone={schedule.timeZone}
          />
        )}
        {lineup.length > 1 && (
          <nav class="lineup" aria-label={t.lineup}>
            <h2>{t.lineup}</h2>
            <ul>
              {lineup.map((c) => (
                <li key={c.id}>
                  <a
                    href={`/watch/${encodeURIComponent(c.id)}`}
                    aria-current={c.id === active.id ? "true" : undefined}
                    onClick={(event) => zap(event, c)}
                  >
                    {c.logo && (
                      <img src={c.logo} alt="" width="48" height="27" />
                    )}
                    <span>{c.name}</span>
                    {c.kind === "live" && (
                      <span class="badge live">● {t.live}</span>
                    )}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <a class="back" href="/">← {t.backToChannels}</a>
      </div>
    </>
  );
}
