/**
 * The Playground's form generator, kept pure (no DOM, no runes) so it is tested in Node:
 * a tool's `inputSchema` (JSON Schema as the server sent it, often draft 2020-12) → a tree of
 * fields → form values → the call's `arguments`, and back again for the raw-JSON editor.
 *
 * Everything in a schema is the server's text: titles, descriptions and enum labels are data for
 * the components to render as text, never as HTML. Whatever the form cannot represent becomes a
 * `raw` field (JSON typed by hand) for that subtree, so no part of a tool's input is ever dropped.
 * The schema object itself is only read: every field and option holds copies.
 */

/** Where a value sits: property names and array indexes from the root of the arguments. */
export type Path = readonly (string | number)[];

/**
 * What the form holds (plain JSON, so `$state` can proxy it): text for text, number, choice and
 * raw fields (numbers stay as typed until they are sent), `boolean | null` for booleans (null:
 * not set), option keys for multi-selects, arrays for arrays and objects for objects.
 */
export type FormValue = string | boolean | null | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

/** Messages for people, keyed by the JSON Pointer of the field (`''` is the whole form). */
export type FieldErrors = Readonly<Record<string, string>>;

/** One allowed value of a choice. `key` is its JSON text: unique, and what the form stores. */
export interface Option {
  readonly key: string;
  readonly value: unknown;
  readonly label: string;
}

export type TextInput = 'text' | 'email' | 'url' | 'date' | 'datetime-local';

interface FieldBase {
  /** The property name in the parent object; '' for the root and for array items. */
  readonly name: string;
  /** The schema's `title`, else the property name. */
  readonly label: string;
  readonly description?: string;
  /** Listed in the parent's `required` (the root and array items always are). */
  readonly required: boolean;
  /** The schema also allows null: a required field left empty sends null instead of failing. */
  readonly nullable: boolean;
  /** A copy of the schema's `default`, when it has one. */
  readonly default?: unknown;
}

export interface TextField extends FieldBase {
  readonly kind: 'text';
  readonly input: TextInput;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}
export interface NumberField extends FieldBase {
  readonly kind: 'number';
  readonly integer: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}
export interface BooleanField extends FieldBase {
  readonly kind: 'boolean';
}
export interface ChoiceField extends FieldBase {
  readonly kind: 'choice';
  readonly options: readonly Option[];
}
/** An array of enum values: a set of checkboxes. */
export interface MultiField extends FieldBase {
  readonly kind: 'multi';
  readonly options: readonly Option[];
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface ArrayField extends FieldBase {
  readonly kind: 'array';
  /** The template for every item. */
  readonly item: Field;
  readonly minItems?: number;
  readonly maxItems?: number;
}
export interface ObjectField extends FieldBase {
  readonly kind: 'object';
  readonly fields: readonly Field[];
}
/** A subtree the form cannot show as controls: typed as JSON. */
export interface RawField extends FieldBase {
  readonly kind: 'raw';
  /** Why, in plain words, for the field's help line. */
  readonly reason: string;
}

export type Field =
  | TextField
  | NumberField
  | BooleanField
  | ChoiceField
  | MultiField
  | ArrayField
  | ObjectField
  | RawField;

// Limits that keep a hostile or recursive schema from hanging the page: a tree type refers to
// itself, and a few `$defs` that each use the next one twice grow exponentially when expanded.
const MAX_DEPTH = 12;
/** How often one `$ref` may recur along one branch: enough to show a tree two levels deep. */
const MAX_REF_REPEAT = 2;
const MAX_FIELDS = 2000;
const MAX_HOPS = 32;

const WHY = {
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

type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Failure = { ok: false; reason: string };
const fail = (reason: string): Failure => ({ ok: false, reason });

interface Context {
  readonly root: unknown;
  fieldsLeft: number;
}

/** A `$ref` target inside the root schema; only local references (`#…`): Nexus fetches nothing. */
function lookup(root: unknown, ref: string): unknown {
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

type Resolved = { ok: true; schema: Schema; refs: readonly string[] };

/** Follows `$ref` (siblings win, as 2020-12 applies both) and a lone `allOf` wrapper. */
function resolve(input: unknown, ctx: Context, refs: readonly string[]): Resolved | Failure {
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
const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$comment']);

/** Both schemas at once, or undefined when they constrain one keyword differently. */
function mergeSchemas(a: Schema, b: Schema): Schema | undefined {
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

function isNullSchema(schema: Schema): boolean {
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
function normalize(input: unknown, ctx: Context, refs: readonly string[]): Normal | Failure {
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

function optionOf(value: unknown, label: unknown): Option {
  const key = JSON.stringify(value);
  const text = typeof label === 'string' && label !== '' ? label : undefined;
  return {
    key,
    value: structuredClone(value),
    label: text ?? (typeof value === 'string' ? value : key),
  };
}

function uniqueOptions(options: Option[]): Option[] {
  const keys = new Set<string>();
  return options.filter((option) => !keys.has(option.key) && keys.add(option.key));
}

const numberOr = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Keeps only the keys whose value is defined (fields read cleaner without `undefined`s). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const FORMATS: Readonly<Record<string, TextInput>> = {
  email: 'email',
  'idn-email': 'email',
  uri: 'url',
  iri: 'url',
  date: 'date',
  // A datetime-local control shows local time; values convert to and from UTC (see below).
  'date-time': 'datetime-local',
};

function build(
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

function baseOf(schema: Schema, name: string, required: boolean, nullable: boolean): FieldBase {
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

function isFormObject(value: unknown): value is FormObject {
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
function put(target: Record<string, unknown>, key: string, value: unknown): void {
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

function sameJson(a: unknown, b: unknown): boolean {
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

function fromJson(field: Field, json: unknown, path: Path, problems: Problem[]): FormValue {
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

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i;

const two = (n: number) => String(n).padStart(2, '0');

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

// ---------------------------------------------------------------------------------------------
// Form values → arguments, with validation

const ABSENT: unique symbol = Symbol('absent');
type Out = unknown;

interface Run {
  /** Strict: record errors (submit). Draft: keep what was typed (switching to raw JSON). */
  readonly strict: boolean;
  readonly errors: Record<string, string>;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

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
function missing(field: Field, path: Path, run: Run, message: string, draft: Out): Out {
  if (field.nullable) return null;
  if (field.kind === 'boolean') return false;
  // ??=: a choice that held an unknown key already said so, which is more useful than this.
  if (run.strict) run.errors[pointer(path)] ??= message;
  return draft;
}

function emit(field: Field, value: FormValue | undefined, path: Path, run: Run): Out {
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
function matches(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return true;
  }
}

const detail = (error: unknown) => (error instanceof Error ? error.message : String(error));

function run(root: Field, values: FormValue, strict: boolean) {
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

function bounds(lower: string | undefined, upper: string | undefined): string | undefined {
  if (!lower && !upper) return undefined;
  const text = lower && upper ? `${lower} and ${upper}` : (lower ?? upper)!;
  return text;
}

function capital(text: string): string {
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
