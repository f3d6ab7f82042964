/**
 * Form values → the call's arguments, with a message per field that needs attention; the raw
 * JSON text of the arguments; and the help text a field's constraints give.
 */
import type { Field, FieldErrors, FormValue, Path } from './types.ts';
import { isObject } from './read-schema.ts';
import {
  ZONED,
  fromLocalDateTime,
  isFormObject,
  pointer,
  put,
  sameJson,
  valueAt,
} from './values.ts';
// ---------------------------------------------------------------------------------------------
// Form values → arguments, with validation

export const ABSENT: unique symbol = Symbol('absent');
export type Out = unknown;

interface Run {
  /** Strict: record errors (submit). Draft: keep what was typed (switching to raw JSON). */
  readonly strict: boolean;
  readonly errors: Record<string, string>;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
export const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** Whether a value holds nothing a person entered (an optional object like that is left out). */
export function isEmpty(field: Field, value: FormValue | undefined): boolean {
  switch (field.kind) {
    case 'text':
      return typeof value !== 'string' || value === '';
    case 'boolean':
      return typeof value !== 'boolean';
    case 'multi':
    case 'array':
      return !Array.isArray(value) || value.length === 0;
    case 'object':
      return field.fields.every((child) =>
        isEmpty(child, isFormObject(value) ? valueAt(value, [child.name]) : undefined),
      );
    default:
      return typeof value !== 'string' || value.trim() === '';
  }
}

/** A required field with no value: null where allowed, false for an unticked box, else an error. */
export function missing(field: Field, path: Path, run: Run, message: string, draft: Out): Out {
  if (field.nullable) return null;
  if (field.kind === 'boolean') return false;
  // ??=: a choice that held an unknown key already said so, which is more useful than this.
  if (run.strict) run.errors[pointer(path)] ??= message;
  return draft;
}

export function emit(field: Field, value: FormValue | undefined, path: Path, run: Run): Out {
  const invalid = (message: string, draft: Out): Out => {
    if (run.strict) run.errors[pointer(path)] ??= message;
    return draft;
  };
  const counted = (items: unknown[], min?: number, max?: number): Out => {
    if (min !== undefined && items.length < min)
      return invalid(`Must have at least ${plural(min, 'item')}.`, items);
    if (max !== undefined && items.length > max)
      return invalid(`Must have at most ${plural(max, 'item')}.`, items);
    return items;
  };
  switch (field.kind) {
    case 'text': {
      const text = typeof value === 'string' ? value : '';
      if (text === '') return ABSENT;
      if (field.input === 'datetime-local' && !ZONED.test(text)) {
        return fromLocalDateTime(text) ?? invalid('Must be a date and time.', text);
      }
      const length = [...text].length; // JSON Schema counts code points, not UTF-16 units
      if (field.minLength !== undefined && length < field.minLength)
        return invalid(`Must be at least ${plural(field.minLength, 'character')} long.`, text);
      if (field.maxLength !== undefined && length > field.maxLength)
        return invalid(`Must be at most ${plural(field.maxLength, 'character')} long.`, text);
      if (field.pattern !== undefined && !matches(field.pattern, text))
        return invalid(`Must match the pattern ${field.pattern}.`, text);
      return text;
    }
    case 'number': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') return ABSENT;
      if (!NUMBER.test(text)) return invalid('Must be a number.', text);
      const n = Number(text);
      if (!Number.isFinite(n)) return invalid('Must be a number.', text);
      if (field.integer && !Number.isInteger(n)) return invalid('Must be a whole number.', n);
      if (field.minimum !== undefined && n < field.minimum)
        return invalid(`Must be at least ${field.minimum}.`, n);
      if (field.exclusiveMinimum !== undefined && n <= field.exclusiveMinimum)
        return invalid(`Must be more than ${field.exclusiveMinimum}.`, n);
      if (field.maximum !== undefined && n > field.maximum)
        return invalid(`Must be at most ${field.maximum}.`, n);
      if (field.exclusiveMaximum !== undefined && n >= field.exclusiveMaximum)
        return invalid(`Must be less than ${field.exclusiveMaximum}.`, n);
      return n;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : ABSENT;
    case 'choice': {
      if (typeof value !== 'string' || value === '') return ABSENT;
      const option = field.options.find((o) => o.key === value);
      return option
        ? structuredClone(option.value)
        : invalid('Must be one of the allowed values.', ABSENT);
    }
    case 'multi': {
      const keys = Array.isArray(value) ? value : [];
      if (keys.length === 0 && !field.required) return ABSENT;
      const options = keys.map((key) => field.options.find((o) => o.key === key));
      if (options.some((o) => o === undefined))
        return invalid('Must be one of the allowed values.', ABSENT);
      const chosen = options.map((o) => structuredClone(o!.value));
      return counted(chosen, field.minItems, field.maxItems);
    }
    case 'array': {
      const items = Array.isArray(value) ? value : [];
      if (items.length === 0 && !field.required) return ABSENT;
      const out = items.map((item, i) => {
        const one = emit(field.item, item, [...path, i], run);
        // Draft keeps the row as null, so a round trip through raw JSON keeps every row.
        return one === ABSENT
          ? missing(field.item, [...path, i], run, 'Empty: fill it in or remove it.', null)
          : one;
      });
      return counted(out, field.minItems, field.maxItems);
    }
    case 'object': {
      const object = isFormObject(value) ? value : {};
      // Left empty: an optional object is left out, a nullable one sent as null (by the parent).
      if ((!field.required || field.nullable) && isEmpty(field, object)) return ABSENT;
      const out: Record<string, unknown> = {};
      for (const child of field.fields) {
        const childPath = [...path, child.name];
        let one = emit(child, valueAt(object, [child.name]), childPath, run);
        if (one === ABSENT && child.required)
          one = missing(child, childPath, run, 'Required.', ABSENT);
        if (one !== ABSENT) put(out, child.name, one);
      }
      return out;
    }
    case 'raw': {
      const text = typeof value === 'string' ? value : '';
      if (text.trim() === '') return ABSENT;
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        return invalid(`Not valid JSON (${detail(error)}).`, text);
      }
    }
  }
}

