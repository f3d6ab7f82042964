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

export * from './types.ts';
export { schemaToField } from './read-schema.ts';
export {
  argumentsToValues,
  describePath,
  domId,
  emptyValue,
  fieldAt,
  fromLocalDateTime,
  initialValue,
  pointer,
  toLocalDateTime,
  valueAt,
  type ValuesResult,
} from './values.ts';
export {
  argumentsToJson,
  draftArguments,
  hint,
  isEmpty,
  parseArgumentsJson,
  toArguments,
  validate,
  type ArgumentsResult,
  type ParsedArguments,
} from './arguments.ts';
