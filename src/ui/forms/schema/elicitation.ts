/**
 * An elicitation's answer from the schema form's values. MCP lets a server ask only for flat
 * primitive fields (strings, numbers, booleans, enums, multi-select enums: spec, "Elicitation",
 * requested schema), so the engine's arguments are checked to be exactly that before they go
 * back: a server that asked for more gets a person-readable refusal, not a nested object.
 */
import type { ElicitationAnswer } from '../../../protocol/views.ts';
import { schemaToField, toArguments, type FieldErrors, type FormValue } from './schema-form.ts';

export type ElicitationContent = NonNullable<ElicitationAnswer['content']>;

export type ContentResult =
  { ok: true; content: ElicitationContent } | { ok: false; errors: FieldErrors; error?: string };

/** The form root for a requested schema (an empty object schema when the server sent none). */
export function elicitationRoot(requestedSchema: unknown) {
  return schemaToField(requestedSchema ?? { type: 'object', properties: {} });
}

/** The content to send, or why not (per-field messages, or one for a field MCP does not allow). */
export function elicitationContent(
  root: ReturnType<typeof elicitationRoot>,
  values: FormValue,
): ContentResult {
  const result = toArguments(root, values);
  if (!result.ok) return { ok: false, errors: result.errors };
  const content: ElicitationContent = {};
  for (const [key, value] of Object.entries(result.arguments)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      content[key] = value;
    } else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      content[key] = value;
    } else {
      return {
        ok: false,
        errors: {},
        error: `The server asked for “${key}” as a value MCP elicitation does not allow (only text, numbers, yes/no and choices). Decline the request, or answer it in another client.`,
      };
    }
  }
  return { ok: true, content };
}
