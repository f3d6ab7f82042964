/**
 * Reconnection schedule: capped exponential backoff with "full jitter" (a uniform draw between half
 * the capped delay and the capped delay), so a hub that lost many servers at once does not hammer
 * them in lockstep when they come back, yet never waits less than half the nominal delay.
 */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  baseMs: number;
  /** No delay exceeds this, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 10_000 };

/**
 * The delay before retry number `attempt` (0 for the first retry).
 * @param random a source of uniform numbers in [0, 1); passed in so tests are deterministic.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  // 2 ** attempt overflows to Infinity long after it passes any sane cap; Math.min tames it.
  const capped = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  return Math.round(capped / 2 + (random() * capped) / 2);
}
