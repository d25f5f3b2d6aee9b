/**
 * Reads IPTV playlists (M3U/M3U8): `#EXTINF:-1 tvg-id="…" tvg-logo="…"
 * group-title="…",Name` followed by the stream URL.
 * @module
 */
import { type CatalogProblem, type Channel, parseChannel } from "./channel.ts";

/** What a catalog source yields: the good channels and the skipped entries. */
export interface CatalogResult {
  /** Valid channels, in file order, ids unique. */
  channels: Channel[];
  /** Entries that were skipped. */
  problems: CatalogProblem[];
  /** Program guides the catalog points to (an M3U's `x-tvg-url`). */
  guideUrls?: string[];
}

const ATTRIBUTE = /([A-Za-z0-9_-]+)="([^"]*)"/g;

/** The `key="value"` attributes of a tag line, keys lower-cased. */
function attributesOf(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const [, key, value] of text.matchAll(ATTRIBUTE)) {
    if (key) attributes[key.toLowerCase()] = value ?? "";
  }
  return attributes;
}

/** Split an `#EXTINF` line into its attributes and the display name. */
export function parseExtinf(
  line: string,
): { attributes: Record<string, string>; name: string } {
  const body = line.slice("#EXTINF:".length);
  // The name follows the first comma that is not inside quotes.
  let inQuotes = false;
  let comma = -1;
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '"') inQuotes = !inQuotes;
    else if (char === "," && !inQuotes) {
      comma = i;
      break;
    }
  }
  const head = comma === -1 ? body : body.slice(0, comma);
  const name = comma === -1 ? "" : body.slice(comma + 1).trim();
  return { attributes: attributesOf(head), name };
}

/**
 * Parse an M3U playlist into channels; bad entries are reported with
 * `file:line` and skipped.
 *
 * @example
 * ```ts
 * const { channels } = parseM3u('#EXTM3U\n#EXTINF:-1 tvg-id="news",News\nhttps://cdn.example/news.m3u8', "a.m3u");
 * channels[0]?.id; // "news"
 * ```
 */
export function parseM3u(text: string, file: string): CatalogResult {
  const channels: Channel[] = [];
  const problems: CatalogProblem[] = [];
  const ids = new Set<string>();
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  let pending: {
    line: number;
    attributes: Record<string, string>;
    name: string;
  } | undefined;
  const first = lines.findIndex((line) => line.trim() !== "");
  if (first !== -1 && !lines[first]!.trim().startsWith("#EXTM3U")) {
    problems.push({
      where: `${file}:${first + 1}`,
      message: "Missing #EXTM3U header; reading on",
    });
  }
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const number = index + 1;
    if (!line || line.startsWith("#EXTM3U")) return;
    if (line.startsWith("#EXTINF:")) {
      if (pending) {
        problems.push({
          where: `${file}:${pending.line}`,
          message: `Entry "${pending.name}" has no URL`,
        });
      }
      pending = { line: number, ...parseExtinf(line) };
      return;
    }
    if (line.startsWith("#")) return; // #EXTVLCOPT and other tags
    if (!pending) {
      problems.push({
        where: `${file}:${number}`,
        message: "URL without a preceding #EXTINF line",
      });
      return;
    }
    const { attributes, name } = pending;
    try {
      const channel = parseChannel({
        id: attributes["tvg-id"],
        guideId: attributes["tvg-id"],
        name: name || attributes["tvg-name"],
        url: line,
        logo: attributes["tvg-logo"],
        category: attributes["group-title"]?.split(";")[0],
        quality: attributes["quality"],
      });
      if (ids.has(channel.id)) {
        throw new TypeError(`Duplicate channel id "${channel.id}"`);
      }
      ids.add(channel.id);
      channels.push(channel);
    } catch (error) {
      problems.push({
        where: `${file}:${pending.line}`,
        message: (error as Error).message,
      });
    }
    pending = undefined;
  });
  if (pending) {
    problems.push({
      where: `${file}:${pending.line}`,
      message: `Entry "${pending.name}" has no URL`,
    });
  }
  return { channels, problems, guideUrls: guideUrlsOf(lines[first] ?? "") };
}

/**
 * The guide URLs of an `#EXTM3U` header (`x-tvg-url`, or `url-tvg`; comma
 * separated): http(s) only, at most 5.
 */
export function guideUrlsOf(header: string): string[] {
  if (!header.trim().startsWith("#EXTM3U")) return [];
  const attributes = attributesOf(header);
  const list = attributes["x-tvg-url"] || attributes["url-tvg"] || "";
  return list.split(",").map((url) => url.trim())
    .filter((url) => /^https?:\/\/[^\s]+$/i.test(url))
    .slice(0, 5);
}
