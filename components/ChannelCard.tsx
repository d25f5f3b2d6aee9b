import type { Channel } from "../channels/channel.ts";
import { PlaysAs } from "./PlaysAs.tsx";
import type { StreamKind } from "../channels/probe.ts";
import type { Messages } from "../i18n/mod.ts";
import type { NowNext } from "../channels/guide.ts";
import { airedPercent, clockTime } from "./guide_time.ts";

/** Props of {@linkcode ChannelCard}. */
export interface ChannelCardProps {
  /** The channel to show. */
  channel: Channel;
  /** Live or VOD, read from the channel's playlist. */
  kind: StreamKind;
  /** UI text. */
  t: Messages;
  /** What the program guide says is on now and next, if it knows. */
  onAir?: NowNext;
  /** The time the page is rendered (ms since the epoch). */
  now?: number;
  /** The viewer's locale and the time zone times are shown in. */
  clock?: { locale: string; timeZone: string };
}

/** A channel in the list: logo, name, category, quality and what is on. */
export function ChannelCard(
  { channel, kind, t, onAir, now = Date.now(), clock }: ChannelCardProps,
) {
  const next = channel.programs[0];
  const time = (ms: number) =>
    clock ? clockTime(ms, clock.locale, clock.timeZone) : "";
  return (
    <li class="channel-card" data-kind={kind}>
      <a
        href={`/watch/${encodeURIComponent(channel.id)}`}
        aria-label={`${t.watch}: ${channel.name}`}
      >
        <div class="channel-logo">
          {channel.logo
            ? (
              <img
                src={channel.logo}
                alt=""
                loading="lazy"
                width="96"
                height="54"
              />
            )
            : (
              <span aria-hidden="true">
                {channel.name.slice(0, 2).toUpperCase()}
              </span>
            )}
          {channel.quality && (
            <span class="badge quality">{channel.quality}</span>
          )}
          {kind === "live" && <span class="badge live">● {t.live}</span>}
          {kind === "vod" && <span class="badge vod">{t.onDemand}</span>}
        </div>
        <div class="channel-info">
          <h2>{channel.name}</h2>
          {channel.category && <p class="category">{channel.category}</p>}
          <PlaysAs url={channel.url} t={t} />
          {next && (
            <p class="program">
              {next.start && <time>{next.start}</time>} {next.title}
            </p>
          )}
          {!next && onAir?.now && (
            <p class="program now">
              <span class="visually-hidden">{t.onNow}:</span>
              <span>{onAir.now.title}</span>
              <span
                class="aired"
                role="progressbar"
                aria-valuenow={airedPercent(onAir.now, now)}
                aria-valuemin={0}
                aria-valuemax={100}
              >
                <span style={`width:${airedPercent(onAir.now, now)}%`} />
              </span>
            </p>
          )}
          {!next && onAir?.next && (
            <p class="program next">
              {t.upNext}{" "}
              <time dateTime={new Date(onAir.next.start).toISOString()}>
                {time(onAir.next.start)}
              </time>{" "}
              {onAir.next.title}
            </p>
          )}
        </div>
      </a>
    </li>
  );
}
