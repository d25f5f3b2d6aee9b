/**
 * When a segment stops waiting for peers: p2p-media-loader fetches over HTTP
 * every segment inside its high-demand window (`highDemandTimeWindow`,
 * seconds ahead of the playhead) and leaves the rest to peers. A fixed
 * window tuned on loopback is wrong everywhere else: too wide and joiners
 * fetch from the origin what peers hold, too narrow and a slow line stalls.
 * So the window follows what this viewer measures: how long a segment
 * takes over HTTP here (Resource Timing of the segment fetches), how
 * much room the line has beyond the stream, and whether peers are
 * connected at all. Playback never waits on peers: the
 * first segment always comes over HTTP, and a segment a peer has not
 * delivered when HTTP would just have time to fetch it safely is fetched
 * over HTTP (the rest of a half-delivered one with a `Range` request).
 * On VOD, a viewer whose peers keep losing their races gets a runway first
 * (see p2p_runway.ts), and the window never falls below a buffer floor
 * (see {@linkcode bufferFloor}); a live viewer holds what plain HTTP
 * holds until its first peer connects ({@linkcode liveJoinFloor}), and for
 * good if they leave it starved ({@linkcode liveBufferFloor}). A viewer
 * that lost its last peer waits for another as a joiner waits for its first.
 * @module
 */
import { EDGE_SYNC_SEGMENTS } from "./live_role.ts";
import type { Runway } from "./p2p_runway.ts";

/** What the window is computed from. */
export interface PacingInputs {
  /** Peers connected now. */
  peers: number;
  /**
   * A peer may still come: the channel had viewers when this one joined and
   * its first peer may be on its way, or it lost its last one a moment ago.
   */
  awaitingPeer: boolean;
  /** Seconds an HTTP segment fetch takes here (smoothed), if measured yet. */
  httpFetchSeconds?: number;
  /**
   * Seconds an HTTP segment fetch typically takes here (each fetch moves it
   * a third of the way, slower or faster), for the headroom rule;
   * `httpFetchSeconds` if absent.
   */
  typicalFetchSeconds?: number;
  /** Seconds of media in a segment (the playlist's target duration), if known. */
  segmentSeconds?: number;
  /** This live player brings new segments into the swarm (see live_role.ts). */
  edge?: boolean;
}

/**
 * Seconds of margin beyond the safety factor: what the player needs besides
 * the fetch itself (the engine's next look at its queue, demuxing and
 * appending on a busy phone). 1 s stalled live viewers in the lab.
 */
export const MARGIN_S = 2;
/** A segment goes to HTTP when the playhead is this many fetch times away (plus the margin). */
export const SAFETY_FACTOR = 2;
/** The window never shrinks below this (seconds). */
export const MIN_WINDOW_S = 1;
/** Nor grows beyond this while peers are connected (seconds): p2p-media-loader's own default. */
export const MAX_WINDOW_S = 15;
/** Without peers, everything the player asks for is fetched at once, as plain HTTP would (seconds). */
export const NO_PEERS_WINDOW_S = 60;
/**
 * A joiner keeps the narrow window this long for its first peer (ms), then
 * plays HTTP until one connects. Measured in the lab: a first peer
 * connection takes 3–5 s through a TURN relay (tracker, offers, ICE, DTLS,
 * SCTP); 4 s sent joiners that missed it to fetch a minute ahead over HTTP.
 */
export const FIRST_PEER_GRACE_MS = 8000;
/**
 * A player that lost its last peer keeps its window this long (ms) for
 * another: a peer that stays silent for 2 s is dropped (p2p-media-loader's
 * `bytes-receiving-timeout`) and often comes back. Traced on `fiber`: the
 * late joiner's only peer went silent, came back 5.6 s later, and plain HTTP
 * had meanwhile fetched its whole buffer, 20 segments (22 MB, 0.4 copies),
 * from the origin. The window and the buffer floor still fetch over HTTP
 * what plays soon.
 */
export const PEER_RETURN_GRACE_MS = 8000;
/**
 * The least headroom (a segment's playing time over its HTTP fetch time)
 * P2P needs: below it (a fetch takes over half the segment's duration) the
 * player plays plain HTTP. Such a line has no room to fetch
 * again what a peer failed to deliver before the buffer runs out, and
 * peers, whose uplinks are slower still, rarely deliver in time. Measured
 * in the lab (`constrained`: a 4.5 Mbit/s stream on 6 Mbit/s lines): with
 * the narrow window every viewer stalled and fell to lower renditions
 * while HTTP-only played the top one smoothly, for no byte from peers.
 */
