/**
 * Tells live from VOD by reading a channel's playlist (a master playlist's
 * first variant, or the media playlist itself): a playlist that ends
 * (`#EXT-X-ENDLIST`, `#EXT-X-PLAYLIST-TYPE:VOD`) is VOD, one that slides is
 * live. A master playlist also gives the channel's top bitrate.
 *
 * The URLs come from a catalog and from upstream playlists, so whoever
 * controls them could aim the server at its own network: the probe reads
 * at most 1 MB per playlist (streamed), follows at most 3 redirects, and
 * never fetches a loopback, private or link-local address unless the
 * catalog entry itself points at that origin (or `PROBE_ALLOW_PRIVATE`).
 * @module
 */
import {
  isMasterPlaylist,
  parseMasterPlaylist,
  parseMediaPlaylist,
} from "../live/hls.ts";
import { readBodyText } from "../utils/body.ts";
import { type IpBytes, isNonPublic, parseIp } from "../utils/ip.ts";

/** What a channel's stream is. */
export type StreamKind = "live" | "vod" | "unknown";

/** Fetches a URL (site paths like `/media/…` included); must not follow redirects itself. */
export type Fetcher = (url: string) => Promise<Response>;

/** Resolves a host name to its addresses. */
export type Resolver = (hostname: string) => Promise<IpBytes[]>;

/** What a probe found. */
export interface ProbeResult {
  /** Live, VOD, or unknown (unreadable, or refused). */
  kind: StreamKind;
  /** The highest `BANDWIDTH` of a master playlist (bits/s), if any. */
  peakBitrate?: number;
  /** Why the probe refused to fetch a URL (a private target, too many redirects). */
  refused?: string;
}

/** Options of {@linkcode probeStream}. */
export interface ProbeOptions {
  /** Fetches a URL (it should not follow redirects: the probe does, checking each). */
  fetcher: Fetcher;
  /** Fetch private and loopback targets anyway (`PROBE_ALLOW_PRIVATE=true`). */
  allowPrivate?: boolean;
  /** DNS; `Deno.resolveDns` (A and AAAA) by default. */
  resolve?: Resolver;
}

/** Largest playlist read, in bytes. */
export const MAX_PLAYLIST_BYTES = 1_000_000;
/** Most redirects followed for one playlist. */
export const MAX_REDIRECTS = 3;

/** A fetch the probe will not make, with the reason. */
export class ProbeRefusal extends Error {
  /** A refusal naming the URL and why. */
  constructor(message: string) {
    super(message);
    this.name = "ProbeRefusal";
  }
}

/** `Deno.resolveDns` for A and AAAA records. */
async function resolveWithDns(hostname: string): Promise<IpBytes[]> {
  const lookups = await Promise.allSettled([
    Deno.resolveDns(hostname, "A"),
    Deno.resolveDns(hostname, "AAAA"),
  ]);
  const addresses: IpBytes[] = [];
  for (const lookup of lookups) {
    if (lookup.status !== "fulfilled") continue;
    for (const text of lookup.value) {
      const bytes = parseIp(text);
      if (bytes) addresses.push(bytes);
    }
  }
  return addresses;
}

/** Resolve `uri` against `base`, keeping site paths as paths. */
function resolveUrl(uri: string, base: string): string {
  const resolved = new URL(uri, new URL(base, "http://site.invalid"));
  return resolved.origin === "http://site.invalid"
    ? resolved.pathname + resolved.search
    : resolved.href;
}

/** Site paths are this app's own files: never a network fetch. */
function isSitePath(url: string): boolean {
  return url.startsWith("/") && !url.startsWith("//") && !url.includes("\\");
}

class Probe {
  #options: ProbeOptions;
  #trustedOrigin?: string;

  constructor(entryUrl: string, options: ProbeOptions) {
    this.#options = options;
    if (!isSitePath(entryUrl)) this.#trustedOrigin = new URL(entryUrl).origin;
  }

  /** Refuse targets on loopback, private or link-local addresses. */
  async #check(url: string): Promise<void> {
    if (isSitePath(url) || this.#options.allowPrivate) return;
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new ProbeRefusal(`Refused ${url}: only http(s) is fetched`);
    }
    // The operator's own catalog entry may point anywhere; what it leads to may not.
    if (target.origin === this.#trustedOrigin) return;
    const literal = parseIp(target.hostname);
    const addresses = literal
      ? [literal]
      : await (this.#options.resolve ?? resolveWithDns)(target.hostname);
    if (addresses.length === 0) {
      throw new ProbeRefusal(`Refused ${url}: its host does not resolve`);
    }
    if (addresses.some(isNonPublic)) {
      throw new ProbeRefusal(
        `Refused ${url}: it leads to a private, loopback or link-local address`,
      );
    }
  }

  /** Read a playlist, following up to 3 redirects; returns its text and final URL. */
  async read(url: string): Promise<{ text: string; url: string }> {
    for (let hop = 0;; hop++) {
      await this.#check(url);
      const response = await this.#options.fetcher(url);
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (hop >= MAX_REDIRECTS) {
          throw new ProbeRefusal(
            `Refused ${url}: more than ${MAX_REDIRECTS} redirects`,
          );
        }
        url = resolveUrl(location, url);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status} for ${url}`);
      }
      const text = await readBodyText(response, {
        maxBytes: MAX_PLAYLIST_BYTES,
        timeoutMs: 10_000,
      });
      return { text, url };
    }
  }
}

/** The highest `BANDWIDTH=` among a master playlist's variants. */
function peakBandwidth(infos: readonly string[]): number | undefined {
  let peak: number | undefined;
  for (const info of infos) {
    const match = /[:,]BANDWIDTH=(\d+)/.exec(info);
    if (match) peak = Math.max(peak ?? 0, Number(match[1]));
  }
  return peak;
}

/** Probe one HLS URL; `unknown` when it cannot be read, parsed, or may not be fetched. */
export async function probeStream(
  url: string,
  options: ProbeOptions,
): Promise<ProbeResult> {
  const probe = new Probe(url, options);
  try {
    let playlist = await probe.read(url);
    let peakBitrate: number | undefined;
    if (isMasterPlaylist(playlist.text)) {
      const variants = parseMasterPlaylist(playlist.text);
      const first = variants[0];
      if (!first) return { kind: "unknown" };
      peakBitrate = peakBandwidth(variants.map((v) => v.info));
      playlist = await probe.read(resolveUrl(first.uri, playlist.url));
    }
    const kind = parseMediaPlaylist(playlist.text).ended ? "vod" : "live";
    return { kind, ...(peakBitrate && { peakBitrate }) };
  } catch (error) {
    return error instanceof ProbeRefusal
      ? { kind: "unknown", refused: error.message }
      : { kind: "unknown" };
  }
}
