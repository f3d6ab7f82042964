/**
 * The form for one server's elicitation, built from the flat schema the server asked with
 * (MCP allows only primitive fields: strings, numbers, booleans, enums and multi-select enums).
 * Everything in the schema is the server's text: components render it as text, never as HTML.
 */
import type { ElicitationAnswer, ElicitationView } from '../../protocol/views.ts';

export type FieldKind =
  'text' | 'email' | 'url' | 'date' | 'number' | 'boolean' | 'choice' | 'multi';

export interface Field {
  key: string;
  label: string;
  description?: string;
  kind: FieldKind;
  required: boolean;
  /** `choice` and `multi`: the values and what to show for each. */
  options: Array<{ value: string; label: string }>;
  integer: boolean;
}

type Value = string | boolean | string[];

interface PropertySchema {
  type?: string;
  title?: string;
  description?: string;
  format?: string;
  default?: unknown;
  enum?: unknown[];
  enumNames?: unknown[];
  oneOf?: Array<{ const?: unknown; title?: unknown }>;
  items?: { enum?: unknown[]; anyOf?: Array<{ const?: unknown; title?: unknown }> };
}

function optionsOf(schema: PropertySchema): Field['options'] {
  const titled = schema.oneOf ?? schema.items?.anyOf;
  if (titled)
    return titled.map((o) => ({ value: String(o.const), label: String(o.title ?? o.const) }));
  const values = schema.enum ?? schema.items?.enum ?? [];
  return values.map((value, index) => ({
    value: String(value),
    label: String(schema.enumNames?.[index] ?? value),
  }));
}

function kindOf(schema: PropertySchema): FieldKind {
  if (schema.type === 'array') return 'multi';
  if (schema.enum || schema.oneOf) return 'choice';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'number' || schema.type === 'integer') return 'number';
  if (schema.format === 'email') return 'email';
  if (schema.format === 'uri') return 'url';
  if (schema.format === 'date') return 'date';
  return 'text';
}

export class ElicitationForm {
  readonly fields: Field[];
  values = $state<Record<string, Value>>({});
  error = $state.raw<string | undefined>(undefined);

  constructor(readonly request: ElicitationView) {
    const schema = (request.requestedSchema ?? {}) as {
      properties?: Record<string, PropertySchema>;
      required?: string[];
    };
    const required = schema.required ?? [];
    this.fields = Object.entries(schema.properties ?? {}).map(([key, property]) => ({
      key,
      label: property.title ?? key,
      ...(property.description ? { description: property.description } : {}),
      kind: kindOf(property),
      required: required.includes(key),
      options: optionsOf(property),
      integer: property.type === 'integer',
    }));
    const initial: Record<string, Value> = {};
    for (const field of this.fields) {
      const fallback = schema.properties?.[field.key]?.default;
      initial[field.key] =
        field.kind === 'boolean'
          ? fallback === true
          : field.kind === 'multi'
            ? Array.isArray(fallback)
              ? fallback.map(String)
              : []
            : fallback === undefined
              ? ''
              : String(fallback);
    }
    this.values = initial;
  }

  /** The answer for "Accept", or undefined (with `error` set) when a required field is empty. */
  accept(): ElicitationAnswer | undefined {
    const content: NonNullable<ElicitationAnswer['content']> = {};
    // Plain values: the answer crosses a MessagePort, and a reactive proxy cannot be cloned.
    const values = $state.snapshot(this.values);
    for (const field of this.fields) {
      const value = values[field.key];
      if (field.kind === 'boolean') {
        content[field.key] = value === true;
        continue;
      }
      if (field.kind === 'multi') {
        if (Array.isArray(value) && value.length > 0) content[field.key] = value;
        else if (field.required) return this.#missing(field);
        continue;
      }
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') {
        if (field.required) return this.#missing(field);
        continue;
      }
      if (field.kind === 'number') {
        const number = Number(text);
        if (!Number.isFinite(number) || (field.integer && !Number.isInteger(number))) {
          this.error = `“${field.label}” needs ${field.integer ? 'a whole number' : 'a number'}.`;
          return undefined;
        }
        content[field.key] = number;
      } else {
        content[field.key] = text;
      }
    }
    this.error = undefined;
    return { action: 'accept', content };
  }

  /** URL mode: the address as a link target, only when it is http(s) (never `javascript:`). */
  get link(): string | undefined {
    const url = this.request.url ?? '';
    return /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
  }

  #missing(field: Field): undefined {
    this.error = `“${field.label}” is required.`;
    return undefined;
  }
}
