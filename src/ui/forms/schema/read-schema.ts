/**
 * JSON Schema (as a server sent it, often draft 2020-12) → a tree of fields: references and
 * `allOf` resolved, nullability and titled choices recognised, limits against hostile or recursive
 * schemas, and a `raw` field (JSON typed by hand) for whatever the form cannot show.
 */
import type {
  ArrayField,
  Field,
  FieldBase,
  MultiField,
  NumberField,
  ObjectField,
  Option,
  RawField,
  TextField,
  TextInput,
} from './types.ts';
import { sameJson } from './values.ts';
// Limits that keep a hostile or recursive schema from hanging the page: a tree type refers to
// itself, and a few `$defs` that each use the next one twice grow exponentially when expanded.
export const MAX_DEPTH = 12;
/** How often one `$ref` may recur along one branch: enough to show a tree two levels deep. */
export const MAX_REF_REPEAT = 2;
export const MAX_FIELDS = 2000;
export const MAX_HOPS = 32;

export const WHY = {
  shapes:
    'The schema allows several different shapes here, which the form cannot show: type it as JSON.',
  map: 'The schema allows any names here (a map), which the form cannot show: type it as JSON.',
  any: 'The schema allows any JSON value here: type it as JSON.',
  deep: 'The schema nests too deeply, or refers back to itself, to show as a form: type it as JSON.',
  big: 'The schema is too large to show as a form: type this part as JSON.',
  tuple: 'The schema gives each position of this list its own type: type it as JSON.',
  proto: 'The schema has a property named __proto__, which the form cannot hold: type it as JSON.',
  notObject: 'The tool’s input schema does not describe an object: type the arguments as JSON.',
} as const;

export type Schema = Record<string, unknown>;

export function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type Failure = { ok: false; reason: string };
export const fail = (reason: string): Failure => ({ ok: false, reason });

interface Context {
  readonly root: unknown;
  fieldsLeft: number;
}

/** A `$ref` target inside the root schema; only local references (`#…`): Nexus fetches nothing. */
export function lookup(root: unknown, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let segment: string;
    try {
      // A `$ref` is a URI fragment: percent-decoded first, then JSON Pointer (RFC 6901) escapes.
      segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    } catch {
      return undefined;
    }
    if ((!isObject(node) && !Array.isArray(node)) || !Object.hasOwn(node, segment))
      return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

export type Resolved = { ok: true; schema: Schema; refs: readonly string[] };

/** Follows `$ref` (siblings win, as 2020-12 applies both) and a lone `allOf` wrapper. */
export function resolve(input: unknown, ctx: Context, refs: readonly string[]): Resolved | Failure {
  let schema: unknown = input;
  let seen = refs;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (schema === true) schema = {};
    if (!isObject(schema)) return fail(WHY.any);
    const { $ref: ref, allOf, ...rest } = schema;
    if (typeof ref === 'string') {
      if (seen.filter((r) => r === ref).length >= MAX_REF_REPEAT) return fail(WHY.deep);
      const target = ref.startsWith('#') ? lookup(ctx.root, ref) : undefined;
      if (target === undefined) {
        return fail(
          ref.startsWith('#')
            ? `The schema refers to ${ref}, which it does not define: type this as JSON.`
            : `The schema refers to another document (${ref}), which Nexus does not fetch: type this as JSON.`,
        );
      }
      // The target's own `$ref`, if any, stays for the next hop; the referring side's words win.
      const { $ref: _ref, ...siblings } = schema;
      schema = isObject(target) ? { ...target, ...siblings } : target === true ? siblings : target;
      seen = [...seen, ref];
      continue;
    }
    if (Array.isArray(allOf)) {
      // Pydantic v1 wraps a `$ref` in a one-branch `allOf` to give it a description; longer
      // ones usually extend a base object. Merged when the branches do not disagree.
      let merged: Schema = rest;
      for (const branch of allOf) {
        const inner = resolve(branch, ctx, seen);
        if (!inner.ok) return inner;
        const next = mergeSchemas(merged, inner.schema);
        if (!next) return fail(WHY.shapes);
        merged = next;
        seen = inner.refs;
      }
      schema = merged;
      continue;
    }
    return { ok: true, schema, refs: seen };
  }
  return fail(WHY.deep);
}

/** Words for people, where branches may differ without changing what is accepted. */
export const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$comment']);

