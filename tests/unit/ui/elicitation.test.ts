/**
 * An elicitation's form is the Playground's engine: everything the engine reads in a schema
 * (titled choices, defaults, bounds, required fields, formats) now holds for a server's
 * elicitation too, and the answer is MCP's flat `content`.
 */
import { describe, expect, it } from 'vitest';
import { elicitationContent, elicitationRoot } from '../../../src/ui/forms/schema/elicitation.ts';
import { initialValue, type FormObject } from '../../../src/ui/forms/schema/schema-form.ts';

const requested = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', minLength: 2 },
    size: {
      type: 'string',
      title: 'Size',
      enum: ['s', 'm', 'l'],
      enumNames: ['Small', 'Medium', 'Large'],
      default: 'm',
    },
    colour: {
      type: 'string',
      oneOf: [
        { const: 'r', title: 'Red' },
        { const: 'g', title: 'Green' },
      ],
    },
    count: { type: 'integer', title: 'How many', minimum: 1, default: 2 },
    tags: { type: 'array', items: { enum: ['a', 'b', 'c'] } },
    email: { type: 'string', format: 'email' },
    ok: { type: 'boolean', default: true },
  },
  required: ['name', 'count'],
};

describe('an elicitation through the schema-form engine', () => {
  it('shows the titles of choices, marks what is required and prefills the defaults', () => {
    const root = elicitationRoot(requested);
    if (root.kind !== 'object') throw new Error('expected an object form');
    const byName = Object.fromEntries(root.fields.map((field) => [field.name, field]));
    expect(byName.size).toMatchObject({ kind: 'choice' });
    expect(
      byName.size!.kind === 'choice' && byName.size!.options.map((option) => option.label),
    ).toEqual(['Small', 'Medium', 'Large']);
    expect(
      byName.colour!.kind === 'choice' && byName.colour!.options.map((option) => option.label),
    ).toEqual(['Red', 'Green']);
    expect(byName.tags).toMatchObject({ kind: 'multi' });
    expect(byName.name).toMatchObject({ required: true });
    expect(byName.count).toMatchObject({ required: true, kind: 'number' });
    const values = initialValue(root) as FormObject;
    expect(values.count).toBe('2');
    expect(values.size).toBe(JSON.stringify('m'));
  });

  it('reports each field that needs attention instead of sending', () => {
    const root = elicitationRoot(requested);
    const values = initialValue(root) as FormObject;
    values.name = 'A';
    values.count = '0';
    const result = elicitationContent(root, values);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['/count', '/name']);
  });

  it('answers with flat content: text, numbers, yes/no and chosen values', () => {
    const root = elicitationRoot(requested);
    const values = initialValue(root) as FormObject;
    values.name = 'Ada';
    values.tags = [JSON.stringify('a'), JSON.stringify('c')];
    const result = elicitationContent(root, values);
    expect(result).toEqual({
      ok: true,
      content: { name: 'Ada', size: 'm', count: 2, tags: ['a', 'c'], ok: true },
    });
  });

  it('refuses, with a reason, a field MCP elicitation does not allow', () => {
    const root = elicitationRoot({
      type: 'object',
      properties: { address: { type: 'object', properties: { city: { type: 'string' } } } },
      required: ['address'],
    });
    const values = initialValue(root) as FormObject;
    (values.address as FormObject).city = 'Paris';
    const result = elicitationContent(root, values);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/“address”.*does not allow/);
  });

  it('treats a missing schema as a form with no fields', () => {
    const root = elicitationRoot(undefined);
    expect(elicitationContent(root, initialValue(root))).toEqual({ ok: true, content: {} });
  });
});
