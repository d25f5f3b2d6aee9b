/**
 * The program guide matched to the catalog: each channel's programmes from
 * the XMLTV guides, found by the playlist's own `tvg-id` (`GloboSP.br`),
 * else by display name. A channel whose catalog entry lists `programs`
 * keeps them: the catalog wins over the guide. Only a window around now is
 * kept, and a bounded number per channel, whatever the guides hold.
 * @module
 */
import type { Channel } from "./channel.ts";
import type { GuideProgramme, XmltvGuide } from "./xmltv.ts";

/** A programme of a channel. */
export interface Programme {
  /** Start (ms since the epoch). */
  start: number;
  /** End (ms since the epoch). */
  stop: number;
  /** Title. */
  title: string;
  /** Description, possibly empty. */
  description: string;
}

/** What is on a channel now, and next. */
export interface NowNext {
  /** On now, if anything. */
  now?: Programme;
  /** The one after (or the next one, if nothing is on now). */
  next?: Programme;
}

/** Hours of the past kept. */
export const KEEP_PAST_H = 12;
/** Hours of the future kept. */
export const KEEP_FUTURE_H = 36;
/** Programmes kept per channel. */
export const MAX_PER_CHANNEL = 200;

const HOUR = 3_600_000;

function fold(value: string): string {
  return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

/** The guide of a catalog at one moment. */
export class ProgramGuide {
  #byChannel: Map<string, Programme[]>;

  private constructor(byChannel: Map<string, Programme[]>) {
    this.#byChannel = byChannel;
  }

  /** A guide with nothing in it. */
  static empty(): ProgramGuide {
    return new ProgramGuide(new Map());
  }

  /**
   * Match `guides` to `channels` around `nowMs`: by guide id first, then by
   * display name (accent- and case-insensitive).
   */
  static match(
    channels: readonly Channel[],
    guides: readonly XmltvGuide[],
    nowMs: number,
  ): ProgramGuide {
    const byGuideId = new Map<string, Channel>();
    const byName = new Map<string, Channel>();
    for (const channel of channels) {
      if (channel.programs.length) continue; // the catalog's own schedule wins
      if (channel.guideId) {
        byGuideId.set(channel.guideId.toLowerCase(), channel);
      }
      byName.set(fold(channel.name), channel);
    }
    const from = nowMs - KEEP_PAST_H * HOUR;
    const to = nowMs + KEEP_FUTURE_H * HOUR;
    const byChannel = new Map<string, Programme[]>();
    for (const guide of guides) {
      const target = new Map<string, Channel | undefined>();
      const channelOf = (guideChannel: string) => {
        if (target.has(guideChannel)) return target.get(guideChannel);
        const found = byGuideId.get(guideChannel.toLowerCase()) ??
          (guide.channels.get(guideChannel) ?? [])
            .map((name) => byName.get(fold(name)))
            .find(Boolean);
        target.set(guideChannel, found);
        return found;
      };
      for (const programme of guide.programmes) {
        if (programme.stop < from || programme.start > to) continue;
        const channel = channelOf(programme.channel);
        if (!channel) continue;
        const list = byChannel.get(channel.id) ?? [];
        if (list.length >= MAX_PER_CHANNEL * 2) continue;
        list.push(toProgramme(programme));
        byChannel.set(channel.id, list);
      }
    }
    for (const [id, list] of byChannel) {
      list.sort((a, b) => a.start - b.start);
      // Overlaps from several guides: keep the first of each start time.
      const unique = list.filter((p, i) =>
        i === 0 || p.start !== list[i - 1]!.start
      );
      const now = unique.findIndex((p) => p.stop > nowMs);
      const first = Math.max(0, (now === -1 ? unique.length : now) - 10);
      byChannel.set(id, unique.slice(first, first + MAX_PER_CHANNEL));
    }
    return new ProgramGuide(byChannel);
  }

  /** Channels with at least one programme. */
  get channels(): number {
    return this.#byChannel.size;
  }

  /** Programmes in all. */
  get programmes(): number {
    let total = 0;
    for (const list of this.#byChannel.values()) total += list.length;
    return total;
  }

  /** What is on `channelId` at `atMs`, and next. */
  nowNext(channelId: string, atMs: number): NowNext {
    const list = this.#byChannel.get(channelId) ?? [];
    const index = list.findIndex((p) => p.stop > atMs);
    if (index === -1) return {};
    const current = list[index]!;
    return current.start <= atMs
      ? { now: current, next: list[index + 1] }
      : { next: current };
  }

  /** `channelId`'s programmes overlapping `[fromMs, toMs)`. */
  between(channelId: string, fromMs: number, toMs: number): Programme[] {
    return (this.#byChannel.get(channelId) ?? []).filter((p) =>
      p.stop > fromMs && p.start < toMs
    );
  }
}

function toProgramme(programme: GuideProgramme): Programme {
  return {
    start: programme.start,
    stop: programme.stop,
    title: programme.title,
    description: programme.description,
  };
}

/** The span the watch page's schedule shows: 3 hours back, 12 ahead. */
export function scheduleWindow(nowMs: number): { from: number; to: number } {
  return { from: nowMs - 3 * HOUR, to: nowMs + 12 * HOUR };
}