/** Both schemas at once, or undefined when they constrain one keyword differently. */
export function mergeSchemas(a: Schema, b: Schema): Schema | undefined {
  const out: Schema = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (!Object.hasOwn(out, key) || sameJson(out[key], value)) out[key] = value;
    else if (ANNOTATIONS.has(key))
      continue; // the outer schema, or the first branch, wins
    else if (key === 'required' && Array.isArray(out.required) && Array.isArray(value))
      out.required = [...new Set([...out.required, ...value])];
    else if (key === 'properties' && isObject(out.properties) && isObject(value)) {
      const properties = { ...out.properties };
      for (const [name, property] of Object.entries(value)) {
        if (Object.hasOwn(properties, name) && !sameJson(properties[name], property))
          return undefined;
        properties[name] = property;
      }
      out.properties = properties;
    } else return undefined;
  }
  return out;
}

export function isNullSchema(schema: Schema): boolean {
  return (
    schema.type === 'null' ||
    ('const' in schema && schema.const === null) ||
    (Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null)
  );
}

interface Normal {
  ok: true;
  schema: Schema;
  refs: readonly string[];
  nullable: boolean;
  /** From `oneOf`/`anyOf` of `{ const, title }`. */
  choices?: Array<{ value: unknown; title: unknown }>;
}

/**
 * Resolves references and strips nullability: `type: [T, 'null']`, OpenAPI's `nullable`, and
 * `anyOf: [T, { type: 'null' }]` (how Pydantic writes `Optional[T]`, common in Python servers).
 */
export function normalize(input: unknown, ctx: Context, refs: readonly string[]): Normal | Failure {
  let current = input;
  let seen = refs;
  let nullable = false;
  for (let round = 0; round < MAX_HOPS; round++) {
    const resolved = resolve(current, ctx, seen);
    if (!resolved.ok) return resolved;
    let schema = resolved.schema;
    seen = resolved.refs;
    if (schema.nullable === true) nullable = true;
    if (Array.isArray(schema.type) && schema.type.includes('null')) {
      nullable = true;
      const rest = schema.type.filter((type) => type !== 'null');
      schema = { ...schema, type: rest.length === 1 ? rest[0] : rest };
    }
    const key = Array.isArray(schema.anyOf) ? 'anyOf' : Array.isArray(schema.oneOf) ? 'oneOf' : '';
    if (key === '') return { ok: true, schema, refs: seen, nullable };
    const { [key]: list, ...outer } = schema;
    const branches: Resolved[] = [];
    for (const branch of list as unknown[]) {
      const one = resolve(branch, ctx, seen);
      if (!one.ok) return one;
      branches.push(one);
    }
    const kept = branches.filter((branch) => !isNullSchema(branch.schema));
    if (kept.length < branches.length) nullable = true;
    const [only] = kept;
    if (kept.length === 1 && only) {
      current = { ...only.schema, ...outer };
      seen = only.refs;
      continue;
    }
    if (kept.length > 0 && kept.every((branch) => 'const' in branch.schema)) {
      const choices = kept.map((branch) => ({
        value: branch.schema.const,
        title: branch.schema.title,
      }));
      return { ok: true, schema: outer, refs: seen, nullable, choices };
    }
    return fail(WHY.shapes);
  }
  return fail(WHY.deep);
}

export function optionOf(value: unknown, label: unknown): Option {
  const key = JSON.stringify(value);
  const text = typeof label === 'string' && label !== '' ? label : undefined;
  return {
    key,
    value: structuredClone(value),
    label: text ?? (typeof value === 'string' ? value : key),
  };
}

export function uniqueOptions(options: Option[]): Option[] {
  const keys = new Set<string>();
  return options.filter((option) => !keys.has(option.key) && keys.add(option.key));
}

export const numberOr = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Keeps only the keys whose value is defined (fields read cleaner without `undefined`s). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export const FORMATS: Readonly<Record<string, TextInput>> = {
  email: 'email',
  'idn-email': 'email',
  uri: 'url',
  iri: 'url',
  date: 'date',
  // A datetime-local control shows local time; values convert to and from UTC (see below).
  'date-time': 'datetime-local',
};

