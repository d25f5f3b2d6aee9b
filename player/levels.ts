/**
 * The quality menu: renditions as viewers read them, highest first.
 * @module
 */

import type { QualityOption } from "../components/PlayerBar.tsx";

export type { QualityOption };

/**
 * How a rendition is named in the menu.
 *
 * @example
 * ```ts
 * levelLabel(360, 528_000); // "360p"
 * levelLabel(undefined, 528_000); // "528 kbps"
 * ```
 */
export function levelLabel(
  height: number | undefined,
  bitrate: number,
): string {
  return height ? `${height}p` : `${Math.round(bitrate / 1000)} kbps`;
}

/** The menu's options for hls.js levels: highest quality first, as viewers expect. */
export function qualityOptions(
  levels: ReadonlyArray<{ height?: number; bitrate: number }>,
): QualityOption[] {
  return levels
    .map((level, index) => ({
      index,
      bitrate: level.bitrate,
      label: levelLabel(level.height, level.bitrate),
    }))
    .sort((a, b) => b.bitrate - a.bitrate);
}
