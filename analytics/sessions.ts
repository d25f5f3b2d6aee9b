/**
 * Player sessions as the server knows them, and what one report may add.
 * Claims are bounded by real time: a session is credited at most `rate`
 * bytes per second since its page was served (uploads four times that),
 * one stall per two seconds, and a time to first frame no longer than its
 * age. What a report claims beyond its budget is not lost: it stays owed
 * and is credited as time passes, so an honest player that prefetched
 * ahead is counted in full, while a forged claim can only trickle in.
 * @module
 */
import type { UploadReason } from "../p2p/upload_policy.ts";
import type { PlayerReport, ReportedP2PStatus } from "./report.ts";
import type { SessionClaims } from "./session_token.ts";

/** A session's uploads may run this many times its download rate (it serves several peers). */
export const UPLOAD_FACTOR = 4;

/** What has been credited to a session so far. */
export interface Credited {
  /** Origin bytes. */
  http: number;
  /** Peer bytes. */
  p2p: number;
  /** Uploaded bytes. */
  up: number;
  /** Stalls. */
  stalls: number;
}

/** One player session (one page view of one channel). */
export interface Session {
  /** Its id, from the token. */
  readonly id: string;
  /** Its channel. */
  readonly channel: string;
  /** The per-address key of the address that reported it. */
  readonly address: string;
  /** When its page was served (ms since epoch). */
  readonly issuedAt: number;
  /** Counted so far. */
  readonly credited: Credited;
  /** The last report's running totals (what it claims). */
  claimed: PlayerReport["totals"];
  /** When it last reported; undefined before its first report is counted. */
  lastAt?: number;
  /** It said goodbye (`final`): further reports are refused. */
  final: boolean;
  /** What P2P does for it, as it last said. */
  status: ReportedP2PStatus;
  /** Its upload policy's reason, as last reported. */
  upload?: UploadReason;
  /** Its bytes are known (not native HLS). */
  bytesKnown: boolean;
  /** Its time to first frame was counted. */
  ttffCounted: boolean;
  /** Start of the history bucket it was last counted in as a viewer. */
  bucketStart: number;
}

/** A new session from verified token claims. */
export function newSession(
  claims: SessionClaims,
  address: string,
  report: PlayerReport,
): Session {
  return {
    id: claims.sessionId,
    channel: claims.channel,
    address,
    issuedAt: claims.issuedAt,
    credited: { http: 0, p2p: 0, up: 0, stalls: 0 },
    claimed: report.totals,
    final: false,
    status: report.p2pStatus,
    upload: report.upload,
    bytesKnown: true,
    ttffCounted: false,
    bucketStart: -1,
  };
}

/** What one report adds to the totals. */
export interface Credit extends Credited {
  /** A time to first frame to count, if this report brings the first one. */
  ttffMs: number | null;
  /** Some claim was beyond the budget (it stays owed). */
  clamped: boolean;
}

/**
 * Credit a report to its session, within the session's real-time budget at
 * `now`; `rate` is the most bytes per second one viewer of its channel can
 * download. Updates the session and returns what to add.
 */
export function creditReport(
  session: Session,
  report: PlayerReport,
  now: number,
  rate: number,
): Credit {
  const ageS = Math.max(1, (now - session.issuedAt) / 1000);
  const { credited } = session;
  const { totals } = report;
  let clamped = false;
  const credit: Credit = {
    http: 0,
    p2p: 0,
    up: 0,
    stalls: 0,
    ttffMs: null,
    clamped: false,
  };
  if (totals.httpBytes === null || totals.p2pBytes === null) {
    session.bytesKnown = false; // native HLS: nothing to count, never a zero
  } else {
    // Downloads: what is owed on both sources, scaled into what time allows.
    const owedHttp = Math.max(0, totals.httpBytes - credited.http);
    const owedP2p = Math.max(0, totals.p2pBytes - credited.p2p);
    const room = Math.max(0, rate * ageS - credited.http - credited.p2p);
    const scale = owedHttp + owedP2p > room ? room / (owedHttp + owedP2p) : 1;
    clamped ||= scale < 1;
    credit.http = Math.floor(owedHttp * scale);
    credit.p2p = Math.floor(owedP2p * scale);
    const owedUp = Math.max(0, (totals.uploadedBytes ?? 0) - credited.up);
    const upRoom = Math.max(0, rate * UPLOAD_FACTOR * ageS - credited.up);
    clamped ||= owedUp > upRoom;
    credit.up = Math.floor(Math.min(owedUp, upRoom));
  }
  const owedStalls = Math.max(0, totals.stalls - credited.stalls);
  const stallRoom = Math.max(0, Math.floor(ageS / 2) - credited.stalls);
  clamped ||= owedStalls > stallRoom;
  credit.stalls = Math.min(owedStalls, stallRoom);
  if (!session.ttffCounted && report.ttffMs !== null) {
    // A first frame cannot come later than the session's age.
    credit.ttffMs = Math.min(report.ttffMs, now - session.issuedAt);
    session.ttffCounted = true;
  }
  credited.http += credit.http;
  credited.p2p += credit.p2p;
  credited.up += credit.up;
  credited.stalls += credit.stalls;
  session.claimed = totals;
  session.status = report.p2pStatus;
  session.upload = report.upload;
  session.lastAt = now;
  session.final = report.final;
  credit.clamped = clamped;
  return credit;
}
