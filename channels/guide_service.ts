/**
 * Keeps the program guide fresh: fetches every XMLTV source on a schedule,
 * matches it to the catalog, and keeps the last good guide of a source when
 * a refresh fails (an outage of the guide's host never blanks the cards).
 * @module
 */
import { log } from "../utils/log.ts";
import type { Channel } from "./channel.ts";
import { ProgramGuide } from "./guide.ts";
import { fetchXmltv, type XmltvGuide, type XmltvLimits } from "./xmltv.ts";

/** A guide to read. */
export interface GuideSource {
  /** `http(s)://` URL, or a path on this site (`/guide/demo.xml`). */
  url: string;
  /**
   * The guide describes one day that repeats (the embedded demo): its
   * programmes are moved to the days around now.
   */
  repeatsDaily?: boolean;
}

/** What `/health` and `/metrics` say about the guide. */
export interface GuideState {
  /** Sources configured. */
  sources: number;
  /** Sources whose last refresh failed. */
  failing: number;
  /** When the last refresh ended (ms since the epoch), if any. */
  refreshedAt?: number;
  /** When every source last succeeded (ms since the epoch), if ever. */
  lastSuccessAt?: number;
  /** The last error, if the last refresh of some source failed. */
  lastError?: string;
  /** Channels with programmes. */
  channels: number;
  /** Programmes kept. */
  programmes: number;
}

/** Options of {@linkcode GuideService}. */
export interface GuideServiceOptions {
  /** Fetches a URL (site paths included). */
  fetcher: (url: string, signal: AbortSignal) => Promise<Response>;
  /** Size and time limits of one guide. */
  limits: XmltvLimits;
  /** The clock (ms since the epoch). */
  now?: () => number;
}

const DAY = 86_400_000;

/** Move a one-day guide to yesterday, today and tomorrow around `nowMs`. */
export function repeatDaily(guide: XmltvGuide, nowMs: number): XmltvGuide {
  const first = Math.min(...guide.programmes.map((p) => p.start));
  if (!Number.isFinite(first)) return guide;
  const base = Math.floor((nowMs - first) / DAY) * DAY;
  const programmes = [-1, 0, 1].flatMap((day) =>
    guide.programmes.map((p) => ({
      ...p,
      start: p.start + base + day * DAY,
      stop: p.stop + base + day * DAY,
    }))
  );
  return { channels: guide.channels, programmes };
}

/** The catalog's program guide, refreshed from its sources. */
export class GuideService {
  #sources: GuideSource[];
  #options: GuideServiceOptions;
  #channels: readonly Channel[];
  #lastGood = new Map<string, XmltvGuide>();
  #errors = new Map<string, string>();
  #guide = ProgramGuide.empty();
  #refreshedAt?: number;
  #lastSuccessAt?: number;
  #timer?: ReturnType<typeof setInterval>;
  #running?: Promise<void>;

  constructor(
    sources: GuideSource[],
    channels: readonly Channel[],
    options: GuideServiceOptions,
  ) {
    this.#sources = sources;
    this.#channels = channels;
    this.#options = options;
  }

  /** The guide as of the last refresh. */
  get guide(): ProgramGuide {
    return this.#guide;
  }

  /** The guide's health. */
  state(): GuideState {
    const lastError = [...this.#errors.values()].at(-1);
    return {
      sources: this.#sources.length,
      failing: this.#errors.size,
      refreshedAt: this.#refreshedAt,
      lastSuccessAt: this.#lastSuccessAt,
      ...(lastError ? { lastError } : {}),
      channels: this.#guide.channels,
      programmes: this.#guide.programmes,
    };
  }

  /**
   * Use these sources and channels from now on (a reloaded catalog):
   * guides already read are kept, new sources are fetched.
   */
  setSources(sources: GuideSource[], channels: readonly Channel[]): void {
    const added = sources.some((s) =>
      !this.#sources.some((known) => known.url === s.url)
    );
    this.#sources = sources;
    this.#channels = channels;
    for (const url of [...this.#lastGood.keys(), ...this.#errors.keys()]) {
      if (!sources.some((s) => s.url === url)) {
        this.#lastGood.delete(url);
        this.#errors.delete(url);
      }
    }
    this.#rematch();
    if (added) this.refresh();
  }

  /** Fetch every source once; never throws (failures are kept in {@linkcode state}). */
  refresh(): Promise<void> {
    this.#running ??= this.#refresh().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #refresh(): Promise<void> {
    await Promise.all(this.#sources.map(async (source) => {
      try {
        const guide = await fetchXmltv(
          source.url,
          this.#options.fetcher,
          this.#options.limits,
        );
        this.#lastGood.set(source.url, guide);
        this.#errors.delete(source.url);
        log.info("guide.refreshed", {
          url: source.url,
          channels: guide.channels.size,
          programmes: guide.programmes.length,
        });
      } catch (error) {
        const message = (error as Error).message;
        this.#errors.set(source.url, message);
        log.warn("guide.refresh_failed", {
          url: source.url,
          error: message,
          kept: this.#lastGood.has(source.url) ? "last good guide" : "none",
        });
      }
    }));
    const now = this.#now();
    this.#refreshedAt = now;
    if (this.#errors.size === 0) this.#lastSuccessAt = now;
    this.#rematch();
  }

  #rematch(): void {
    const now = this.#now();
    const guides = this.#sources.flatMap((source) => {
      const guide = this.#lastGood.get(source.url);
      if (!guide) return [];
      return [source.repeatsDaily ? repeatDaily(guide, now) : guide];
    });
    this.#guide = ProgramGuide.match(this.#channels, guides, now);
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** Refresh now, then every `minutes`; the guide's window also moves on each hour. */
  start(minutes: number): void {
    this.stop();
    this.refresh();
    const everyMs = Math.max(1, minutes) * 60_000;
    let lastRefresh = this.#now();
    this.#timer = setInterval(() => {
      if (this.#now() - lastRefresh >= everyMs) {
        lastRefresh = this.#now();
        this.refresh();
      } else {
        this.#rematch(); // keep the window around now without fetching
      }
    }, Math.min(everyMs, 3_600_000));
    Deno.unrefTimer(this.#timer);
  }

  /** Stop refreshing. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
