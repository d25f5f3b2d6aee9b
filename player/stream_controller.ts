/**
 * hls.js's stream controller, minus one wasted fetch. After a switch to
 * another rendition, hls.js looks up the fragment at the end of the buffer
 * in the new rendition's playlist. The buffer ends a few milliseconds short
 * of the last fragment's end (its audio and video do not end together), and
 * that lookup takes an exact match before its tolerance, so hls.js loads
 * the fragment it has just buffered again, at the new rendition, and
 * reports `bufferAppendNoProgress` when it appends nothing new. Traced on
 * `dips` live, that second fetch came in the 4G viewer's recovery from a
 * dip, with about a second buffered, and cost it a stall, over HTTP only
 * and with P2P alike. Here the next fragment is loaded instead, as it is
 * when the rendition stays the same. Browser-only.
 * @module
 */
import type { LevelDetails, MediaFragment, StreamController } from "hls.js";

/**
 * Whether `found`, looked up at `bufferEnd`, is `previous` (the fragment
 * last buffered) again at another rendition, with the buffer reaching its
 * end within `tolerance` seconds (hls.js's `maxFragLookUpTolerance`).
 *
 * @example
 * ```ts
 * const previous = { sn: 7, level: 0, start: 12, end: 14 };
 * isBufferedAgain({ sn: 7, level: 3 }, previous, 13.98, 0.25); // true
 * isBufferedAgain({ sn: 7, level: 3 }, previous, 13.1, 0.25); // false: a hole
 * ```
 */
export function isBufferedAgain(
  found: { sn: number; level: number },
  previous: { sn: number; level: number; end: number } | null,
  bufferEnd: number,
  tolerance: number,
): boolean {
  return previous !== null && found.sn === previous.sn &&
    found.level !== previous.level && bufferEnd >= previous.end - tolerance;
}

/** A stream controller class for hls.js's `streamController` setting. */
export function keepBufferedStreamController(
  Base: typeof StreamController,
): typeof StreamController {
  return class KeepBufferedStreamController extends Base {
    protected override getFragmentAtPosition(
      bufferEnd: number,
      end: number,
      levelDetails: LevelDetails,
    ): MediaFragment | null {
      const found = super.getFragmentAtPosition(bufferEnd, end, levelDetails);
      const previous = this.fragPrevious;
      if (
        !found || !previous ||
        // Flushed since: loading it again is what hls.js wants.
        String(this.fragmentTracker.getState(previous)) !== "OK" ||
        !isBufferedAgain(
          found,
          previous,
          bufferEnd,
          this.hls.config.maxFragLookUpTolerance,
        )
      ) {
        return found;
      }
      return found.sn < levelDetails.endSN
        ? levelDetails.fragments[found.sn - levelDetails.startSN + 1] ?? null
        : null;
    }
  };
}
