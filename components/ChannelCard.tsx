import type { Channel } from "../channels/channel.ts";
import type { StreamKind } from "../channels/probe.ts";
import type { Messages } from "../i18n/mod.ts";

/** Props of {@linkcode ChannelCard}. */
export interface ChannelCardProps {
  /** The channel to show. */
  channel: Channel;
  /** Live or VOD, read from the channel's playlist. */
  kind: StreamKind;
  /** UI text. */
  t: Messages;
}

/** A channel in the list: logo, name, category, quality and what is on. */
export function ChannelCard({ channel, kind, t }: ChannelCardProps) {
  const next = channel.programs[0];
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
          {next && (
            <p class="program">
              {next.start && <time>{next.start}</time>} {next.title}
            </p>
          )}
        </div>
      </a>
    </li>
  );
}
