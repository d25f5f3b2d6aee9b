/**
 * What the lab measures inside each viewer's page, from the `<video>`
 * element as a viewer experiences it (not from the player's own figures):
 * time to first frame, stalls (count and time), media seconds played, the
 * rendition on screen (by its height) and so the mean played bitrate and
 * the switches. Plus, for lab profiles, the detour of TURN traffic through
 * the viewer's own shaped entry.
 * @module
 */
import type { Page } from "playwright-core";
import { bufferAhead } from "../../player/media_buffer.ts";

/** What {@linkcode readPlayback} returns. */
export interface PlaybackFigures {
  /** ms from navigation to the first frame, or null. */
  ttffMs: number | null;
  /** ms from navigation to the first byte from a peer, or null. */
  firstP2PMs: number | null;
  /** Times playback waited for data after the first frame. */
  stalls: number;
  /** Seconds spent waiting after the first frame (an ongoing stall included). */
  stallSeconds: number;
  /** Media seconds played. */
  playedSeconds: number;
  /** Mean bitrate of what was on screen (kbit/s), weighted by time. */
  meanKbps: number;
  /** Changes of rendition on screen. */
  switches: number;
  /** Whether a VOD ended. */
  ended: boolean;
  /** The P2P panel's counters (bytes). */
  httpBytes: number;
  /** Bytes from peers. */
  p2pBytes: number;
  /** Bytes uploaded to peers. */
  uploadedBytes: number;
  /**
   * Seconds buffered ahead, once a second after the first frame, until a
   * VOD is buffered to its end: how much a dip of the line it could ride out.
   */
  aheadSamples: number[];
}

/** What the probe keeps in a page (`window.__lab`), as it counts. */
export interface ProbeFigures {
  /** `performance.now()` at the first frame, or null. */
  ttff: number | null;
  /** Stalls after the first frame. */
  stalls: number;
  /** ms stalled, ended stalls. */
  stallMs: number;
  /** When the ongoing stall began, or null. */
  stallStart: number | null;
  /** Media seconds played. */
  played: number;
  /** kbit played (seconds times the rendition's bitrate). */
  kbitPlayed: number;
  /** Changes of rendition on screen. */
  switches: number;
  /** Whether a VOD ended. */
  ended: boolean;
  /** Once a second: [ms, media time, seconds ahead, 1 once buffered to a VOD's end]. */
  samples: number[][];
}

/**
 * The probe, run before the page's own scripts. `kbpsByHeight` maps each
 * rendition's height to its bitrate; `vod` says the media has an end.
 */