export const MIN_HEADROOM = 2;
/**
 * A VOD player keeps at least this much buffered over HTTP (seconds), once
 * it has played a while: peers fill what lies beyond. Without it a player
 * whose peers cannot deliver ahead (the first viewer, whom nobody is ahead
 * of; a 4G line whose peers' flows are slow) waits at the narrow window:
 * traced on `mixed`, medians of 9.3 s (fiber) and 4.5 s (4G) ahead where
 * the same viewers over HTTP only held 27 s, so a dip of the line that
 * HTTP-only rides out stalls the P2P player. Live players sit near the
 * edge: they never hold this much, and have floors of their own
 * ({@linkcode LIVE_FLOOR_SEGMENTS}).
 */
export const VOD_FLOOR_S = 10;
/**
 * The floor rises this fast from the join (seconds per second), reaching
 * {@linkcode VOD_FLOOR_S} after 40 s: a joiner's first races stay with its
 * peers, which then fill a fiber joiner's buffer far beyond it. At 0.5 the
 * floor (up to 8 s) cut short the transfers of two early fiber joiners
 * racing for a busy first viewer's uplink: 1.55 copies, where runs without it
 * gave 1.28–1.36.
 */
export const FLOOR_RAMP = 0.25;

/**
 * A player whose peers delivered less than this share of its bytes gets
 * the whole floor once its first peer's grace is over: waiting on peers
 * that deliver nothing buys nothing. Traced on `dips`: the 4G late joiner
 * had 0–5 % from peers 8–20 s after it joined and sat at 2–6 s buffered for
 * the 40 s the floor took to rise. Early fiber joiners had 7–36 % at 8 s
 * (their first segments come over HTTP), 4G joiners on `mixed` 3–13 %.
 */
export const STARVED_PEER_SHARE = 0.05;

/**
 * The least window (seconds) of a VOD player `secondsSinceJoin` after it
 * joined the swarm; `peerShare` is the share of its bytes that came from
 * peers, if known.
 *
 * @example
 * ```ts
 * bufferFloor(10); // 2
 * bufferFloor(60); // 10
 * bufferFloor(10, 0.04); // 10: its peers deliver nothing
 * ```
 */
export function bufferFloor(
  secondsSinceJoin: number,
  peerShare?: number,
): number {
  if (isStarved(secondsSinceJoin, peerShare)) return VOD_FLOOR_S;
  // Whole seconds: the window changes a few times, not every half second.
  return Math.min(
    VOD_FLOOR_S,
    Math.floor(Math.max(0, secondsSinceJoin) * FLOOR_RAMP),
  );
}

/**
 * A live player holds at least this many segments over HTTP until its
 * first peer connects ({@linkcode liveJoinFloor}), and for good once its
 * peers leave it starved ({@linkcode STARVED_PEER_SHARE}): what plain HTTP
 * holds at its fullest, {@linkcode EDGE_SYNC_SEGMENTS} behind the edge.
 * Players the edge player feeds sit further back (`BACK_SYNC_SEGMENTS`),
 * so peers still get a new segment's first seconds. Traced on `dips` live:
 * the 4G late joiner had 0–1 % from peers 8–12 s after it joined, sat at its
 * 3.8 s window with 3–4 s buffered where the same viewer over HTTP only held
 * 5–7 s, and stalled 6.3 s in 4 s dips that HTTP-only rode out. Fiber
 * joiners had 18–63 % at 8 s.
 */
export const LIVE_FLOOR_SEGMENTS = EDGE_SYNC_SEGMENTS;

/**
 * The least window (seconds) of a live player `secondsSinceJoin` after it
 * joined the swarm, with `segmentSeconds` long segments; `peerShare` as for
 * {@linkcode bufferFloor}. None unless its peers leave it starved: a live
 * player's window is its peers' deadline for the newest segment.
 *
 * @example
 * ```ts
 * liveBufferFloor(20, 0.3, 2); // 0
 * liveBufferFloor(20, 0.01, 2); // 6
 * ```
 */
