/**
 * Programme times as viewers read them: `20:30` in a time zone, and how far
 * into a programme now is.
 * @module
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/** `HH:MM` of `ms` in `timeZone` (the browser's own when `undefined`). */
export function clockTime(
  ms: number,
  locale: string,
  timeZone?: string,
): string {
  const key = `${locale}|${timeZone ?? ""}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone,
    });
    formats.set(key, format);
  }
  return format.format(ms);
}

/** The share of a programme already aired at `nowMs`, 0–100. */
export function airedPercent(
  programme: { start: number; stop: number },
  nowMs: number,
): number {
  const share = (nowMs - programme.start) / (programme.stop - programme.start);
  return Math.round(Math.min(1, Math.max(0, share)) * 100);
}
