/**
 * Form values: paths into them, what an untouched field holds, JSON arguments turned back into
 * form values (for the raw-JSON editor), and local date-times for `date-time` fields.
 */
import type { Field, FormObject, FormValue, Path } from './types.ts';
import { isObject } from './read-schema.ts';
// ---------------------------------------------------------------------------------------------
// Paths

/** The JSON Pointer (RFC 6901) of a path: the key of its error message. */
export function pointer(path: Path): string {
  return path.map((s) => '/' + String(s).replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** A DOM id for the control at `path`, unique under `prefix` and free of whitespace. */
export function domId(prefix: string, path: Path): string {
  return `${prefix}-f/${path.map((s) => encodeURIComponent(String(s))).join('/')}`;
}

/** A path as a person reads it: "point › x", "tags › item 2". */
export function describePath(path: Path): string {
  if (path.length === 0) return 'the arguments';
  return path.map((s) => (typeof s === 'number' ? `item ${s + 1}` : s)).join(' › ');
}

export function isFormObject(value: unknown): value is FormObject {
  return isObject(value);
}

/** The value at `path`, or undefined when there is none. */
export function valueAt(root: FormValue, path: Path): FormValue | undefined {
  let node: FormValue | undefined = root;
  for (const segment of path) {
    if (typeof segment === 'number') node = Array.isArray(node) ? node[segment] : undefined;
    else node = isFormObject(node) && Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** The field that describes the value at `path` (array indexes all lead to the item field). */
export function fieldAt(root: Field, path: Path): Field | undefined {
  let field: Field | undefined = root;
  for (const segment of path) {
    if (field?.kind === 'array' && typeof segment === 'number') field = field.item;
    else if (field?.kind === 'object' && typeof segment === 'string')
      field = field.fields.find((child) => child.name === segment);
    else return undefined;
  }
  return field;
}

/** Own property even for names like `constructor`; arguments cross a MessagePort as plain data. */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

// ---------------------------------------------------------------------------------------------
// Initial values, and JSON → form values

/** What an untouched, empty field holds. */
export function emptyValue(field: Field): FormValue {
  switch (field.kind) {
    case 'boolean':
      return null;
    case 'multi':
    case 'array':
      return [];
    case 'object': {
      const value: FormObject = {};
      for (const child of field.fields) put(value, child.name, emptyValue(child));
      return value;
    }
    default:
      return '';
  }
}

/**
 * What a field starts with: its `default`, also nested. An optional (or nullable) object without
 * a default of its own starts empty, because filling in its fields' defaults would send the
 * object: for a Pydantic `options: Options | None = None` that changes what the call means.
 */
export function initialValue(field: Field): FormValue {
  if (field.kind === 'object') {
    const given = isObject(field.default) ? field.default : undefined;
    if (!given && (!field.required || field.nullable)) return emptyValue(field);
    const value: FormObject = {};
    for (const child of field.fields) {
      const own = given && Object.hasOwn(given, child.name);
      put(
        value,
        child.name,
        own ? fromJson(child, given[child.name], [], []) : initialValue(child),
      );
    }
    return value;
  }
  if (field.default !== undefined && field.default !== null)
    return fromJson(field, field.default, [], []);
  // A required `const` has one possible value: choosing it is not a decision worth asking for.
  if (field.kind === 'choice' && field.required && field.options.length === 1)
    return field.options[0]?.key ?? '';
  return emptyValue(field);
}

export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && sameJson(a[key], b[key]))
    );
  }
  return false;
}

interface Problem {
  path: Path;
  reason: string;
}

export function fromJson(field: Field, json: unknown, path: Path, problems: Problem[]): FormValue {
  if (json === null || json === undefined) return emptyValue(field);
  const wrong = (reason: string): FormValue => {
    problems.push({ path, reason });
    return emptyValue(field);
  };
  switch (field.kind) {
    case 'text':
      if (typeof json !== 'string') return wrong('expected text');
      return field.input === 'datetime-local' ? (toLocalDateTime(json) ?? json) : json;
    case 'number':
      // A string is kept as typed: it is how the draft carries a number that did not parse.
      if (typeof json === 'number') return String(json);
      return typeof json === 'string' ? json : wrong('expected a number');
    case 'boolean':
      return typeof json === 'boolean' ? json : wrong('expected true or false');
    case 'choice':
      return (
        field.options.find((o) => sameJson(o.value, json))?.key ??
        wrong('not one of the allowed values')
      );
    case 'multi': {
      if (!Array.isArray(json)) return wrong('expected a list');
      const keys = json.map((item) => field.options.find((o) => sameJson(o.value, item))?.key);
      return keys.every((key) => key !== undefined)
        ? keys
        : wrong('not all are among the allowed values');
    }
    case 'array':
      if (!Array.isArray(json)) return wrong('expected a list');
      return json.map((item, i) => fromJson(field.item, item, [...path, i], problems));
    case 'object': {
      if (!isObject(json)) return wrong('expected an object');
      const value: FormObject = {};
      for (const child of field.fields) {
        const given = Object.hasOwn(json, child.name) ? json[child.name] : undefined;
        put(value, child.name, fromJson(child, given, [...path, child.name], problems));
      }
      for (const key of Object.keys(json)) {
        if (!field.fields.some((child) => child.name === key))
          problems.push({ path: [...path, key], reason: 'not in the schema' });
      }
      return value;
    }
    case 'raw':
      return JSON.stringify(json, null, 2);
  }
}

export type ValuesResult = { ok: true; value: FormValue } | { ok: false; error: string };

/**
 * Form values for a tool's arguments (raw JSON → form). Fails, naming each place, when part of
 * the JSON has no place in the form: switching would lose it.
 */
export function argumentsToValues(root: Field, args: Record<string, unknown>): ValuesResult {
  const problems: Problem[] = [];
  const value = fromJson(root, args, [], problems);
  if (problems.length === 0) return { ok: true, value };
  const list = problems.map((p) => `${describePath(p.path)} (${p.reason})`).join(', ');
  return {
    ok: false,
    error: `The form has no place for: ${list}. Change that in the JSON, or keep editing as JSON.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Dates: a datetime-local control speaks local time without an offset; RFC 3339 needs one.

export const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
export const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export const two = (n: number) => String(n).padStart(2, '0');

/** An RFC 3339 date-time as the local `YYYY-MM-DDTHH:MM:SS` a datetime-local control shows. */
export function toLocalDateTime(value: string): string | undefined {
  if (!ZONED.test(value)) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  const ms = date.getMilliseconds();
  return (
    `${String(date.getFullYear()).padStart(4, '0')}-${two(date.getMonth() + 1)}-${two(date.getDate())}` +
    `T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}` +
    (ms ? `.${String(ms).padStart(3, '0')}` : '')
  );
}

/** A local datetime-local value as an RFC 3339 instant in UTC (`…Z`). */
export function fromLocalDateTime(value: string): string | undefined {
  const m = LOCAL.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  // Not `new Date(y, …)`: that reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setFullYear(y!, mo! - 1, d!);
  date.setHours(h!, mi!, s || 0, m[7] ? Number(m[7].padEnd(3, '0')) : 0);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString().replace('.000Z', 'Z');
  // toISOString writes years outside 0–9999 as ±YYYYYY, which RFC 3339 does not allow.
  return /^\d{4}-/.test(iso) ? iso : undefined;
}
