/**
 * The form engine's data model: paths, form values, fields and options. Pure types, shared by
 * the schema reader, the values and the validation.
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

export interface FieldBase {
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
