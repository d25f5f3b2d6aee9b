/**
 * What a player reports to `POST /api/stats/report`, validated. Reports are
 * untrusted: every field is checked for shape and range here, once.
 * Counters are the session's running totals (monotonic), so a lost report is
 * made up by the next one and a repeated one adds nothing.
 * @module
 */
import { isChannelId } from "../channels/channel.ts";
import { UPLOAD_REASONS, type UploadReason } from "../p2p/upload_policy.ts";

/** Why P2P is or is not running, as the player's panel says. */
export const P2P_STATUSES = [
  "starting",
  "active",
  "waiting",
  "operator",
  "viewer",
  "webrtc",
  "tracker",
  "native",
  "turn",
] as const;

/** A P2P status. */
export type ReportedP2PStatus = typeof P2P_STATUSES[number];

/** A validated player report. */
export interface PlayerReport {
  /** The session token the server minted for this page view (`analytics/session_token.ts`). */
  token: string;
  /** Catalog id of the channel. */
  channel: string;
  /** Whether the stream is live. */
  live: boolean;
  /** What P2P is doing for this viewer. */
  p2pStatus: ReportedP2PStatus;
  /** Whether it uploads to peers and why (its upload policy), if it says. */
  upload?: UploadReason;
  /**
   * Running totals since the session started. Bytes are `null` where the
   * player cannot know them (Safari's native HLS): unknown, never 0.
   */
  totals: {
    /** Bytes downloaded from the origin. */
    httpBytes: number | null;
    /** Bytes downloaded from peers. */
    p2pBytes: number | null;
    /** Bytes uploaded to peers. */
    uploadedBytes: number | null;
    /** Times playback stalled after it started. */
    stalls: number;
  };
  /** Peers connected now. */
  peers: number;
  /** Time to first frame, once known. */
  ttffMs: number | null;
  /** The last report of the session (the page is closing). */
  final: boolean;
}

const MAX_TOTAL_BYTES = 1e13; // 10 TB: more than any session moves

function field(body: Record<string, unknown>, name: string): unknown {
  return body[name];
}

function countOrUnknown(
  value: unknown,
  name: string,
  max: number,
): number | null {
  return value === null ? null : count(value, name, max);
}

function count(value: unknown, name: string, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Invalid ${name}: expected a non-negative number`);
  }
  if (value > max) {
    throw new RangeError(`Invalid ${name}: ${value} is more than ${max}`);
  }
  return Math.floor(value);
}

function uploadOf(value: unknown): { upload?: UploadReason } {
  if (value === undefined) return {};
  if (!UPLOAD_REASONS.includes(value as UploadReason)) {
    throw new TypeError(
      `Invalid upload: expected one of ${UPLOAD_REASONS.join(", ")}`,
    );
  }
  return { upload: value as UploadReason };
}

/**
 * Validate a report body.
 *
 * @throws {TypeError|RangeError} naming the bad field.
 */
export function parseReport(body: unknown): PlayerReport {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new TypeError("Invalid report: expected a JSON object");
  }
  const b = body as Record<string, unknown>;
  const token = field(b, "token");
  if (typeof token !== "string" || token.length === 0 || token.length > 200) {
    throw new TypeError(
      "Invalid token: expected the session token the watch page was served with",
    );
  }
  const channel = field(b, "channel");
  if (!isChannelId(channel)) {
    throw new TypeError("Invalid channel: expected a channel id");
  }
  const status = field(b, "p2pStatus");
  if (!P2P_STATUSES.includes(status as ReportedP2PStatus)) {
    throw new TypeError(
      `Invalid p2pStatus: expected one of ${P2P_STATUSES.join(", ")}`,
    );
  }
  const totals = field(b, "totals");
  if (typeof totals !== "object" || totals === null) {
    throw new TypeError("Invalid totals: expected an object");
  }
  const t = totals as Record<string, unknown>;
  const ttff = field(b, "ttffMs");
  const bytesKnown = t.httpBytes !== null || t.p2pBytes !== null ||
    t.uploadedBytes !== null;
  if (
    bytesKnown &&
    (t.httpBytes === null || t.p2pBytes === null || t.uploadedBytes === null)
  ) {
    throw new TypeError(
      "Invalid totals: bytes are all known or all null (unknown)",
    );
  }
  return {
    token,
    channel,
    live: field(b, "live") === true,
    p2pStatus: status as ReportedP2PStatus,
    ...uploadOf(field(b, "upload")),
    totals: {
      httpBytes: countOrUnknown(
        t.httpBytes,
        "totals.httpBytes",
        MAX_TOTAL_BYTES,
      ),
      p2pBytes: countOrUnknown(t.p2pBytes, "totals.p2pBytes", MAX_TOTAL_BYTES),
      uploadedBytes: countOrUnknown(
        t.uploadedBytes,
        "totals.uploadedBytes",
        MAX_TOTAL_BYTES,
      ),
      stalls: count(t.stalls, "totals.stalls", 1e6),
    },
    peers: count(field(b, "peers") ?? 0, "peers", 10_000),
    ttffMs: ttff === null || ttff === undefined
      ? null
      : count(ttff, "ttffMs", 600_000),
    final: field(b, "final") === true,
  };
}
