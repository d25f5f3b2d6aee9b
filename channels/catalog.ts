/**
 * The channel catalog: loaded from `CHANNELS_FILE` (M3U or JSON) or the
 * embedded default, searchable by name and category.
 * @module
 */
import { type Channel, parseChannel, playerKind } from "./channel.ts";
import { type ProbeOptions, probeStream, type StreamKind } from "./probe.ts";
import { type CatalogResult, parseM3u } from "./m3u.ts";
import { DEFAULT_CHANNELS } from "./default.ts";
import { log } from "../utils/log.ts";

/** Parse a JSON catalog: an array of channels or `{ "channels": [...] }`. */
export function parseJsonCatalog(text: string, file: string): CatalogResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      channels: [],
      problems: [{
        where: file,
        message: `Invalid JSON: ${(error as Error).message}`,
      }],
    };
  }
  const list = Array.isArray(data)
    ? data
    : (data as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(list)) {
    return {
      channels: [],
      problems: [{
        where: file,
        message: 'Expected an array or {"channels": [...]}',
      }],
    };
  }
  const result: CatalogResult = { channels: [], problems: [] };
  const ids = new Set<string>();
  list.forEach((entry, index) => {
    const where = `${file}#${index}`;
    try {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        throw new TypeError("Invalid channel: expected an object");
      }
      const channel = parseChannel(entry as Record<string, unknown>);
      if (ids.has(channel.id)) {
        throw new TypeError(`Duplicate channel id "${channel.id}"`);
      }
      ids.add(channel.id);
      result.channels.push(channel);
    } catch (error) {
      result.problems.push({ where, message: (error as Error).message });
    }
  });
  return result;
}

