import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { Programme } from "../channels/guide.ts";
import { type Locale, messages } from "../i18n/mod.ts";
import { airedPercent, clockTime } from "./guide_time.ts";

/** Props of {@linkcode LiveSchedule}. */
export interface LiveScheduleProps {
  /** The channel whose schedule it is. */
  channelId: string;
  /** Programmes around now, at render time. */
  programmes: Programme[];
  /** When the page was rendered (ms since the epoch). */
  renderedAt: number;
  /** The viewer's language. */
  locale: Locale;
  /** Time zone of the server's rendering; the browser then shows its own. */
  timeZone: string;
  /** How often the browser refreshes it (ms). */
  refreshMs?: number;
}

/**
 * A channel's schedule around now, with what is on marked and its progress.
 * Rendered on the server in `timeZone`; in the browser it switches to the
 * viewer's own time zone, follows the clock and refetches the guide
 * (`/api/guide/:id`) every minute and when the channel changes.
 */
export function LiveSchedule(
  { channelId, programmes, renderedAt, locale, timeZone, refreshMs = 60_000 }:
    LiveScheduleProps,
) {
  const t = messages(locale);
  const list = useSignal(programmes);
  const now = useSignal(renderedAt);
  const zone = useSignal<string | undefined>(timeZone);
  useEffect(() => {
    zone.value = undefined; // the viewer's own time zone from now on
    let stopped = false;
    const load = async () => {
      now.value = Date.now();
      try {
        const response = await fetch(
          `/api/guide/${encodeURIComponent(channelId)}`,
        );
        if (!response.ok) return;
        const body = await response.json() as { programmes?: Programme[] };
        if (!stopped && Array.isArray(body.programmes)) {
          list.value = body.programmes;
        }
      } catch {
        // Offline for a moment: keep what is shown.
      }
    };
    if (programmes.length === 0 || renderedAt < Date.now() - refreshMs) load();
    const timer = setInterval(load, refreshMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [channelId]);
  useEffect(() => {
    list.value = programmes;
  }, [channelId]);
  const shown = list.value.filter((p) => p.stop > now.value).slice(0, 12);
  if (shown.length === 0) return null;
  return (
    <section class="schedule" aria-label={t.programs}>
      <h2>{t.programs}</h2>
      <ol>
        {shown.map((programme) => {
          const onNow = programme.start <= now.value;
          return (
            <li
              key={programme.start}
              class={onNow ? "on-now" : undefined}
              aria-current={onNow ? "time" : undefined}
            >
              <time dateTime={new Date(programme.start).toISOString()}>
                {clockTime(programme.start, locale, zone.value)}
              </time>
              <span class="title">{programme.title}</span>
              {onNow && (
                <span
                  class="aired"
                  role="progressbar"
                  aria-label={t.onNow}
                  aria-valuenow={airedPercent(programme, now.value)}
                  aria-valuemin={0}
                  aria-valuemax={100}
                >
                  <span
                    style={`width:${airedPercent(programme, now.value)}%`}
                  />
                </span>
              )}
              {programme.description && (
                <p class="description">{programme.description}</p>
              )}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
