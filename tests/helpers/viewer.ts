/**
 * Helpers for browser tests of the player: open a viewer, wait for
 * playback, read its P2P debug log and stats panel.
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { P2PDebugLog } from "../../player/debug_log.ts";
import { bufferAhead } from "../../player/media_buffer.ts";
import { digestHex } from "../../utils/hex.ts";

/** What a viewer's panel and debug log say at one instant. */
export interface ViewerSnapshot {
  /** Panel `data-*` attributes. */
  panel: {
    status: string;
    peers: number;
    p2pBytes: number;
    httpBytes: number;
    uploadedBytes: number;
    ratio: number;
  };
  /** The debug log (`?debug=p2p`). */
  log: P2PDebugLog;
  /** `video.currentTime`. */
  currentTime: number;
}

/**
 * Script run in every page before its own: records time to first frame and
 * stalls (waiting after the first frame) on `window.__probe`, and keeps every
 * RTCPeerConnection and WebSocket the page opens on `window.__connections`.
 */
export const PLAYBACK_PROBE = `
  window.__probe = { ttff: null, stalls: 0, ended: false };
  document.addEventListener("playing", () => { window.__probe.ttff ??= performance.now(); }, true);
  window.__probe.waits = [];
  // The player's own measure (player/media_buffer.ts).
  const bufferAhead = ${bufferAhead};
  window.__probe.ahead = () => bufferAhead(document.querySelector("video"));
  document.addEventListener("waiting", (e) => {
    if (window.__probe.ttff === null) return;
    window.__probe.stalls++;
    // Where it happened, for the failure message.
    const video = e.target;
    const ahead = bufferAhead(video);
    if (window.__probe.waits.length < 20) {
      window.__probe.waits.push({ at: Math.round(performance.now()), time: video.currentTime, ahead, seeking: video.seeking });
    }
  }, true);
  document.addEventListener("ended", () => { window.__probe.ended = true; }, true);
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
  });
  window.__connections = { peers: [], sockets: [] };
  const NativePeerConnection = window.RTCPeerConnection;
  if (NativePeerConnection) {
    window.RTCPeerConnection = class extends NativePeerConnection {
      constructor(...args) { super(...args); window.__connections.peers.push({ pc: this, at: performance.now() }); }
    };
  }
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) { super(...args); window.__connections.sockets.push({ ws: this, at: performance.now() }); }
  };
`;

/** What {@linkcode PLAYBACK_PROBE} measured. */
export interface PlaybackProbe {
  /** ms from navigation to the first frame, or null. */
  ttff: number | null;
  /** Times playback waited for data after the first frame. */
  stalls: number;
  /** Whether the video ended. */
  ended: boolean;
  /** Each wait after the first frame: when (ms), where, seconds buffered ahead, whether seeking. */
  waits: Array<{ at: number; time: number; ahead: number; seeking: boolean }>;
}

/** Read {@linkcode PLAYBACK_PROBE}'s numbers. */
export function readProbe(page: Page): Promise<PlaybackProbe> {
  return page.evaluate(() =>
    (globalThis as unknown as { __probe: PlaybackProbe }).__probe
  );
}

/** Seconds the page's video holds ahead of its playhead now. */
export function readBufferAhead(page: Page): Promise<number> {
  return page.evaluate(() =>
    (globalThis as unknown as { __probe: { ahead(): number } }).__probe.ahead()
  );
}

/** Content-Security-Policy violations the page reported (should be none). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations
  );
}

/** The demo channels' segment length (s). */
export const DEMO_SEGMENT_SECONDS = 2;

/** Open `/watch/<channel>?debug=p2p` in a fresh page of `context`. */
export async function openViewer(
  context: BrowserContext,
  baseUrl: string,
  channel: string,
): Promise<Page> {
  await context.addInitScript(PLAYBACK_PROBE);
  const page = await context.newPage();
  page.on(
    "pageerror",
    (error) => console.error(`[page error] ${error.message}`),
  );
  await page.goto(`${baseUrl}/watch/${channel}?debug=p2p`);
  return page;
}

/** Wait until the video has played past `seconds`. */
export async function waitForPlayback(
  page: Page,
  seconds = 1,
  timeout = 30_000,
): Promise<void> {
  await page.waitForFunction(
    (s) => (document.querySelector("video")?.currentTime ?? 0) > s,
    seconds,
    { timeout },
  );
}

/** Read the panel and the debug log in one go, so they describe the same moment. */
export function snapshot(page: Page): Promise<ViewerSnapshot> {
  return page.evaluate(() => {
    const panel = document.querySelector<HTMLElement>(".p2p-panel")!;
    const data = panel.dataset;
    const log = (globalThis as { __redflixP2P?: P2PDebugLog }).__redflixP2P ??
      { events: [], p2pSegments: [] };
    return {
      panel: {
        status: data.status ?? "",
        peers: Number(data.peers),
        p2pBytes: Number(data.p2pBytes),
        httpBytes: Number(data.httpBytes),
        uploadedBytes: Number(data.uploadedBytes),
        ratio: Number(data.p2pRatio),
      },
      log: JSON.parse(JSON.stringify(log)),
      currentTime: document.querySelector("video")!.currentTime,
    };
  });
}

/** Sum of chunk bytes in a debug log, by source. */
export function bytesFromEvents(
  log: P2PDebugLog,
): { http: number; p2p: number; uploaded: number } {
  const sum = { http: 0, p2p: 0, uploaded: 0 };
  for (const event of log.events) {
    if (event.type === "chunkDownloaded") {
      sum[event.source === "p2p" ? "p2p" : "http"] += event.bytes ?? 0;
    }
    if (event.type === "chunkUploaded") sum.uploaded += event.bytes ?? 0;
  }
  return sum;
}

/**
 * Two viewers of one channel in separate browser contexts: the first plays
 * for 2 s before the second arrives, as a late joiner would.
 */
export async function watchTogether(
  browser: Browser,
  baseUrl: string,
  channel: string,
): Promise<[Page, Page]> {
  const first = await openViewer(await browser.newContext(), baseUrl, channel);
  await waitForPlayback(first, 2);
  const second = await openViewer(await browser.newContext(), baseUrl, channel);
  return [first, second];
}

/**
 * Wait until a viewer got at least `count` segments from peers, then check
 * each against the origin's bytes at `originUrl` (by SHA-256).
 */
export async function assertPeerSegmentsMatchOrigin(
  page: Page,
  originUrl: string,
  count = 3,
): Promise<void> {
  await page.waitForFunction(
    (wanted) =>
      ((globalThis as { __redflixP2P?: { p2pSegments: unknown[] } })
        .__redflixP2P?.p2pSegments.length ?? 0) >= wanted,
    count,
    { timeout: 40_000 },
  );
  const { log } = await snapshot(page);
  for (const { url, sha256: received } of log.p2pSegments) {
    const origin = await (await fetch(new URL(url, originUrl))).arrayBuffer();
    assert.equal(
      received,
      await digestHex(origin),
      `segment ${url} from a peer matches the origin`,
    );
  }
}