export function liveBufferFloor(
  secondsSinceJoin: number,
  peerShare: number | undefined,
  segmentSeconds: number,
): number {
  return isStarved(secondsSinceJoin, peerShare)
    ? LIVE_FLOOR_SEGMENTS * segmentSeconds
    : 0;
}

/**
 * The least window (seconds) of a live player that has had no peer yet
 * (`hadPeer` false), with `segmentSeconds` long segments: what plain HTTP
 * would hold, so a dip of the line in a joiner's first seconds finds it as
 * well stocked. It ends when its first peer connects (unlike
 * {@linkcode liveBufferFloor}, which stays); not with the first byte from
 * peers, which would never come to players further down the tree: they ask
 * peers only 5.5–6.5 s ahead (`liveP2PWindow`), inside this floor. Traced
 * on `dips` live, five runs: the 4G late joiner's window let it buffer
 * 2.8–4.5 s before its line's first dip, 2–5 s after it joined, where the
 * same viewer over HTTP only held 4.5–5.2 s; it stalled in every run,
 * HTTP-only in one (0 s). Its first peer came 2.4–10 s after it joined.
 *
 * @example
 * ```ts
 * liveJoinFloor(false, 2); // 6
 * liveJoinFloor(true, 2); // 0
 * ```
 */
export function liveJoinFloor(
  hadPeer: boolean,
  segmentSeconds: number,
): number {
  return hadPeer ? 0 : LIVE_FLOOR_SEGMENTS * segmentSeconds;
}

/**
 * The window (seconds) that keeps a live floor of `heldSeconds` buffered
 * (none for 0) on a line whose segment fetches take `fetchSeconds`: the
 * next segment's fetch starts when the buffer falls to the window, so the
 * window adds the fetch, in half seconds (few changes). The live floors
 * stand for what plain HTTP holds, so they must be held; the VOD floor is
 * a margin, a third of what plain HTTP holds. Traced on `dips` live: with
 * a 6 s window the 4G late joiner held 4.2–6.6 s between its dips, the
 * same viewer over HTTP only 5.3–7.5 s; with the fetch added, 5.3–7.3 s.
 *
 * @example
 * ```ts
 * holdingWindow(6, 0.9); // 7
 * holdingWindow(6, undefined); // 6: not measured yet
 * holdingWindow(0, 0.9); // 0
 * ```
 */
export function holdingWindow(
  heldSeconds: number,
  fetchSeconds: number | undefined,
): number {
  if (heldSeconds <= 0) return 0;
  return Math.ceil((heldSeconds + (fetchSeconds ?? 0)) * 2) / 2;
}

/**
 * Whether a player's peers leave it starved: its first peer's grace is over
 * and they gave it less than {@linkcode STARVED_PEER_SHARE} of its bytes.
 */
function isStarved(secondsSinceJoin: number, peerShare?: number): boolean {
  return peerShare !== undefined && peerShare < STARVED_PEER_SHARE &&
    secondsSinceJoin * 1000 >= FIRST_PEER_GRACE_MS;
}

/** Before a fetch was measured, assume one takes this long (seconds). */
export const UNMEASURED_FETCH_S = 0.5;
/** Before the playlist was read, assume segments of this long (seconds). */
export const UNMEASURED_SEGMENT_S = 2;

/**
 * The high-demand window (seconds) for these inputs.
 *
 * @example
 * ```ts
 * highDemandWindow({ peers: 2, awaitingPeer: false, httpFetchSeconds: 0.3 }); // 2.6
 * highDemandWindow({ peers: 0, awaitingPeer: false }); // 60: plain HTTP
 * highDemandWindow({ peers: 3, awaitingPeer: false, edge: true }); // 60: the live edge player
 * highDemandWindow({ peers: 2, awaitingPeer: false, httpFetchSeconds: 1.6, segmentSeconds: 2 }); // 60: no headroom
 * ```
 */