/** JSON Schema patterns are ECMA-262 with the `u` flag; one the browser cannot compile is skipped. */
export function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return true;
  }
}

export const detail = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function run(root: Field, values: FormValue, strict: boolean) {
  const state: Run = { strict, errors: {} };
  let out = emit({ ...root, required: true, nullable: false }, values, [], state);
  if (out === ABSENT) out = {};
  if (strict && !isObject(out) && !('' in state.errors))
    state.errors[''] = 'The arguments must be a JSON object, like {"name": "value"}.';
  return { out, errors: state.errors };
}

/** Every problem with the values, keyed by field pointer; empty when they can be sent. */
export function validate(root: Field, values: FormValue): FieldErrors {
  return run(root, values, true).errors;
}

export type ArgumentsResult =
  { ok: true; arguments: Record<string, unknown> } | { ok: false; errors: FieldErrors };

/**
 * The tool's `arguments`: numbers as numbers, empty optional fields left out, raw parts parsed.
 * Fails with the same errors as `validate` when anything is wrong.
 */
export function toArguments(root: Field, values: FormValue): ArgumentsResult {
  const { out, errors } = run(root, values, true);
  if (Object.keys(errors).length > 0 || !isObject(out)) return { ok: false, errors };
  return { ok: true, arguments: out };
}

/**
 * The arguments as far as they go, for the raw-JSON editor: never fails. What does not parse is
 * kept as the text that was typed (a number field's "12a" becomes the string "12a"), so switching
 * to JSON and back loses nothing.
 */
export function draftArguments(root: Field, values: FormValue): Record<string, unknown> {
  const { out } = run(root, values, false);
  // Only a raw root can produce anything else; its text needs no conversion (see SchemaFormState).
  return isObject(out) ? out : {};
}

// ---------------------------------------------------------------------------------------------
// Raw JSON text

export function argumentsToJson(args: Record<string, unknown>): string {
  return JSON.stringify(args, null, 2);
}

export type ParsedArguments =
  { ok: true; arguments: Record<string, unknown> } | { ok: false; error: string };

/** Reads the raw editor's text. Empty text means no arguments. */
export function parseArgumentsJson(text: string): ParsedArguments {
  if (text.trim() === '') return { ok: true, arguments: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      error: `The arguments are not valid JSON (${detail(error)}). Check the quotes, commas and brackets.`,
    };
  }
  if (isObject(parsed)) return { ok: true, arguments: parsed };
  const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'a list' : `a ${typeof parsed}`;
  return {
    ok: false,
    error: `The arguments must be a JSON object, like {"name": "value"}, not ${what}.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Help text derived from the schema's constraints

export function bounds(lower: string | undefined, upper: string | undefined): string | undefined {
  if (!lower && !upper) return undefined;
  const text = lower && upper ? `${lower} and ${upper}` : (lower ?? upper)!;
  return text;
}

export function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One line about what a field accepts ("Whole number, at least 1."), or undefined. */
export function hint(field: Field): string | undefined {
  const parts: string[] = [];
  const count = (min?: number, max?: number, unit = 'item') => {
    const range = bounds(
      min !== undefined ? `at least ${plural(min, unit)}` : undefined,
      max !== undefined ? `at most ${plural(max, unit)}` : undefined,
    );
    if (range) parts.push(`${capital(range)}.`);
  };
  switch (field.kind) {
    case 'text':
      count(field.minLength, field.maxLength, 'character');
      if (field.pattern !== undefined) parts.push(`Pattern: ${field.pattern}`);
      if (field.input === 'datetime-local') parts.push('In your local time.');
      break;
    case 'number': {
      const range = bounds(
        field.minimum !== undefined
          ? `at least ${field.minimum}`
          : field.exclusiveMinimum !== undefined
            ? `more than ${field.exclusiveMinimum}`
            : undefined,
        field.maximum !== undefined
          ? `at most ${field.maximum}`
          : field.exclusiveMaximum !== undefined
            ? `less than ${field.exclusiveMaximum}`
            : undefined,
      );
      if (field.integer) parts.push(range ? `Whole number, ${range}.` : 'Whole number.');
      else if (range) parts.push(`${capital(range)}.`);
      break;
    }
    case 'multi':
    case 'array':
      count(field.minItems, field.maxItems);
      break;
    case 'raw':
      parts.push(field.reason);
      break;
  }
  if (field.required && field.nullable && field.kind !== 'array' && field.kind !== 'multi')
    parts.push('Leave empty to send null.');
  const fallback = field.default;
  if (
    typeof fallback === 'string' ||
    typeof fallback === 'number' ||
    typeof fallback === 'boolean'
  ) {
    const label =
      field.kind === 'choice'
        ? field.options.find((o) => sameJson(o.value, fallback))?.label
        : undefined;
    parts.push(`Default: ${label ?? String(fallback)}.`);
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}
