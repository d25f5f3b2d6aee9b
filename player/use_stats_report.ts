/**
 * Reporting to `POST /api/stats/report`: the session's running totals every
 * `reportIntervalMs`, and a goodbye with `navigator.sendBeacon` when the
 * page closes or the player unmounts. The page's session token is used
 * first; a new session is asked for when there is none or it expired, and
 * counts from zero.
 * @module
 */
import type { UploadReason } from "../p2p/upload_policy.ts";
import type { ReadonlySignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import type { PlayerReport, ReportedP2PStatus } from "../analytics/report.ts";
import type { P2PStats } from "../p2p/stats.ts";
import type { PlaybackQuality } from "./use_playback.ts";

/** Counters at some moment: a session's totals are the difference from its start. */
export interface Counters {
  /** Bytes from the origin. */
  http: number;
  /** Bytes from peers. */
  p2p: number;
  /** Bytes sent to peers. */
  up: number;
  /** Stalls. */
  stalls: number;
}

/** What a report says, at one moment. */
export interface ReportState {
  /** The session token. */
  token: string;
  /** The channel's id. */
  channel: string;
  /** Whether the stream is live. */
  live: boolean;
  /** What P2P does. */
  status: ReportedP2PStatus;
  /** Whether it uploads and why, if known. */
  upload?: UploadReason;
  /** The player's counters now. */
  now: Counters;
  /** The counters when the session started. */
  base: Counters;
  /** Whether bytes can be known (not with native HLS). */
  bytesKnown: boolean;
  /** Peers connected now. */
  peers: number;
  /** Time to first frame, once known. */
  ttffMs: number | null;
  /** The goodbye. */
  final: boolean;
}

/** The report body for `state`: totals since the session started, bytes `null` when unknown. */
export function buildReport(state: ReportState): PlayerReport {
  const { now, base } = state;
  return {
    token: state.token,
    channel: state.channel,
    live: state.live,
    p2pStatus: state.status,
    ...(state.upload ? { upload: state.upload } : {}),
    totals: {
      httpBytes: state.bytesKnown ? now.http - base.http : null,
      p2pBytes: state.bytesKnown ? now.p2p - base.p2p : null,
      uploadedBytes: state.bytesKnown ? now.up - base.up : null,
      stalls: now.stalls - base.stalls,
    },
    peers: state.peers,
    ttffMs: state.ttffMs,
    final: state.final,
  };
}

/** What the reporting hook reads. */
export interface ReportSources {
  /** The channel's id. */
  channelId: string;
  /** The page's token for this channel, if any. */
  sessionToken?: string;
  /** How often to report (ms); 0: never. */
  intervalMs: number;
  /** The player's statistics. */
  stats: P2PStats;
  /** Time to first frame and stalls. */
  quality: PlaybackQuality;
  /** What P2P does. */
  status: ReadonlySignal<ReportedP2PStatus>;
  /** The upload policy's reason. */
  upload?: ReadonlySignal<{ reason: UploadReason }>;
  /** Whether the stream is live. */
  isLive: ReadonlySignal<boolean>;
  /** Whether bytes can be known. */
  bytesKnown: () => boolean;
}

/** Report this player's figures while it is mounted. */
export function useStatsReport(sources: ReportSources): void {
  const { channelId, intervalMs, stats, quality } = sources;
  useEffect(() => {
    if (!intervalMs) return;
    let token = sources.sessionToken;
    const counters = (): Counters => ({
      http: stats.httpBytes.value,
      p2p: stats.p2pBytes.value,
      up: stats.uploadedBytes.value,
      stalls: quality.stalls,
    });
    let base: Counters = { http: 0, p2p: 0, up: 0, stalls: 0 };
    const body = (final: boolean): string | undefined =>
      token && JSON.stringify(buildReport({
        token,
        channel: channelId,
        live: sources.isLive.value,
        status: sources.status.value,
        upload: sources.upload?.value.reason,
        now: counters(),
        base,
        bytesKnown: sources.bytesKnown(),
        peers: stats.peers.value.length,
        ttffMs: quality.ttffMs,
        final,
      }));
    const renew = async () => {
      const response = await fetch(
        `/api/stats/session?channel=${encodeURIComponent(channelId)}`,
        { method: "POST" },
      );
      if (!response.ok) return;
      token = (await response.json() as { token?: string }).token;
      base = counters(); // a new session counts from now
    };
    const send = async () => {
      if (!token) await renew();
      const report = body(false);
      if (!report) return;
      const response = await fetch("/api/stats/report", {
        method: "POST",
        body: report,
        keepalive: true,
      });
      // An expired or ended session: the next report starts a new one.
      if (response.status === 401 || response.status === 409) token = undefined;
    };
    // The last report goes out even while the page unloads.
    const sendFinal = () => {
      const report = body(true);
      if (report) navigator.sendBeacon("/api/stats/report", report);
    };
    const timer = setInterval(() => send().catch(() => {}), intervalMs);
    addEventListener("pagehide", sendFinal);
    return () => {
      clearInterval(timer);
      removeEventListener("pagehide", sendFinal);
      sendFinal();
    };
  }, [channelId]);
}
