/**
 * Who joins a lab run when, and who leaves: viewers join every stagger
 * seconds; with churn, two of them crash mid-stream (no `stopped`) and one
 * more joins late.
 * @module
 */

/** The joins and crashes of one lab run, in seconds from its start. */
export interface ChurnPlan {
  /** Each viewer's join, in join order. */
  joins: Array<{ viewer: number; at: number }>;
  /** The viewers that crash, all at {@linkcode ChurnPlan.crashAt}. */
  crashes: number[];
  /** When they crash (with churn). */
  crashAt?: number;
}

/** The fewest viewers a run with churn takes: two crash, one joins late, the first stays. */
export const MIN_CHURN_VIEWERS = 4;
/** Seconds after the last early join at which two viewers crash. */
export const CRASH_AFTER_S = 15;
/** Seconds after the crash at which the late viewer joins. */
export const LATE_JOIN_AFTER_S = 5;

/**
 * The plan for `viewers` viewers. With churn ({@linkcode MIN_CHURN_VIEWERS}
 * or more), every
 * viewer but the last joins every `staggerSeconds`; two of them crash
 * {@linkcode CRASH_AFTER_S} after the last of those joins, the second and
 * the fourth (the third when only three joined), never the first, which
 * brought the segments in; the last viewer joins
 * {@linkcode LATE_JOIN_AFTER_S} after the crash.
 */
export function churnPlan(
  viewers: number,
  staggerSeconds: number,
  churn: boolean,
): ChurnPlan {
  if (churn && viewers < MIN_CHURN_VIEWERS) {
    throw new RangeError(
      `churn needs ${MIN_CHURN_VIEWERS} viewers or more, not ${viewers}`,
    );
  }
  const early = churn ? viewers - 1 : viewers;
  const joins = Array.from(
    { length: early },
    (_, viewer) => ({ viewer, at: viewer * staggerSeconds }),
  );
  if (!churn) return { joins, crashes: [] };
  const crashAt = (early - 1) * staggerSeconds + CRASH_AFTER_S;
  joins.push({ viewer: viewers - 1, at: crashAt + LATE_JOIN_AFTER_S });
  return { joins, crashes: [1, Math.min(3, early - 1)], crashAt };
}
