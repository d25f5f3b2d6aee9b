/**
 * Just enough HLS playlist parsing for the live simulator and the catalog
 * probe: variants of a master playlist, segments of a media playlist.
 * @module
 */

/** A variant of a master playlist. */
export interface Variant {
  /** The `#EXT-X-STREAM-INF:` line, as is. */
  info: string;
  /** The media playlist URI, as written. */
  uri: string;
}

/** A segment of a media playlist. */
export interface Segment {
  /** Duration in milliseconds (integer, from `#EXTINF`). */
  durationMs: number;
  /** The segment URI, as written. */
  uri: string;
}

/** A parsed media playlist. */
export interface MediaPlaylist {
  /** `#EXT-X-TARGETDURATION`, seconds. */
  targetDuration: number;
  /** The segments, in order. */
  segments: Segment[];
  /** Whether it ends (`#EXT-X-ENDLIST`) or declares itself VOD: not live. */
  ended: boolean;
  /** The fMP4 init segment (`#EXT-X-MAP:URI`), as written, if any. */
  map?: string;
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, "").split(/\r?\n/).map((line) => line.trim())
    .filter(Boolean);
}

/** Whether a playlist is a master playlist (it lists variants). */
export function isMasterPlaylist(text: string): boolean {
  return /^#EXT-X-STREAM-INF:/m.test(text);
}

/** The variants of a master playlist. */
export function parseMasterPlaylist(text: string): Variant[] {
  const variants: Variant[] = [];
  const all = lines(text);
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    if (!line.startsWith("#EXT-X-STREAM-INF:")) continue;
    const uri = all[i + 1];
    if (uri && !uri.startsWith("#")) variants.push({ info: line, uri });
  }
  return variants;
}

/**
 * Parse a media playlist.
 *
 * @throws {TypeError} if it is not one (no `#EXTM3U`, or no segments).
 */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const all = lines(text);
  if (all[0] !== "#EXTM3U") {
    throw new TypeError("Invalid playlist: missing #EXTM3U");
  }
  let targetDuration = 0;
  let ended = false;
  let pending: number | undefined;
  let map: string | undefined;
  const segments: Segment[] = [];
  for (const line of all) {
    if (line.startsWith("#EXT-X-MAP:")) {
      map = /URI="([^"]+)"/.exec(line)?.[1];
    } else if (line.startsWith("#EXT-X-TARGETDURATION:")) {
      targetDuration = Number(line.slice(22));
    } else if (
      line === "#EXT-X-ENDLIST" || line === "#EXT-X-PLAYLIST-TYPE:VOD"
    ) ended = true;
    else if (line.startsWith("#EXTINF:")) {
      pending = Math.round(parseFloat(line.slice(8)) * 1000);
    } else if (!line.startsWith("#") && pending !== undefined) {
      if (!(pending > 0)) {
        throw new TypeError(`Invalid playlist: bad #EXTINF before ${line}`);
      }
      segments.push({ durationMs: pending, uri: line });
      pending = undefined;
    }
  }
  if (segments.length === 0) {
    throw new TypeError("Invalid playlist: no segments");
  }
  if (!(targetDuration > 0)) {
    targetDuration = Math.ceil(
      Math.max(...segments.map((s) => s.durationMs)) / 1000,
    );
  }
  return { targetDuration, segments, ended, ...(map && { map }) };
}