/** Parse catalog text as JSON or M3U, by extension, else by content. */
export function parseCatalog(text: string, file: string): CatalogResult {
  const isJson = /\.json$/i.test(file) ||
    (!/\.m3u8?$/i.test(file) && /^\s*[[{]/.test(text));
  return isJson ? parseJsonCatalog(text, file) : parseM3u(text, file);
}

/** Options of {@linkcode Catalog.filter}. */
export interface CatalogFilter {
  /** Keep channels whose name contains this (accent- and case-insensitive). */
  query?: string;
  /** Keep channels of this category. */
  category?: string;
}

function fold(value: string): string {
  return value.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

/** A category and how many channels it holds. */
export interface CategoryCount {
  /** The category's name. */
  name: string;
  /** Its channels. */
  count: number;
}

/** The channels the site offers. */
export class Catalog {
  #channels: Channel[];
  #byId: Map<string, Channel>;
  /** Each channel's name folded for search, in catalog order. */
  #foldedNames: string[];
  #categoryCounts: CategoryCount[];
  /** Each category's channels, in catalog order. */
  #byCategory = new Map<string, Channel[]>();
  #kinds = new Map<string, StreamKind>();
  #peakBitrates = new Map<string, number>();

  /** Program guides the catalog points to (an M3U's `x-tvg-url`). */
  readonly guideUrls: readonly string[];

  /** Entries of its file that were skipped. */
  readonly skipped: number;

  /** A catalog of these channels (ids must be unique). */
  constructor(
    channels: Channel[],
    guideUrls: readonly string[] = [],
    skipped = 0,
  ) {
    this.#channels = channels;
    this.guideUrls = guideUrls;
    this.skipped = skipped;
    this.#byId = new Map(channels.map((channel) => [channel.id, channel]));
    this.#foldedNames = channels.map((channel) => fold(channel.name));
    for (const channel of channels) {
      const list = this.#byCategory.get(channel.category) ?? [];
      list.push(channel);
      this.#byCategory.set(channel.category, list);
    }
    this.#categoryCounts = [...this.#byCategory]
      .filter(([name]) => name)
      .map(([name, list]) => ({ name, count: list.length }))
      .sort((a, b) =>
        b.count - a.count || a.name.localeCompare(b.name, "pt-BR")
      );
  }

  /** All channels, in catalog order. */
  get channels(): readonly Channel[] {
    return this.#channels;
  }

  /** The channel with this id. */
  get(id: string): Channel | undefined {
    return this.#byId.get(id);
  }

  /** Live or VOD, as read from the channel's playlist; `unknown` until probed. */
  kind(id: string): StreamKind {
    return this.#kinds.get(id) ?? "unknown";
  }

  /** The channel's top bitrate (bits/s) from its master playlist, once probed. */
  peakBitrate(id: string): number | undefined {
    return this.#peakBitrates.get(id);
  }

  /**
   * Read every HLS channel's playlist to tell live from VOD, a few at a
   * time. Failures leave `unknown`; they are logged, never thrown.
   */
  async probe(options: ProbeOptions, concurrency = 4): Promise<void> {
    const queue = this.#channels.filter((channel) =>
      playerKind(channel.url) === "hls" && !this.#kinds.has(channel.id)
    );
    const worker = async () => {
      for (let channel = queue.shift(); channel; channel = queue.shift()) {
        const { kind, peakBitrate, refused } = await probeStream(
          channel.url,
          options,
        );
        this.#kinds.set(channel.id, kind);
        if (peakBitrate) this.#peakBitrates.set(channel.id, peakBitrate);
        if (refused) {
          log.warn("catalog.probe_refused", {
            channel: channel.id,
            url: channel.url,
            reason: refused,
          });
        } else if (kind === "unknown") {
          log.warn("catalog.probe_failed", {
            channel: channel.id,
            url: channel.url,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    log.info("catalog.probed", {
      live: [...this.#kinds.values()].filter((k) => k === "live").length,
      vod: [...this.#kinds.values()].filter((k) => k === "vod").length,
    });
  }

  /**
   * Take over what `previous` learned by probing channels that are still
   * here with the same URL, so a reload does not probe them again.
   */
  inheritProbes(previous: Catalog): void {
    for (const channel of this.#channels) {
      const before = previous.get(channel.id);
      if (before?.url !== channel.url) continue;
      const kind = previous.#kinds.get(channel.id);
      if (kind && kind !== "unknown") this.#kinds.set(channel.id, kind);
      const bitrate = previous.#peakBitrates.get(channel.id);
      if (bitrate) this.#peakBitrates.set(channel.id, bitrate);
    }
  }

  /** The categories in use, sorted by name. */
  categories(): string[] {
    return this.#categoryCounts.map((c) => c.name)
      .sort((a, b) => a.localeCompare(b, "pt-BR"));
  }

  /** The categories in use with their channel counts, largest first. */
  categoryCounts(): readonly CategoryCount[] {
    return this.#categoryCounts;
  }

  /** Channels matching a search and a category, in catalog order. */
  filter({ query = "", category = "" }: CatalogFilter): Channel[] {
    const needle = fold(query.trim());
    if (!needle) {
      return category ? [...(this.#byCategory.get(category) ?? [])] : [
        ...this.#channels,
      ];
    }
    return this.#channels.filter((channel, i) =>
      (!category || channel.category === category) &&
      this.#foldedNames[i]!.includes(needle)
    );
  }

  /**
   * Up to `size` channels to zap between from `channel`: its category's
   * channels that `keep` accepts, the ones around it in catalog order.
   */
  neighbours(
    channel: Channel,
    size: number,
    keep: (channel: Channel) => boolean,
  ): Channel[] {
    const same = (this.#byCategory.get(channel.category) ?? []).filter(keep);
    const at = Math.max(0, same.findIndex((c) => c.id === channel.id));
    const start = Math.max(
      0,
      Math.min(at - Math.floor(size / 2), same.length - size),
    );
    return same.slice(start, start + size);
  }
}

/**
 * Read the catalog in `file` (M3U or JSON); bad entries are logged and
 * skipped.
 *
 * @throws {Error} naming the file when it cannot be read or holds no channel.
 */
export async function readCatalog(file: string): Promise<Catalog> {
  const text = await Deno.readTextFile(file);
  const { channels, problems, guideUrls } = parseCatalog(text, file);
  for (const problem of problems) {
    log.warn("catalog.entry_skipped", { ...problem });
  }
  if (channels.length === 0) {
    throw new Error(`${file}: no valid channel (${problems.length} skipped)`);
  }
  log.info("catalog.loaded", {
    file,
    channels: channels.length,
    skipped: problems.length,
    guides: guideUrls?.length ?? 0,
  });
  return new Catalog(channels, guideUrls, problems.length);
}

/**
 * Load the catalog from `file` (M3U or JSON), or the embedded default when
 * no file is given. Bad entries are logged and skipped; a missing, broken or
 * empty file falls back to the default with an error, so the site always starts.
 */
export async function loadCatalog(file?: string): Promise<Catalog> {
  if (!file) return new Catalog(DEFAULT_CHANNELS);
  try {
    return await readCatalog(file);
  } catch (error) {
    log.error("catalog.unusable", {
      file,
      error: String(error),
      fallback: "default catalog",
    });
    return new Catalog(DEFAULT_CHANNELS);
  }
}
