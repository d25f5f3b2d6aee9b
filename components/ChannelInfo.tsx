import type { Channel } from "../channels/channel.ts";
import { PlaysAs } from "./PlaysAs.tsx";
import type { StreamKind } from "../channels/probe.ts";
import type { Messages } from "../i18n/mod.ts";

/** Props of {@linkcode ChannelInfo}. */
export interface ChannelInfoProps {
  /** The channel shown. */
  channel: Channel;
  /** Live or VOD. */
  kind: StreamKind;
  /** UI text. */
  t: Messages;
}

/** Name, logo, category, quality, live/VOD and schedule of a channel. */
export function ChannelInfo({ channel, kind, t }: ChannelInfoProps) {
  return (
    <>
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
            {kind === "live" && <span class="badge live">● {t.live}</span>}
            {kind === "vod" && <span class="badge vod">{t.onDemand}</span>}
          </p>
          <PlaysAs url={channel.url} t={t} />
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
    </>
  );
}
