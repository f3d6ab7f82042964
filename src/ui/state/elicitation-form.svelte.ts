/**
 * The form for one server's elicitation: the dashboard's one schema-form engine
 * (../forms/schema/) over the schema the server asked with, plus what is the elicitation's own:
 * the URL mode's link, and an answer shaped as MCP's flat `content`. Everything in the schema is
 * the server's text: components render it as text, never as HTML.
 */
import type { ElicitationAnswer, ElicitationView } from '../../protocol/views.ts';
import { elicitationContent } from '../forms/schema/elicitation.ts';
import { SchemaFormState } from '../forms/schema/form-state.svelte.ts';

export class ElicitationForm {
  /** Form mode: the fields the server asks for. */
  readonly form: SchemaFormState | undefined;
  /** Why the answer cannot be sent, beyond the per-field messages the form shows. */
  error = $state.raw<string | undefined>(undefined);

  constructor(readonly request: ElicitationView) {
    this.form =
      request.mode === 'form'
        ? new SchemaFormState(request.requestedSchema ?? { type: 'object', properties: {} })
        : undefined;
  }

  /** The answer for "Send", or undefined (with messages set) when something needs attention. */
  accept(): ElicitationAnswer | undefined {
    const form = this.form;
    if (!form) return { action: 'accept' };
    const submitted = form.submit();
    if (!submitted.ok) {
      this.error = undefined;
      return undefined;
    }
    // Plain values: the answer crosses a MessagePort, and a reactive proxy cannot be cloned.
    const result = elicitationContent(form.root, $state.snapshot(form.values as unknown) as never);
    this.error = result.ok ? undefined : result.error;
    return result.ok ? { action: 'accept', content: result.content } : undefined;
  }

  /** URL mode: the address as a link target, only when it is http(s) (never `javascript:`). */
  get link(): string | undefined {
    const url = this.request.url ?? '';
    return /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
  }
}
