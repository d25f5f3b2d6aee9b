/**
 * Whether this viewer uploads to peers, decided from what the browser can
 * tell: P2P that uploads over a prepaid 4G plan spends the viewer's own data
 * to save ours. On cellular, with Data Saver, or on a low battery that is
 * not charging, the player downloads from peers but uploads nothing unless
 * the viewer opts in; a hidden page never uploads. Where the browser says
 * nothing (Safari, Firefox have no `navigator.connection`) it uploads, and
 * the "Share with viewers" switch decides.
 * @module
 */

/** Why a player does not upload (reported; the dashboard counts viewers by it). */
export const NO_UPLOAD_REASONS = [
  "cellular",
  "save-data",
  "battery",
  "hidden",
] as const;

/** Every reason a player uploads or not (shown in the P2P panel). */
export const UPLOAD_REASONS = [
  "unmetered",
  "unknown",
  "opted-in",
  ...NO_UPLOAD_REASONS,
] as const;

/** Why the player does not upload. */
export type NoUploadReason = typeof NO_UPLOAD_REASONS[number];

/** Why the player uploads or not. */
export type UploadReason = typeof UPLOAD_REASONS[number];

/** Whether `reason` is one of not uploading. */
export function isNoUploadReason(reason: string): reason is NoUploadReason {
  return (NO_UPLOAD_REASONS as readonly string[]).includes(reason);
}

/** What the browser says about this device right now. */
export interface DeviceFacts {
  /** `navigator.connection.type` (`wifi`, `cellular`, `ethernet`…), if exposed. */
  connectionType?: string;
  /** `navigator.connection.saveData`. */
  saveData?: boolean;
  /** The Battery Status API's reading, where it exists. */
  battery?: { level: number; charging: boolean };
  /** `document.hidden`. */
  hidden: boolean;
}

/** The upload decision. */
export interface UploadDecision {
  /** Whether to upload to peers. */
  upload: boolean;
  /** Why. */
  reason: UploadReason;
}

/** Below this battery level (0–1), not charging, the player stops uploading. */
export const LOW_BATTERY = 0.2;

/** Connection types that cost the viewer money or battery per byte. */
const METERED = new Set(["cellular", "wimax", "bluetooth"]);

/**
 * Decide from `facts`; `optedIn` is the viewer's "share on mobile data"
 * choice, which lifts every rule but the hidden page.
 *
 * @example
 * ```ts
 * decideUpload({ connectionType: "cellular", hidden: false }, false);
 * // { upload: false, reason: "cellular" }
 * ```
 */
export function decideUpload(
  facts: DeviceFacts,
  optedIn: boolean,
): UploadDecision {
  if (facts.hidden) return { upload: false, reason: "hidden" };
  const restricted: UploadReason | undefined = facts.saveData
    ? "save-data"
    : METERED.has(facts.connectionType ?? "")
    ? "cellular"
    : facts.battery && !facts.battery.charging &&
        facts.battery.level < LOW_BATTERY
    ? "battery"
    : undefined;
  if (restricted) {
    return optedIn
      ? { upload: true, reason: "opted-in" }
      : { upload: false, reason: restricted };
  }
  return facts.connectionType
    ? { upload: true, reason: "unmetered" }
    : { upload: true, reason: "unknown" };
}
