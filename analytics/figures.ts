/**
 * The figures the operator reads: per channel and overall, viewers now
 * (and why some have no P2P), bytes by source, the origin offload over
 * viewers whose bytes are known, time to first frame, stalls; and the
 * per-minute history. Pure functions of totals and viewer counts.
 * @module
 */
import { P2P_STATUSES, type ReportedP2PStatus } from "./report.ts";
import {
  NO_UPLOAD_REASONS,
  type NoUploadReason,
} from "../p2p/upload_policy.ts";
import {
  addFields,
  type BucketFigures,
  emptyTotals,
  type Totals,
} from "./store.ts";

/** Viewers without P2P, by reason. */
export interface NoP2PCounts {
  /** Off for the deployment (`P2P_ENABLED=false`). */
  operator: number;
  /** Off by the viewer's switch. */
  viewer: number;
  /** The browser has no WebRTC. */
  webrtc: number;
  /** Native HLS (Safari, iOS): P2P cannot run, bytes are unknown. */
  native: number;
  /** The tracker could not be reached. */
  tracker: number;
  /** Relay-only, and the TURN relay refused or could not be reached. */
  turn: number;
}

/** Viewers with P2P that do not upload, by reason (mobile data, Data Saver…). */
export type NoUploadCounts = Record<NoUploadReason, number>;

/** Bytes and quality figures of a channel, or of all. */
export interface P2PFigures {
  /** Players reporting in the last `viewerTtlMs`. */
  viewers: number;
  /** Of those, viewers without P2P, by reason. */
  noP2P: NoP2PCounts;
  /** Of those with P2P, viewers that download from peers but do not upload, by reason. */
  noUpload: NoUploadCounts;
  /** Bytes the origin served to players whose bytes are known. */
  httpBytes: number;
  /** Bytes players got from each other. */
  p2pBytes: number;
  /** Bytes players sent to each other. */
  uploadedBytes: number;
  /** Share of delivered bytes (of viewers whose bytes are known) that came from peers (0..1). */
  offload: number;
  /** Mean time to first frame (ms), or null before any. */
  avgTtffMs: number | null;
  /** Playback stalls. */
  stalls: number;
}

/** What viewers are counted by: P2P status, and `noUpload:<reason>` for P2P viewers that do not upload. */
export type ViewerKey = ReportedP2PStatus | `noUpload:${NoUploadReason}`;

/** Every {@linkcode ViewerKey}. */
export const VIEWER_KEYS: readonly ViewerKey[] = [
  ...P2P_STATUSES,
  ...NO_UPLOAD_REASONS.map((reason) => `noUpload:${reason}` as const),
];

/** Players reporting now, by channel, then {@linkcode ViewerKey}. */
export type ViewerCounts = Record<string, Partial<Record<ViewerKey, number>>>;

/** One history bucket. */
export interface HistoryBucket extends BucketFigures {
  /** Bucket start (ISO 8601). */
  start: string;
}

/** All channels' figures and each channel's. */
export type FiguresSnapshot = P2PFigures & {
  channels: Record<string, P2PFigures>;
};

/** The statuses that mean a viewer has no P2P, as the figures name them. */
const NO_P2P_REASONS = [
  "operator",
  "viewer",
  "webrtc",
  "native",
  "tracker",
  "turn",
] as const satisfies ReadonlyArray<ReportedP2PStatus>;

/** Add `from`'s counts into `into`, status by status. */
function addStatuses(
  into: Partial<Record<ViewerKey, number>>,
  from: Partial<Record<ViewerKey, number>>,
): void {
  for (const [status, n] of Object.entries(from)) {
    const key = status as ViewerKey;
    into[key] = (into[key] ?? 0) + (n ?? 0);
  }
}

/** Several instances' viewer counts added up. */
export function mergeViewerCounts(
  counts: readonly ViewerCounts[],
): ViewerCounts {
  const merged: ViewerCounts = {};
  for (const each of counts) {
    for (const [channel, statuses] of Object.entries(each)) {
      addStatuses(merged[channel] ??= {}, statuses);
    }
  }
  return merged;
}

/** The figures of one channel (or of all) from its totals and its viewers by status. */
export function figuresOf(
  totals: Totals,
  statuses: ViewerCounts[string] | undefined,
): P2PFigures {
  const delivered = totals.httpBytes + totals.p2pBytes;
  const noP2P = Object.fromEntries(
    NO_P2P_REASONS.map((reason) => [reason, statuses?.[reason] ?? 0]),
  ) as unknown as NoP2PCounts;
  const noUpload = Object.fromEntries(
    NO_UPLOAD_REASONS.map((
      reason,
    ) => [reason, statuses?.[`noUpload:${reason}`] ?? 0]),
  ) as NoUploadCounts;
  let viewers = 0;
  for (const status of P2P_STATUSES) viewers += statuses?.[status] ?? 0;
  return {
    viewers,
    noP2P,
    noUpload,
    httpBytes: totals.httpBytes,
    p2pBytes: totals.p2pBytes,
    uploadedBytes: totals.uploadedBytes,
    offload: delivered === 0 ? 0 : totals.p2pBytes / delivered,
    avgTtffMs: totals.ttffCount === 0
      ? null
      : Math.round(totals.ttffSum / totals.ttffCount),
    stalls: totals.stalls,
  };
}

/** Figures of every channel and of all, from totals by channel and viewers now. */
export function snapshotOf(
  totals: ReadonlyMap<string, Totals>,
  viewers: ViewerCounts,
): FiguresSnapshot {
  const all = emptyTotals();
  const allStatuses: ViewerCounts[string] = {};
  const channels: Record<string, P2PFigures> = {};
  for (const id of new Set([...totals.keys(), ...Object.keys(viewers)])) {
    const channelTotals = totals.get(id) ?? emptyTotals();
    addFields(all, channelTotals);
    addStatuses(allStatuses, viewers[id] ?? {});
    channels[id] = figuresOf(channelTotals, viewers[id]);
  }
  return { ...figuresOf(all, allStatuses), channels };
}
