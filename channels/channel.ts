/**
 * The RedFlix channel model and its validation. Catalog data is untrusted:
 * every field is checked here, once, and the rest of the app trusts the type.
 * @module
 */

/** A program in a channel's schedule. */
export interface Program {
  /** What is on. */
  title: string;
  /** When it starts, as the catalog gives it (e.g. `20:00`). */
  start?: string;
}

/** How the watch page plays a channel. */
export type PlayerKind = "hls" | "iframe" | "link";

/** A channel of the catalog. */
export interface Channel {
  /** URL-safe id: `/watch/:id`. */
  id: string;
  /** Display name. */
  name: string;
  /** Stream URL: an HLS playlist, or a page to embed. */
  url: string;
  /** Logo URL, or `""` for none. */
  logo: string;
  /** Category, e.g. `Esportes`; `""` when unknown. */
  category: string;
  /** Quality label, e.g. `HD`; `""` when unknown. */
  quality: string;
  /** The schedule, possibly empty. */
  programs: Program[];
  /** The id program guides know it by (the playlist's `tvg-id`, e.g. `GloboSP.br`); `""` when none. */
  guideId?: string;
}

/** A catalog entry that was skipped, and why. */
export interface CatalogProblem {
  /** Where: `file:line` or `file#index`. */
  where: string;
  /** What is wrong, naming the bad value. */
  message: string;
}

/**
 * A URL-safe id from a name.
 *
 * @example
 * ```ts
 * slugify("Canal Esportes HD"); // "canal-esportes-hd"
 * ```
 */
export function slugify(name: string): string {
  return name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

/** The shape of every channel id: what {@linkcode slugify} makes. */
const CHANNEL_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Whether `value` can be a channel id (what {@linkcode slugify} produces,
 * at most 64 characters): the one check for ids arriving from outside.
 */
export function isChannelId(value: unknown): value is string {
  return typeof value === "string" && value.length <= 64 &&
    CHANNEL_ID.test(value);
}

/**
 * Check a stream or logo URL: only `http(s)` URLs and paths on this site
 * (`/media/…`) pass; `javascript:`, `data:` and the like are refused.
 */
export function checkUrl(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed.includes("\\")) {
    // Browsers read a backslash as a slash: "/\evil.example" is "//evil.example".
    throw new TypeError(
      `Invalid ${field}: "${trimmed.slice(0, 80)}" has a backslash`,
    );
  }
  if (trimmed.startsWith("/") && !trimmed.startsWith("//")) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new TypeError(
      `Invalid ${field}: "${trimmed.slice(0, 80)}" is not a URL`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(
      `Invalid ${field}: scheme "${url.protocol}" is not allowed (http or https only)`,
    );
  }
  return url.href;
}

/**
 * How the watch page plays a URL: `.m3u8` playlists get the HLS player
 * (with P2P); DASH manifests (`.mpd`), which it cannot play, a link to the
 * stream; anything else is a page embedded in an iframe (no P2P).
 */
export function playerKind(url: string): PlayerKind {
  const path = url.split(/[?#]/)[0] ?? "";
  if (/\.m3u8?$/i.test(path)) return "hls";
  return /\.mpd$/i.test(path) ? "link" : "iframe";
}

/** A quality label from a channel name (`… HD`, `… (1080p)`), or `""`. */
export function qualityFromName(name: string): string {
  const match = /\b(4K|UHD|FHD|HD|SD|\d{3,4}p)\b/i.exec(name);
  if (!match?.[1]) return "";
  const label = match[1];
  return /p$/i.test(label) ? label.toLowerCase() : label.toUpperCase();
}

function text(value: unknown, field: string, max: number): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    throw new TypeError(
      `Invalid ${field}: expected a string, got ${typeof value}`,
    );
  }
  const trimmed = value.trim();
  if (trimmed.length > max) {
    throw new RangeError(
      `Invalid ${field}: ${trimmed.length} characters, at most ${max}`,
    );
  }
  return trimmed;
}

function programs(value: unknown): Program[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new TypeError("Invalid programs: expected an array");
  }
  return value.slice(0, 50).map((item, i) => {
    if (typeof item === "string") {
      return { title: text(item, `programs[${i}]`, 200) };
    }
    if (typeof item !== "object" || item === null) {
      throw new TypeError(
        `Invalid programs[${i}]: expected a string or an object`,
      );
    }
    const { title, start } = item as Record<string, unknown>;
    const program: Program = {
      title: text(title, `programs[${i}].title`, 200),
    };
    if (!program.title) {
      throw new TypeError(`Invalid programs[${i}]: title is missing`);
    }
    const startText = text(start, `programs[${i}].start`, 40);
    if (startText) program.start = startText;
    return program;
  });
}

/** Validate untrusted channel fields into a {@linkcode Channel}. */
export function parseChannel(input: Record<string, unknown>): Channel {
  const name = text(input.name, "name", 120);
  if (!name) throw new TypeError("Invalid channel: name is missing");
  const rawUrl = text(input.url, "url", 2048);
  if (!rawUrl) throw new TypeError(`Invalid channel "${name}": url is missing`);
  const id = slugify(text(input.id, "id", 64) || name);
  if (!id) throw new TypeError(`Invalid channel "${name}": no usable id`);
  const logo = text(input.logo, "logo", 2048);
  const guideId = text(input.guideId, "guideId", 120);
  return {
    ...(guideId ? { guideId } : {}),
    id,
    name,
    url: checkUrl(rawUrl, "url"),
    logo: logo ? checkUrl(logo, "logo") : "",
    category: text(input.category, "category", 60),
    quality: text(input.quality, "quality", 20) || qualityFromName(name),
    programs: programs(input.programs),
  };
}
