/**
 * What a media element holds ahead of its playhead.
 * @module
 */

/**
 * Seconds buffered ahead of `media`'s playhead (0 without media). It uses
 * nothing outside itself: the test and lab probes put its source into the
 * pages they measure.
 */
export function bufferAhead(media: HTMLMediaElement | null): number {
  if (!media) return 0;
  const time = media.currentTime;
  for (let i = 0; i < media.buffered.length; i++) {
    if (media.buffered.start(i) <= time + 0.1 && media.buffered.end(i) > time) {
      return media.buffered.end(i) - time;
    }
  }
  return 0;
}