export function build(
  input: unknown,
  name: string,
  required: boolean,
  ctx: Context,
  depth: number,
  refs: readonly string[],
): Field {
  const schemaOf = isObject(input) ? input : {};
  const rawOf = (reason: string, base: FieldBase = baseOf(schemaOf, name, required, false)) =>
    ({ ...base, kind: 'raw', reason }) as RawField;
  if (depth > MAX_DEPTH) return rawOf(WHY.deep);
  if (--ctx.fieldsLeft < 0) return rawOf(WHY.big);

  const normal = normalize(input, ctx, refs);
  if (!normal.ok) return rawOf(normal.reason);
  const { schema } = normal;
  let nullable = normal.nullable;

  let choices = normal.choices;
  if (!choices && Array.isArray(schema.enum)) {
    const names = Array.isArray(schema.enumNames) ? schema.enumNames : [];
    choices = schema.enum.map((value, index) => ({ value, title: names[index] }));
  } else if (!choices && 'const' in schema) {
    choices = [{ value: schema.const, title: schema.title }];
  }
  if (choices) {
    if (choices.some((choice) => choice.value === null)) nullable = true;
    const options = uniqueOptions(
      choices
        .filter((choice) => choice.value !== null)
        .map((choice) => optionOf(choice.value, choice.title)),
    );
    return { ...baseOf(schema, name, required, nullable), kind: 'choice', options };
  }

  const base = baseOf(schema, name, required, nullable);
  const type =
    schema.type ??
    (isObject(schema.properties) ? 'object' : schema.items !== undefined ? 'array' : undefined);
  switch (type) {
    case 'string':
      return defined<TextField>({
        ...base,
        kind: 'text',
        input:
          typeof schema.format === 'string' && Object.hasOwn(FORMATS, schema.format)
            ? FORMATS[schema.format]!
            : 'text',
        minLength: numberOr(schema.minLength),
        maxLength: numberOr(schema.maxLength),
        pattern: typeof schema.pattern === 'string' ? schema.pattern : undefined,
      });
    case 'number':
    case 'integer': {
      // Draft 4 wrote exclusive bounds as booleans beside minimum/maximum; 6+ as numbers.
      const exMin = schema.exclusiveMinimum === true ? schema.minimum : schema.exclusiveMinimum;
      const exMax = schema.exclusiveMaximum === true ? schema.maximum : schema.exclusiveMaximum;
      return defined<NumberField>({
        ...base,
        kind: 'number',
        integer: type === 'integer',
        minimum: schema.exclusiveMinimum === true ? undefined : numberOr(schema.minimum),
        maximum: schema.exclusiveMaximum === true ? undefined : numberOr(schema.maximum),
        exclusiveMinimum: numberOr(exMin),
        exclusiveMaximum: numberOr(exMax),
      });
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array': {
      if (Array.isArray(schema.items) || schema.prefixItems !== undefined)
        return rawOf(WHY.tuple, base);
      const item = build(schema.items ?? true, '', true, ctx, depth + 1, normal.refs);
      const counts = {
        minItems: numberOr(schema.minItems),
        maxItems: numberOr(schema.maxItems),
      };
      if (item.kind === 'choice')
        return defined<MultiField>({ ...base, kind: 'multi', options: item.options, ...counts });
      return defined<ArrayField>({ ...base, kind: 'array', item, ...counts });
    }
    case 'object': {
      const properties = schema.properties;
      if (isObject(properties)) {
        if (Object.hasOwn(properties, '__proto__')) return rawOf(WHY.proto, base);
        const requiredNames = Array.isArray(schema.required) ? schema.required : [];
        const fields = Object.entries(properties).map(([key, property]) =>
          build(property, key, requiredNames.includes(key), ctx, depth + 1, normal.refs),
        );
        return { ...base, kind: 'object', fields };
      }
      // No properties: a map of any names (unless the schema forbids extra names, or this is
      // the root, where `{ type: 'object' }` is how most tools say "no arguments").
      if (schema.additionalProperties === false || (depth === 0 && !schema.additionalProperties))
        return { ...base, kind: 'object', fields: [] };
      return rawOf(WHY.map, base);
    }
    default:
      return rawOf(WHY.any, base);
  }
}

export function baseOf(
  schema: Schema,
  name: string,
  required: boolean,
  nullable: boolean,
): FieldBase {
  const title = typeof schema.title === 'string' && schema.title.trim() !== '' ? schema.title : '';
  return defined<FieldBase>({
    name,
    label: title || name,
    description:
      typeof schema.description === 'string' && schema.description.trim() !== ''
        ? schema.description
        : undefined,
    required,
    nullable,
    default: 'default' in schema ? structuredClone(schema.default) : undefined,
  });
}

/**
 * The field tree for a tool's `inputSchema`. The root is an object field (possibly with no
 * fields: the tool takes no arguments) or, when the schema is not an object, one raw field.
 */
export function schemaToField(inputSchema: unknown): ObjectField | RawField {
  const ctx: Context = { root: inputSchema, fieldsLeft: MAX_FIELDS };
  const root = build(inputSchema, '', true, ctx, 0, []);
  const named = { ...root, label: 'Arguments' };
  if (named.kind === 'object' || named.kind === 'raw') return named;
  return { ...baseOf({}, '', true, false), label: 'Arguments', kind: 'raw', reason: WHY.notObject };
}
