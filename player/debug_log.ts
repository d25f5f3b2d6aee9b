/**
 * The `?debug=p2p` log: what the player did, in order, on
 * `window.__redflixP2P` (for tests, the network lab's traces and support).
 * P2P players record the engine's events (see `p2p_engine.ts`); every
 * player records hls.js's fragment and level events, so an HTTP-only
 * baseline can be traced the same way. Browser-only.
 * @module
 */
import type Hls from "hls.js";
import type {
  ErrorData,
  FragBufferedData,
  FragLoadEmergencyAbortedData,
  FragLoadingData,
  LevelSwitchingData,
} from "hls.js";
import { digestHex } from "../utils/hex.ts";

/** One event of the log. */
export interface DebugEvent {
  /** What happened (`segmentLoaded`, `peerConnect`, `fragLoading`…). */
  type: string;
  /** Bytes it carried. */
  bytes?: number;
  /** `http` or `p2p`. */
  source?: string;
  /** The peer concerned. */
  peerId?: string;
  /** The high-demand window set by pacing (`type: "window"`). */
  seconds?: number;
  /** The segment (`segmentStart`, `segmentLoaded`, `segmentAbort`, `segmentError`, `frag…`). */
  url?: string;
  /** hls.js level index (`frag…`, `levelSwitching`). */
  level?: number;
  /** Media sequence number (`frag…`). */
  sn?: number;
  /** Anything else worth reading in a trace (`swarmLevels`: peers per level). */
  detail?: string;
  /** ms since the page started. */
  at?: number;
}

/** What `?debug=p2p` records on `window.__redflixP2P`. */
export interface P2PDebugLog {
  /** Every recorded event, in order. */
  events: DebugEvent[];
  /** SHA-256 (hex) of each segment received from a peer. */
  p2pSegments: Array<{ url: string; sha256: string }>;
}

/**
 * The `?debug=p2p` log (published on `window.__redflixP2P`), or `undefined`
 * when the page did not ask for it.
 */
export function debugLog(): P2PDebugLog | undefined {
  if (new URL(location.href).searchParams.get("debug") !== "p2p") {
    return undefined;
  }
  const log: P2PDebugLog = { events: [], p2pSegments: [] };
  (globalThis as { __redflixP2P?: P2PDebugLog }).__redflixP2P = log;
  return log;
}

/** Add `event` to `log`, stamped with the page's clock (now, unless it has `at`). */
export function record(log: P2PDebugLog | undefined, event: DebugEvent): void {
  log?.events.push({ ...event, at: event.at ?? Math.round(performance.now()) });
}

/** A `validateP2PSegment` that records each peer segment's SHA-256 in `log`. */
export function recordPeerSegments(log: P2PDebugLog) {
  return async (url: string, _range: unknown, data: ArrayBuffer) => {
    log.p2pSegments.push({ url, sha256: await digestHex(data) });
    return true;
  };
}

/** Record hls.js's fragment requests, buffered fragments, emergency and other level switches, and errors. */
export function recordHlsEvents(
  hls: Hls,
  events: typeof Hls.Events,
  log: P2PDebugLog,
): void {
  record(log, { type: "hlsCreated" });
  hls.on(events.FRAG_LOADING, (_event: string, data: FragLoadingData) => {
    const { frag } = data;
    if (typeof frag.sn !== "number") return; // an init segment
    record(log, {
      type: "fragLoading",
      level: frag.level,
      sn: frag.sn,
      url: frag.url,
    });
  });
  hls.on(events.FRAG_BUFFERED, (_event: string, data: FragBufferedData) => {
    const { frag } = data;
    if (typeof frag.sn !== "number") return;
    record(log, { type: "fragBuffered", level: frag.level, sn: frag.sn });
  });
  // hls.js gave up a fragment that could not arrive in time, for a lower level.
  hls.on(
    events.FRAG_LOAD_EMERGENCY_ABORTED,
    (_event: string, data: FragLoadEmergencyAbortedData) =>
      record(log, {
        type: "emergencySwitch",
        level: data.frag.level,
        sn: typeof data.frag.sn === "number" ? data.frag.sn : undefined,
      }),
  );
  hls.on(
    events.LEVEL_SWITCHING,
    (_event: string, data: LevelSwitchingData) =>
      record(log, { type: "levelSwitching", level: data.level }),
  );
  // Errors, recovered or not: a stall's cause may be one.
  hls.on(events.ERROR, (_event: string, data: ErrorData) =>
    record(log, {
      type: "hlsError",
      detail: `${data.type}/${data.details}${data.fatal ? "/fatal" : ""}`,
      url: data.frag?.url,
    }));
}
