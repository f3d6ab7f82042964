/**
 * State of one form generated from a JSON Schema: the values a person is typing, the messages
 * from the last submit, and the raw-JSON editor. The ONE form engine of the dashboard: the
 * Playground's tool arguments and a server's elicitation both use it (and consent will). The
 * schema work is in `schema-form.ts` (pure, tested in Node); this class only holds state and
 * moves it between the two modes.
 */
import {
  argumentsToJson,
  argumentsToValues,
  draftArguments,
  fieldAt,
  initialValue,
  parseArgumentsJson,
  pointer,
  schemaToField,
  toArguments,
  valueAt,
  type FieldErrors,
  type FormValue,
  type ObjectField,
  type Path,
  type RawField,
} from './schema-form.ts';

export type SubmitResult = { ok: true; arguments: Record<string, unknown> } | { ok: false };

/**
 * A plain copy of the values. Through `unknown`: `Snapshot<T>` of a recursive type is too deep
 * for the compiler to expand, and the values are plain JSON anyway.
 */
function plain(values: FormValue): FormValue {
  return $state.snapshot(values as unknown) as FormValue;
}

export class SchemaFormState {
  /** The field tree, built once from the schema (which is only read, never changed). */
  readonly root: ObjectField | RawField;
  values = $state<FormValue>(null);
  /** Messages per field pointer, from the last submit; a field's message goes when it is edited. */
  errors = $state.raw<FieldErrors>({});
  rawMode = $state.raw(false);
  rawText = $state('');
  /** Why the raw text cannot be sent, or cannot go back into the form. */
  rawError = $state.raw<string | undefined>(undefined);

  constructor(inputSchema: unknown) {
    this.root = schemaToField(inputSchema);
    this.values = initialValue(this.root);
  }

  /** How many fields need attention after the last submit. */
  get errorCount(): number {
    return Object.keys(this.errors).length;
  }

  valueAt(path: Path): FormValue | undefined {
    return valueAt(this.values, path);
  }

  /** Text of a text, number, choice or raw field ('' when empty). */
  text(path: Path): string {
    const value = this.valueAt(path);
    return typeof value === 'string' ? value : '';
  }

  /** A boolean field: true, false, or null when not set. */
  flag(path: Path): boolean | null {
    const value = this.valueAt(path);
    return typeof value === 'boolean' ? value : null;
  }

  /** The items of an array field, or the chosen keys of a multi-select. */
  list(path: Path): readonly FormValue[] {
    const value = this.valueAt(path);
    return Array.isArray(value) ? value : [];
  }

  errorAt(path: Path): string | undefined {
    return this.errors[pointer(path)];
  }

  setValue(path: Path, value: FormValue): void {
    if (path.length === 0) {
      this.values = value;
    } else {
      const parent = valueAt(this.values, path.slice(0, -1));
      const key = path[path.length - 1]!;
      if (Array.isArray(parent) && typeof key === 'number') parent[key] = value;
      else if (parent !== null && typeof parent === 'object' && !Array.isArray(parent))
        parent[String(key)] = value;
      else return;
    }
    this.#clearErrors(path, false);
  }

  /** Ticks or unticks one option of a multi-select. */
  toggleOption(path: Path, key: string, on: boolean): void {
    const chosen = this.list(path).filter((item) => item !== key);
    this.setValue(path, on ? [...chosen, key] : chosen);
  }

  /** Appends an item (with the item schema's defaults) to the array at `path`. */
  addItem(path: Path): void {
    const field = fieldAt(this.root, path);
    const items = this.valueAt(path);
    if (field?.kind !== 'array' || !Array.isArray(items)) return;
    items.push(initialValue(field.item));
    this.#clearErrors(path, true);
  }

  removeItem(path: Path, index: number): void {
    const items = this.valueAt(path);
    if (!Array.isArray(items)) return;
    items.splice(index, 1);
    // Later items moved up one place, so their messages would point at the wrong rows.
    this.#clearErrors(path, true);
  }

  /**
   * Switches between the form and the raw-JSON editor. To JSON: what the form holds, where a
   * value did not parse as the text that was typed. Back to the form: refused (returns false,
   * with `rawError` saying why) when the JSON is not an object or has parts the form cannot hold.
   */
  toggleRaw(): boolean {
    if (!this.rawMode) {
      const values = plain(this.values);
      // A raw root already is JSON text; converting it could only lose what was typed.
      this.rawText =
        this.root.kind === 'raw'
          ? typeof values === 'string'
            ? values
            : ''
          : argumentsToJson(draftArguments(this.root, values));
      this.rawMode = true;
    } else if (this.root.kind === 'raw') {
      this.values = this.rawText;
      this.rawMode = false;
    } else {
      const parsed = parseArgumentsJson(this.rawText);
      if (!parsed.ok) {
        this.rawError = parsed.error;
        return false;
      }
      const back = argumentsToValues(this.root, parsed.arguments);
      if (!back.ok) {
        this.rawError = back.error;
        return false;
      }
      this.values = back.value;
      this.rawMode = false;
    }
    this.rawError = undefined;
    this.errors = {};
    return true;
  }

  /**
   * The call's `arguments`, or `{ ok: false }` with `errors` (form) or `rawError` (raw JSON) set.
   * Returns fresh plain objects: they cross a MessagePort, and a `$state` proxy cannot be cloned.
   */
  submit(): SubmitResult {
    if (this.rawMode) {
      const parsed = parseArgumentsJson(this.rawText);
      this.rawError = parsed.ok ? undefined : parsed.error;
      return parsed.ok ? { ok: true, arguments: parsed.arguments } : { ok: false };
    }
    const result = toArguments(this.root, plain(this.values));
    this.errors = result.ok ? {} : result.errors;
    return result.ok ? { ok: true, arguments: result.arguments } : { ok: false };
  }

  /**
   * Fills in `args` (a call replayed from the Inspector): in the form when it can hold them,
   * else as raw JSON, so nothing of the original call is lost on the way.
   */
  prefill(args: Record<string, unknown>): void {
    this.reset();
    if (this.root.kind !== 'raw') {
      const back = argumentsToValues(this.root, args);
      if (back.ok) {
        this.values = back.value;
        return;
      }
    }
    this.rawText = argumentsToJson(args);
    if (this.root.kind === 'raw') this.values = this.rawText;
    this.rawMode = true;
  }

  /** Back to the schema's defaults, in form mode, with no messages. */
  reset(): void {
    this.values = initialValue(this.root);
    this.errors = {};
    this.rawMode = false;
    this.rawText = '';
    this.rawError = undefined;
  }

  /** Drops the message at `path` and, for `below`, every message inside it. */
  #clearErrors(path: Path, below: boolean): void {
    const at = pointer(path);
    const keys = Object.keys(this.errors);
    const kept = keys.filter((key) => key !== at && !(below && key.startsWith(`${at}/`)));
    if (kept.length !== keys.length)
      this.errors = Object.fromEntries(kept.map((key) => [key, this.errors[key]!]));
  }
}
