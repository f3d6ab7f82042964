/**
 * JSON text of a value a client or server sent, which may not be JSON at all: a structured-clone
 * frame can hold a BigInt or a cycle, and nesting can be deep enough to overflow the stack. The
 * Inspector, the journal and the dashboard's detail view show such a value instead of throwing:
 * a BigInt as the string "123n", a cycle as "[cycle]", and what still fails as a one-line note.
 */

const CYCLE = '[cycle]';

/** `JSON.stringify(value, null, indent)` that never throws and always returns a string. */
export function jsonOf(value: unknown, indent?: number): string {
  try {
    return JSON.stringify(value, null, indent) ?? 'null';
  } catch {
    // Fall through: the slow path below marks what JSON cannot hold.
  }
  try {
    return JSON.stringify(value, tolerant(), indent) ?? 'null';
  } catch (error) {
    return JSON.stringify(
      `[not serializable: ${error instanceof Error ? error.message : 'unknown error'}]`,
    );
  }
}

/**
 * A replacer that turns BigInts into strings and cuts cycles. JSON.stringify calls it with the
 * holder as `this`, so the holders above a value are the stack of objects entered and not yet left.
 */
function tolerant(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: object[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value !== 'object' || value === null) return value;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(value)) return CYCLE;
    ancestors.push(value);
    return value;
  };
}
