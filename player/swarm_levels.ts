/**
 * How many viewers of this channel watch each rendition: the swarm of each
 * hls.js level (its info_hash, computed as p2p-media-loader's tracker
 * client computes it), and the tracker's count of each
 * (`/tracker/channels/:id?swarms=…`), refreshed every few seconds. Counts
 * only. Browser-only.
 * @module
 */
import type Hls from "hls.js";
import type { ManifestLoadedData } from "hls.js";
import { swarmInfoHashHex } from "./p2p_abr.ts";

/** How often the counts are refreshed (ms). */
export const SWARM_LEVELS_REFRESH_MS = 5000;

/** p2p-media-loader's `generateStreamShortId` (from `p2p-media-loader-core`). */
export type StreamShortId = (props: {
  bitrate?: number;
  codecs?: string;
  width?: number;
  height?: number;
  frameRate?: string;
  videoRange?: string;
}) => string;

/** What {@linkcode watchSwarmLevels} needs. */
export interface SwarmLevelsOptions {
  /** The channel's id. */
  channelId: string;
  /** p2p-media-loader's swarm id of the channel. */
  swarmId: string;
  /** p2p-media-loader's stream id function. */
  shortId: StreamShortId;
  /** Whether this viewer is in its level's swarm now (then it is not counted). */
  joined(): boolean;
  /** Peers of each hls.js level, this viewer excluded. */
  onPeers(peers: number[]): void;
}

/**
 * Keep `onPeers` fed with the peers of each level of `hls`; returns a
 * function that stops it.
 */
export function watchSwarmLevels(
  hls: Hls,
  events: typeof Hls.Events,
  options: SwarmLevelsOptions,
): () => void {
  let hashByUrl = new Map<string, string>();
  let stopped = false;
  hls.on(events.MANIFEST_LOADED, (_event: string, data: ManifestLoadedData) => {
    // As p2p-media-loader's segment manager names each level's stream.
    Promise.all(data.levels.map(async (level) => {
      const parsed = level as typeof level & { maxBitrate?: number };
      const bitrate = parsed.maxBitrate ?? level.bitrate;
      const missing = bitrate === 0;
      const shortId = options.shortId({
        bitrate,
        codecs: missing ? undefined : level.videoCodec,
        width: missing ? undefined : level.width,
        height: missing ? undefined : level.height,
        frameRate: missing ? undefined : level.attrs["FRAME-RATE"],
        videoRange: missing ? undefined : level.attrs["VIDEO-RANGE"],
      });
      const url = Array.isArray(level.url) ? level.url[0] : level.url;
      return [
        String(url),
        await swarmInfoHashHex(options.swarmId, shortId),
      ] as const;
    })).then((pairs) => {
      hashByUrl = new Map(pairs);
      refresh();
    }).catch(() => {});
  });
  const refresh = async () => {
    const levels = hls.levels ?? [];
    const hashes = levels.map((level) => hashByUrl.get(level.url[0] ?? ""));
    if (stopped || hashes.length === 0 || hashes.some((h) => !h)) return;
    try {
      const response = await fetch(
        `/tracker/channels/${encodeURIComponent(options.channelId)}?swarms=${
          hashes.join(",")
        }`,
        { signal: AbortSignal.timeout(2000) },
      );
      const body = await response.json() as {
        swarms?: Record<string, number>;
      };
      if (stopped || !body.swarms) return;
      const own = options.joined() ? hls.currentLevel : -1;
      options.onPeers(
        hashes.map((hash, level) =>
          Math.max(0, (body.swarms![hash!] ?? 0) - (level === own ? 1 : 0))
        ),
      );
    } catch {
      // The counts are a hint: without them hls.js's choice stands.
    }
  };
  const timer = setInterval(refresh, SWARM_LEVELS_REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