export function highDemandWindow(inputs: PacingInputs): number {
  if (inputs.edge) return NO_PEERS_WINDOW_S;
  if (inputs.peers === 0 && !inputs.awaitingPeer) return NO_PEERS_WINDOW_S;
  const fetch = inputs.httpFetchSeconds ?? UNMEASURED_FETCH_S;
  const typical = inputs.typicalFetchSeconds ?? inputs.httpFetchSeconds;
  if (
    inputs.segmentSeconds !== undefined &&
    typical !== undefined &&
    inputs.segmentSeconds < MIN_HEADROOM * typical
  ) return NO_PEERS_WINDOW_S;
  const window = MARGIN_S + SAFETY_FACTOR * fetch;
  return Math.round(
    Math.min(MAX_WINDOW_S, Math.max(MIN_WINDOW_S, window)) * 10,
  ) / 10;
}

/**
 * A smoothed segment fetch time: a new sample moves the estimate a third of
 * the way, but a slower sample counts at once (safety first).
 */
export function smoothFetchSeconds(
  previous: number | undefined,
  sample: number,
): number {
  if (previous === undefined || sample > previous) return sample;
  return averageFetchSeconds(previous, sample);
}

/**
 * A typical segment fetch time: each sample moves it a third of the way,
 * slower or faster. The headroom rule follows it, so one fetch slowed by
 * peers' transfers on the same line does not switch a line at the
 * border to plain HTTP (measured on the lab's 4G line: 0.9 s fetches of 2 s
 * segments, one of 1.03 s switched it for 0.7 s, which cancelled both
 * peers' transfers and lost both peers).
 */
export function averageFetchSeconds(
  previous: number | undefined,
  sample: number,
): number {
  if (previous === undefined) return sample;
  return previous + (sample - previous) / 3;
}

