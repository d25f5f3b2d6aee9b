/**
 * RedFlix players' peer ids: p2p-media-loader's prefix, then when the
 * player started watching and whether it uploads, then random characters.
 * Players read the start time to agree on live roles (player/live_role.ts);
 * the tracker reads the upload mark so nearby viewers are matched with
 * nearby viewers that can serve them (tracker/locality.ts). Nothing in it
 * says who or where the viewer is.
 * @module
 */

/** p2p-media-loader's own peer-id prefix (version 2.3): kept first, for tools that read it. */
export const ENGINE_PEER_PREFIX = "-PM0203-";

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** Characters of the start time (base 62 seconds: 62^6 s is 1,800 years). */
const TIME_LENGTH = 6;
/** Where the upload mark sits. */
const MARK_AT = ENGINE_PEER_PREFIX.length + TIME_LENGTH;

/** Marks in the id: whether the player uploads to peers. */
const UPLOADS = "u";
const DOWNLOAD_ONLY = "d";

/**
 * The prefix of this player's peer id: the engine's prefix, then when it
 * started watching (seconds, base 62), whether it uploads, and one random
 * character (16 characters; p2p-media-loader adds 4 random ones).
 *
 * @example
 * ```ts
 * peerIdPrefix(1_796_212_800_000, true, () => 0); // "-PM0203-1xYs5Mu0"
 * ```
 */
export function peerIdPrefix(
  startedAtMs: number,
  uploads: boolean,
  random: () => number = Math.random,
): string {
  let seconds = Math.max(0, Math.floor(startedAtMs / 1000));
  let time = "";
  for (let i = 0; i < TIME_LENGTH; i++) {
    time = DIGITS[seconds % 62] + time;
    seconds = Math.floor(seconds / 62);
  }
  return ENGINE_PEER_PREFIX + time + (uploads ? UPLOADS : DOWNLOAD_ONLY) +
    DIGITS[Math.floor(random() * 62)];
}

/** Whether `peerId` is one of ours (carries a start time and an upload mark). */
function isOurs(peerId: string): boolean {
  const mark = peerId[MARK_AT];
  return peerId.startsWith(ENGINE_PEER_PREFIX) &&
    (mark === UPLOADS || mark === DOWNLOAD_ONLY);
}

/**
 * The part of a peer id that orders it by age (start time, then
 * randomness), if it is one of ours.
 */
export function ageOf(peerId: string): string | undefined {
  if (!isOurs(peerId)) return undefined;
  return peerId.slice(ENGINE_PEER_PREFIX.length, MARK_AT) +
    peerId.slice(MARK_AT + 1);
}

/**
 * Whether the player behind `peerId` said it uploads when it started:
 * `undefined` for ids that are not ours (other WebTorrent clients).
 *
 * @example
 * ```ts
 * uploadsOf(peerIdPrefix(0, false) + "abcd"); // false
 * uploadsOf("-WW0100-abcdefghijkl"); // undefined
 * ```
 */
export function uploadsOf(peerId: string): boolean | undefined {
  return isOurs(peerId) ? peerId[MARK_AT] === UPLOADS : undefined;
}