export function playbackProbe(
  kbpsByHeight: Record<number, number>,
  vod = false,
): string {
  return `(() => {
    const KBPS = ${JSON.stringify(kbpsByHeight)};
    // A live playlist's end is the edge: a buffer that reaches it still counts.
    const VOD = ${vod};
    const lab = window.__lab = {
      ttff: null, stalls: 0, stallMs: 0, stallStart: null,
      played: 0, kbitPlayed: 0, switches: 0, height: 0, ended: false,
      samples: [],
    };
    const now = () => performance.now();
    // The lab's network namespace has no route out, so Chromium says it is
    // offline; a real viewer's device says online, even in a tunnel, and
    // hls.js treats failed requests differently when offline.
    Object.defineProperty(Navigator.prototype, "onLine", { get: () => true });
    // The player's own measure (player/media_buffer.ts).
    const bufferAhead = ${bufferAhead};
    document.addEventListener("playing", () => {
      lab.ttff ??= now();
      if (lab.stallStart !== null) {
        lab.stallMs += now() - lab.stallStart;
        lab.stallStart = null;
      }
    }, true);
    document.addEventListener("waiting", () => {
      if (lab.ttff !== null && lab.stallStart === null) {
        lab.stalls++;
        lab.stallStart = now();
      }
    }, true);
    document.addEventListener("ended", () => { lab.ended = true; }, true);
    // When each peer connection was made, gathered its candidates and connected (for traces).
    lab.rtc = [];
    const NativePC = window.RTCPeerConnection;
    if (NativePC) {
      window.RTCPeerConnection = class extends NativePC {
        constructor(...args) {
          super(...args);
          const entry = { made: Math.round(now()) };
          if (lab.rtc.length < 200) lab.rtc.push(entry);
          this.addEventListener("icegatheringstatechange", () => {
            if (this.iceGatheringState === "complete") entry.gathered ??= Math.round(now());
          });
          this.addEventListener("connectionstatechange", () => {
            entry[this.connectionState] ??= Math.round(now());
          });
        }
      };
    }
    // The peer id this page announces under (for traces: who sent what).
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      if (lab.selfId === undefined && typeof data === "string" && data.includes('"announce"')) {
        try { lab.selfId = JSON.parse(data).peer_id; } catch { /* not JSON */ }
      }
      return send.call(this, data);
    };
    let last = null;
    setInterval(() => {
      const video = document.querySelector("video");
      if (!video) return;
      const time = video.currentTime;
      // Media time that advanced by less than a jump counts as played.
      if (last !== null && time > last && time - last < 2) {
        lab.played += time - last;
        lab.kbitPlayed += (time - last) * (KBPS[video.videoHeight] ?? 0);
      }
      last = time;
      if (video.videoHeight && video.videoHeight !== lab.height) {
        if (lab.height) lab.switches++;
        lab.height = video.videoHeight;
      }
      // Once a second: [ms, media time, seconds buffered ahead, 1 once
      // buffered to the end of a VOD] for traces and the buffer figures.
      if (lab.samples.length < 3600 && now() - (lab.samples.at(-1)?.[0] ?? -1000) >= 1000) {
        const ahead = bufferAhead(video);
        const toEnd = VOD && time + ahead >= video.duration - 0.5 ? 1 : 0;
        lab.samples.push([Math.round(now()), Math.round(time * 10) / 10, Math.round(ahead * 10) / 10, toEnd]);
      }
    }, 250);
  })();`;
}

/**
 * Send the page's TURN traffic to `entryPort` (the viewer's shaped UDP
 * entry) instead of coturn's own `turnPort`: ICE servers are rewritten as
 * peer connections are made.
 */
export function turnDetour(turnPort: number, entryPort: number): string {
  return `(() => {
    const from = "127.0.0.1:${turnPort}", to = "127.0.0.1:${entryPort}";
    const Native = window.RTCPeerConnection;
    if (!Native) return;
    const detour = (servers) => servers.map((server) => ({
      ...server,
      urls: [server.urls].flat().map((url) => url.replace(from, to)),
    }));
    window.RTCPeerConnection = class extends Native {
      constructor(config, ...rest) {
        super(config?.iceServers ? { ...config, iceServers: detour(config.iceServers) } : config, ...rest);
      }
    };
  })();`;
}

/** Read the probe and the P2P panel of a page. */
export async function readPlayback(page: Page): Promise<PlaybackFigures> {
  return await page.evaluate(() => {
    const lab = (globalThis as unknown as { __lab: ProbeFigures }).__lab;
    const panel = document.querySelector<HTMLElement>(".p2p-panel")?.dataset ??
      {};
    const log = (globalThis as unknown as {
      __redflixP2P?: {
        events: Array<{ type: string; source?: string; at?: number }>;
      };
    }).__redflixP2P;
    const firstP2P = log?.events.find((event) =>
      event.type === "chunkDownloaded" && event.source === "p2p"
    );
    const ongoing = lab.stallStart === null
      ? 0
      : performance.now() - lab.stallStart;
    return {
      ttffMs: lab.ttff,
      firstP2PMs: firstP2P?.at ?? null,
      stalls: lab.stalls,
      stallSeconds: (lab.stallMs + ongoing) / 1000,
      playedSeconds: lab.played,
      meanKbps: lab.played ? lab.kbitPlayed / lab.played : 0,
      switches: lab.switches,
      ended: lab.ended,
      httpBytes: Number(panel.httpBytes ?? 0),
      p2pBytes: Number(panel.p2pBytes ?? 0),
      uploadedBytes: Number(panel.uploadedBytes ?? 0),
      aheadSamples: lab.samples.flatMap(([at, , ahead, toEnd]) =>
        lab.ttff !== null && at! >= lab.ttff && !toEnd ? [ahead!] : []
      ),
    };
  });
}
