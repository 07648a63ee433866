/**
 * Section 14: when a failed webhook delivery is tried again. The first retry
 * comes within 30 s (a receiver that was restarting gets it soon), then the
 * waits grow to an hour and stay there; a delivery is given up 24 h after it
 * was queued, its last attempt made at that moment.
 */
export interface RetrySchedule {
  /** The wait after the 1st, 2nd, ... failed attempt; the last one repeats. */
  delaysMs: readonly number[];
  /** How long after it was queued a delivery is still tried. */
  giveUpAfterMs: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = {
  delaysMs: [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000],
  giveUpAfterMs: 24 * 3_600_000,
};

/** When to try again after `attempts` failed attempts (at `now`), or null to give up. */
export function nextAttemptAt(
  schedule: RetrySchedule,
  input: { createdAt: number; attempts: number; now: number },
): number | null {
  const deadline = input.createdAt + schedule.giveUpAfterMs;
  if (input.now >= deadline) return null;
  const index = Math.min(Math.max(input.attempts, 1), schedule.delaysMs.length) - 1;
  const delay = schedule.delaysMs[index] ?? 0;
  return Math.min(input.now + delay, deadline);
}
