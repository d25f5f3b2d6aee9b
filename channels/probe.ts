/**
 * Tells live from VOD by reading a channel's playlist (a master playlist's
 * first variant, or the media playlist itself): a playlist that ends
 * (`#EXT-X-ENDLIST`, `#EXT-X-PLAYLIST-TYPE:VOD`) is VOD, one that slides is live.
 * @module
 */
import {
  isMasterPlaylist,
  parseMasterPlaylist,
  parseMediaPlaylist,
} from "../live/hls.ts";

/** What a channel's stream is. */
export type StreamKind = "live" | "vod" | "unknown";

/** Fetches a URL (site paths like `/media/…` included). */
export type Fetcher = (url: string) => Promise<Response>;

const MAX_PLAYLIST_CHARS = 1_000_000;

async function readPlaylist(fetcher: Fetcher, url: string): Promise<string> {
  const response = await fetcher(url);
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status} for ${url}`);
  }
  const text = await response.text();
  if (text.length > MAX_PLAYLIST_CHARS) {
    throw new Error(`Playlist too large: ${url}`);
  }
  return text;
}

/** Resolve `uri` against `base`, keeping site paths as paths. */
function resolve(uri: string, base: string): string {
  const resolved = new URL(uri, new URL(base, "http://site.invalid"));
  return resolved.origin === "http://site.invalid"
    ? resolved.pathname + resolved.search
    : resolved.href;
}

/** Probe one HLS URL; `unknown` when it cannot be read or parsed. */
export async function probeStreamKind(
  url: string,
  fetcher: Fetcher,
): Promise<StreamKind> {
  try {
    let text = await readPlaylist(fetcher, url);
    if (isMasterPlaylist(text)) {
      const first = parseMasterPlaylist(text)[0];
      if (!first) return "unknown";
      text = await readPlaylist(fetcher, resolve(first.uri, url));
    }
    return parseMediaPlaylist(text).ended ? "vod" : "live";
  } catch {
    return "unknown";
  }
}
