/**
 * Live: who brings each new segment into the swarm. On a live channel
 * every P2P player wants the newest segment at about the same moment, so
 * if they all sit at the same distance from the edge they all reach their
 * HTTP deadline together and the origin sends it several times. Instead
 * one player among the peers it is connected to (the one that has been
 * watching longest, among those that upload) takes the **edge** role: it
 * plays where plain HTTP plays ({@linkcode EDGE_SYNC_SEGMENTS} behind the
 * edge) and fetches each new segment over HTTP as soon as it is listed.
 * The others play further back ({@linkcode BACK_SYNC_SEGMENTS}) and get
 * it from the edge player or from each other, with seconds to spare.
 *
 * Nobody has to agree on anything: each player's peer id carries when it
 * started watching and whether it uploads (p2p-media-loader puts our
 * prefix in front of its own random characters), and each player decides
 * for itself from the ids of the peers it is connected to. A newcomer is
 * younger than the edge player, so roles do not flap as viewers come; when
 * the edge player leaves, the next oldest takes over and catches up at
 * hls.js's catch-up rate.
 * @module
 */
import { ageOf, uploadsOf } from "../p2p/peer_id.ts";

/** Segments behind the edge the edge player aims at: where plain HTTP plays. */
export const EDGE_SYNC_SEGMENTS = 3;

/**
 * Segments behind the edge the other players aim at: two more than the
 * edge player, so a new segment has two segments' time to travel from it
 * to them before their HTTP deadline (measured in the lab:
 * docs/performance.md).
 */
export const BACK_SYNC_SEGMENTS = 5;

/**
 * The place of the player with peer id prefix `own` among the peers it is
 * connected to (their full peer ids): 0 when it takes the edge role (it
 * uploads, and no connected uploader started watching before it: alone
 * too), else 1 + how many of them started before it. A player that does not
 * upload never takes the edge, nor keeps anyone else from it.
 *
 * @example
 * ```ts
 * const old = peerIdPrefix(1000_000, true), young = peerIdPrefix(2000_000, true); // p2p/peer_id.ts
 * liveRank(old, [young + "abcd"]); // 0: the edge
 * liveRank(young, [old + "wxyz"]); // 1
 * ```
 */
export function liveRank(own: string, peers: Iterable<string>): number {
  const mine = ageOf(own);
  let older = 0;
  let olderUploaders = 0;
  let count = 0;
  for (const peer of peers) {
    count++;
    const theirs = ageOf(peer);
    if (theirs === undefined || (mine !== undefined && theirs >= mine)) {
      continue;
    }
    older++;
    if (uploadsOf(peer)) olderUploaders++;
  }
  if (mine === undefined) return Math.max(1, count);
  if (uploadsOf(own) && olderUploaders === 0) return 0;
  return Math.max(1, older);
}

/**
 * Seconds ahead of its playhead within which a player of `rank` (1 or
 * more: not the edge) asks peers for segments. The edge player serves a
 * few peers at a time well and many badly (they split its uplink), so the
 * ones ranked next ask at once and the rest a little later, when the first
 * ones hold the segment too and can pass it on: the segment spreads as a
 * tree, each level doubling, well within the two segments of slack.
 */
export function liveP2PWindow(rank: number, segmentSeconds: number): number {
  const lead = (BACK_SYNC_SEGMENTS - 1) * segmentSeconds; // where the newest segment starts
  if (rank <= 1) return lead + segmentSeconds; // at once
  if (rank <= 3) return lead - 0.75 * segmentSeconds; // after the first hop
  return lead - 1.25 * segmentSeconds; // after the second
}
