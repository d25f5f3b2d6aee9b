/**
 * Live channels made from VOD media under `static/media/<name>/`:
 * `/live/<name>/master.m3u8` lists one live playlist per rendition,
 * `/live/<name>/<rendition>.m3u8` slides over that rendition's segments.
 * @module
 */
import {
  type MediaPlaylist,
  parseMasterPlaylist,
  parseMediaPlaylist,
} from "./hls.ts";
import { type LiveOptions, livePlaylist } from "./playlist.ts";
import { LruCache } from "../utils/lru.ts";

/** Cache policy of live playlists: they change every segment (2 s). */
export const LIVE_PLAYLIST_CACHE = "public, max-age=1";

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** A name with no media (or broken media) is asked about again after this long (ms). */
const MISS_TTL_MS = 30_000;

interface LoadedSource {
  master: string;
  renditions: Map<string, { playlist: MediaPlaylist; dir: string }>;
}

/** Serves simulated live channels from a media folder. */
export class LiveSources {
  #mediaRoot: URL;
  #options: LiveOptions;
  #clock: () => number;
  // Bounded: names come from URLs, and misses expire so new media shows up.
  #loaded = new LruCache<string, Promise<LoadedSource | undefined>>(64);

  /** `mediaRoot` is `static/media/`; its sub-folders are the sources. */
  constructor(
    mediaRoot: URL,
    options: LiveOptions & { clock?: () => number } = {},
  ) {
    this.#mediaRoot = mediaRoot;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
  }

  async #load(name: string): Promise<LoadedSource | undefined> {
    const dir = new URL(`${name}/`, this.#mediaRoot);
    let masterText: string;
    try {
      masterText = await Deno.readTextFile(new URL("master.m3u8", dir));
    } catch {
      return undefined;
    }
    const renditions = new Map<
      string,
      { playlist: MediaPlaylist; dir: string }
    >();
    const lines: string[] = [];
    for (const line of masterText.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith("#")) {
        lines.push(line);
        continue;
      }
      // "360p/index.m3u8" → rendition "360p", live playlist "360p.m3u8".
      const rendition = trimmed.split("/")[0]!;
      if (!NAME.test(rendition)) {
        throw new TypeError(
          `Invalid rendition folder "${rendition}" in ${name}`,
        );
      }
      const text = await Deno.readTextFile(new URL(trimmed, dir));
      renditions.set(rendition, {
        playlist: parseMediaPlaylist(text),
        dir: `/media/${name}/${trimmed.split("/").slice(0, -1).join("/")}/`,
      });
      lines.push(`${rendition}.m3u8`);
    }
    if (parseMasterPlaylist(masterText).length !== renditions.size) {
      throw new TypeError(`Invalid master playlist of ${name}`);
    }
    return { master: lines.join("\n"), renditions };
  }

  /** Sources (and recent misses) held in memory now: at most 64. */
  get size(): number {
    return this.#loaded.size;
  }

  #get(name: string): Promise<LoadedSource | undefined> {
    let loaded = this.#loaded.get(name);
    if (!loaded) {
      loaded = this.#load(name);
      this.#loaded.set(name, loaded);
      loaded.then(
        (source) => source ?? this.#loaded.set(name, loaded!, MISS_TTL_MS),
        () => this.#loaded.set(name, loaded!, MISS_TTL_MS),
      );
    }
    return loaded;
  }

  /** The live playlist `file` (`master.m3u8` or `<rendition>.m3u8`) of source `name`, or `undefined`. */
  async playlist(name: string, file: string): Promise<string | undefined> {
    if (!NAME.test(name)) return undefined;
    const source = await this.#get(name);
    if (!source) return undefined;
    if (file === "master.m3u8") return source.master;
    const rendition = source.renditions.get(file.replace(/\.m3u8$/, ""));
    if (!rendition || !file.endsWith(".m3u8")) return undefined;
    return livePlaylist(rendition.playlist, this.#clock(), {
      ...this.#options,
      segmentUri: (uri) => rendition.dir + uri,
    });
  }
}
