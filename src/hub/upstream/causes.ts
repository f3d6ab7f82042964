/**
 * Errors arrive wrapped (the SDK's transports and the hub's own words put the original in
 * `cause`): what kind of failure it was is found along that chain, a few links deep.
 */

/** `error` or one of its causes when it is a `type`. */
export function causeOf<T>(
  error: unknown,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof type) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