/** A media segment's URL (not a playlist, a report or the tracker). */
const SEGMENT_URL = /\.(m4s|ts|mp4|m4v|m4a|aac|cmfv|cmfa)(\?|#|$)/i;

/**
 * Whether a Resource Timing entry is an HTTP segment fetch (hls.js's XHR
 * or p2p-media-loader's fetch), not a playlist, a report or the tracker.
 */
export function isSegmentFetch(entry: PerformanceResourceTiming): boolean {
  return SEGMENT_URL.test(entry.name) &&
    (entry.initiatorType === "fetch" ||
      entry.initiatorType === "xmlhttprequest");
}

/** What {@linkcode startPacing} sets. */
export interface PacedCore {
  /** Seconds ahead of the playhead fetched over HTTP. */
  highDemandTimeWindow: number;
  /** Peer transfers at once (0 while the player plays plain HTTP). */
  simultaneousP2PDownloads?: number;
}

/** What {@linkcode startPacing} drives. */
export interface PacedEngine {
  /** p2p-media-loader's `applyDynamicConfig`. */
  applyDynamicConfig(config: { core: PacedCore }): void;
}

/** What {@linkcode startPacing} reads. */
export interface PacingSources {
  /** Peers connected now. */
  peers(): number;
  /** Whether the channel had viewers when this one joined. */
  channelHadViewers: boolean;
  /** The operator's fixed window for what plays now (`P2P_CORE_OPTIONS`), if any: then no pacing. */
  fixedWindow(): number | undefined;
  /** Seconds of media in a segment, once the playlist is known. */
  segmentSeconds?(): number | undefined;
  /** Whether this live player holds the edge role now (fetches new segments over HTTP at once). */
  edge?(): boolean;
  /** The clock (ms), `performance.now` by default. */
  clock?(): number;
  /**
   * Whether the media is VOD (true: see {@linkcode bufferFloor}) or live
   * (false: see {@linkcode liveBufferFloor}); no floor while not known.
   */
  vod?(): boolean | undefined;
  /** Share of this player's bytes that came from peers (0–1), for the floor. */
  peerShare?(): number;
  /** The runway for peers while it applies (VOD), if any (see p2p_runway.ts). */
  runway?(): Runway | undefined;
  /** Seconds buffered ahead of the playhead (for the runway). */
  bufferAhead?(): number;
  /**
   * Peer transfers at once when peers may serve (the engine's
   * `simultaneousP2PDownloads`). While the player plays plain HTTP
   * ({@linkcode NO_PEERS_WINDOW_S}) it starts none: p2p-media-loader would
   * still ask peers for the next segments while HTTP is busy and cancel
   * each transfer once HTTP is free, so a 4G viewer of the lab's `mixed`
   * took a seeder's uplink for 14 transfers in a row, every one cancelled,
   * from the viewers who could use it.
   */
  p2pDownloads?(): number;
  /** Called with each new window (for the debug log and tests). */
  onWindow?(seconds: number): void;
}

/**
 * Keep `engine`'s high-demand window following this viewer's measurements
 * (segment fetch times from Resource Timing, connected peers). Returns a
 * function that stops it. Browser-only.
 */
export function startPacing(
  engine: PacedEngine,
  sources: PacingSources,
): () => void {
  const now = () => sources.clock?.() ?? performance.now();
  const started = now();
  let lastPeerAt: number | undefined;
  let floor = 0;
  let fetchSeconds: number | undefined;
  let typicalFetchSeconds: number | undefined;
  let applied: number | undefined;
  let appliedPlainHttp: boolean | undefined;
  const update = () => {
    if (sources.fixedWindow() !== undefined) return;
    const segmentSeconds = sources.segmentSeconds?.();
    const peers = sources.peers();
    const at = now();
    if (peers > 0) lastPeerAt = at;
    const edge = sources.edge?.();
    const base = highDemandWindow({
      peers,
      awaitingPeer: (sources.channelHadViewers &&
        at - started < FIRST_PEER_GRACE_MS) ||
        (lastPeerAt !== undefined && at - lastPeerAt < PEER_RETURN_GRACE_MS),
      httpFetchSeconds: fetchSeconds,
      typicalFetchSeconds,
      segmentSeconds,
      edge,
    });
    const runway = base < NO_PEERS_WINDOW_S ? sources.runway?.() : undefined;
    const extra = runway?.extraSeconds({
      bufferAheadSeconds: sources.bufferAhead?.() ?? 0,
      windowSeconds: base,
      segmentSeconds: segmentSeconds ?? UNMEASURED_SEGMENT_S,
      httpFetchSeconds: fetchSeconds,
      peers,
    }) ?? 0;
    // The floor only rises: a share of peers' bytes crossing the starved
    // line must not drop it back (traced on `dips`: 10 s fell to 5, and the
    // buffer to 3 s).
    const vod = sources.vod?.();
    const share = sources.peerShare?.();
    const segment = segmentSeconds ?? UNMEASURED_SEGMENT_S;
    if (vod !== undefined) {
      const sinceJoin = (at - started) / 1000;
      floor = Math.max(
        floor,
        vod
          ? bufferFloor(sinceJoin, share)
          : liveBufferFloor(sinceJoin, share, segment),
      );
    }
    const least = vod === false
      ? holdingWindow(
        Math.max(floor, liveJoinFloor(lastPeerAt !== undefined, segment)),
        typicalFetchSeconds,
      )
      : floor;
    const window = base < NO_PEERS_WINDOW_S
      ? Math.round(Math.max(base + extra, least) * 10) / 10
      : base;
    // The live edge player keeps its transfers: a segment another edge
    // player brought may still come from it.
    const plainHttp = window >= NO_PEERS_WINDOW_S && !edge;
    if (window === applied && plainHttp === appliedPlainHttp) return;
    applied = window;
    appliedPlainHttp = plainHttp;
    const downloads = sources.p2pDownloads?.();
    engine.applyDynamicConfig({
      core: {
        highDemandTimeWindow: window,
        ...(downloads === undefined
          ? {}
          : { simultaneousP2PDownloads: plainHttp ? 0 : downloads }),
      },
    });
    sources.onWindow?.(window);
  };
  const observer = typeof PerformanceObserver === "function"
    ? new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const resource = entry as PerformanceResourceTiming;
        if (isSegmentFetch(resource) && resource.duration > 0) {
          fetchSeconds = smoothFetchSeconds(
            fetchSeconds,
            resource.duration / 1000,
          );
          typicalFetchSeconds = averageFetchSeconds(
            typicalFetchSeconds,
            resource.duration / 1000,
          );
        }
      }
      update();
    })
    : undefined;
  observer?.observe({ type: "resource", buffered: true });
  // The observer still sees new entries; the page's buffer must not fill up.
  const clear = () => performance.clearResourceTimings();
  performance.addEventListener("resourcetimingbufferfull", clear);
  update();
  const timer = setInterval(update, 500);
  return () => {
    clearInterval(timer);
    observer?.disconnect();
    performance.removeEventListener("resourcetimingbufferfull", clear);
  };
}
