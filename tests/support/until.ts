/**
 * Polls `check` on real event-loop turns until it holds, for at most `ms` (default 2 s). For
 * in-memory tests whose events have no promise to await (notifications, status changes); a fake
 * clock, where a test has one, does not move while this waits.
 */
export async function until(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}
