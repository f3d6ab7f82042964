/**
 * A tiny assertion kit for the contract suites. The suites run in Node (Vitest) AND in a real
 * browser page (Playwright harness), so they cannot import Vitest or Node's `assert`.
 */

/** One named behaviour of an interface, runnable against any implementation. */
export interface ContractCase<Store> {
  name: string;
  /**
   * `make` returns a fresh, empty store. Call it once per case: implementations differ in whether
   * a second call shares the first store's data (a second IndexedDB connection does, a second
   * memory store does not).
   */
  run(make: () => Promise<Store>): Promise<void>;
}

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Structural equality for plain, structured-cloneable data (what stores hold). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Map && b instanceof Map) {
    return deepEqual([...a.entries()], [...b.entries()]);
  }
  if (a instanceof Set && b instanceof Set) return deepEqual([...a], [...b]);
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  const recordA = a as Record<string, unknown>;
  const recordB = b as Record<string, unknown>;
  return keysA.every((key) => Object.hasOwn(recordB, key) && deepEqual(recordA[key], recordB[key]));
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Map
        ? { Map: [...v] }
        : v instanceof Set
          ? { Set: [...v] }
          : v === undefined
            ? '«undefined»'
            : v,
    );
  } catch {
    return String(value);
  }
}

export function assertEqual<T>(actual: unknown, expected: T, message: string): asserts actual is T {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(
      `${message}\n  expected: ${show(expected)}\n  actual:   ${show(actual)}`,
    );
  }
}

/** Awaits `promise`, fails if it resolves, and returns what it rejected with. */
export async function assertRejects(promise: Promise<unknown>, message: string): Promise<Error> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    assert(error instanceof Error, `${message}: rejected with a non-Error: ${show(error)}`);
    return error;
  }
  throw new AssertionError(`${message}: expected a rejection, but it resolved to ${show(outcome)}`);
}

/** Sorts a copy by a string key, so comparisons do not depend on an order the interface leaves open. */
export function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
