/**
 * The Playground's form generator (src/ui/schema-form.ts): a tool's inputSchema → fields →
 * values → arguments, and the raw-JSON editor's way back. Pure code, so it is tested here in
 * Node; the Svelte components only render what these functions return.
 */
import { describe, expect, it } from 'vitest';
import {
  argumentsToJson,
  argumentsToValues,
  describePath,
  domId,
  draftArguments,
  fieldAt,
  fromLocalDateTime,
  hint,
  initialValue,
  parseArgumentsJson,
  pointer,
  schemaToField,
  toArguments,
  toLocalDateTime,
  validate,
  valueAt,
  type Field,
  type FormObject,
  type FormValue,
  type ObjectField,
} from '../../../src/ui/forms/schema/schema-form.ts';

/** The root of a schema that must become an object form. */
function form(schema: unknown): ObjectField {
  const root = schemaToField(schema);
  if (root.kind !== 'object') throw new Error(`expected an object form, got ${root.kind}`);
  return root;
}

/** The root of `{ type: object, properties: { x: property } }` with x (not) required. */
function one(property: unknown, required = false): ObjectField {
  return form({
    type: 'object',
    properties: { x: property },
    ...(required ? { required: ['x'] } : {}),
  });
}

function child(root: Field, name: string): Field {
  const found = fieldAt(root, [name]);
  if (!found) throw new Error(`no field ${name}`);
  return found;
}

/** Errors for `x` set to `value` in the form of `property`. */
function errorFor(property: unknown, value: FormValue, required = false): string | undefined {
  return validate(one(property, required), { x: value })['/x'];
}

function argsOf(root: Field, values: FormValue): Record<string, unknown> {
  const result = toArguments(root, values);
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.arguments;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('fields from a schema', () => {
  it('a string becomes a text field labelled by its title, with the description as help', () => {
    const x = child(one({ type: 'string', title: 'Query', description: 'What to look for' }), 'x');
    expect(x).toMatchObject({ kind: 'text', input: 'text', label: 'Query', name: 'x' });
    expect(x.description).toBe('What to look for');
  });

  it('without a title the property name is the label', () => {
    expect(child(one({ type: 'string' }), 'x').label).toBe('x');
  });

  it.each([
    ['email', 'email'],
    ['uri', 'url'],
    ['date', 'date'],
    ['date-time', 'datetime-local'],
    ['hostname', 'text'],
    ['__proto__', 'text'],
  ])('format %s gets the %s input', (format, input) => {
    expect(child(one({ type: 'string', format }), 'x')).toMatchObject({ kind: 'text', input });
  });

  it('keeps the length and pattern constraints of a string', () => {
    expect(
      child(one({ type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' }), 'x'),
    ).toMatchObject({ minLength: 2, maxLength: 5, pattern: '^[a-z]+$' });
  });

  it('number and integer keep their bounds, exclusive ones in both draft styles', () => {
    expect(child(one({ type: 'number', minimum: 1, maximum: 9 }), 'x')).toMatchObject({
      kind: 'number',
      integer: false,
      minimum: 1,
      maximum: 9,
    });
    expect(
      child(one({ type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 }), 'x'),
    ).toMatchObject({ kind: 'number', integer: true, exclusiveMinimum: 0, exclusiveMaximum: 10 });
    const draft4 = child(
      one({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 5 }),
      'x',
    );
    expect(draft4).toMatchObject({ exclusiveMinimum: 0, maximum: 5 });
    expect(draft4).not.toHaveProperty('minimum');
  });

  it('a boolean becomes a boolean field', () => {
    expect(child(one({ type: 'boolean' }), 'x').kind).toBe('boolean');
  });

  it('an enum becomes a choice, labelled by its values (or enumNames)', () => {
    const x = child(one({ type: 'string', enum: ['a', 'b'], enumNames: ['Alpha'] }), 'x');
    expect(x).toMatchObject({
      kind: 'choice',
      options: [
        { key: '"a"', value: 'a', label: 'Alpha' },
        { key: '"b"', value: 'b', label: 'b' },
      ],
    });
  });

  it('oneOf / anyOf of { const, title } become a choice with those titles', () => {
    for (const keyword of ['oneOf', 'anyOf']) {
      const x = child(
        one({
          [keyword]: [
            { const: 1, title: 'One' },
            { const: 2, title: 'Two' },
          ],
        }),
        'x',
      );
      expect(x).toMatchObject({
        kind: 'choice',
        options: [
          { value: 1, label: 'One' },
          { value: 2, label: 'Two' },
        ],
      });
    }
  });

  it('a lone const is a choice of one, chosen from the start when required', () => {
    const root = one({ const: 'circle' }, true);
    expect(child(root, 'x')).toMatchObject({ kind: 'choice', options: [{ value: 'circle' }] });
    expect(argsOf(root, initialValue(root))).toEqual({ x: 'circle' });
  });

  it('an array of primitives keeps an item template and its item counts', () => {
    const x = child(
      one({ type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 }),
      'x',
    );
    expect(x).toMatchObject({ kind: 'array', item: { kind: 'text' }, minItems: 1, maxItems: 3 });
  });

  it('an array of objects has an object item with its own required list', () => {
    const x = child(
      one({
        type: 'array',
        items: {
          type: 'object',
          properties: { name: { type: 'string' }, age: { type: 'integer' } },
          required: ['name'],
        },
      }),
      'x',
    );
    expect(x.kind).toBe('array');
    expect(fieldAt(x, [0, 'name'])).toMatchObject({ kind: 'text', required: true });
    expect(fieldAt(x, [0, 'age'])).toMatchObject({ kind: 'number', required: false });
  });

  it('an array of enum values becomes a multi-select', () => {
    const x = child(
      one({ type: 'array', items: { type: 'string', enum: ['r', 'g', 'b'] }, maxItems: 2 }),
      'x',
    );
    expect(x).toMatchObject({ kind: 'multi', maxItems: 2 });
    expect(x.kind === 'multi' && x.options.map((o) => o.value)).toEqual(['r', 'g', 'b']);
  });

  it('a nested object is a field tree of its own, with its own required list', () => {
    const root = form({
      type: 'object',
      properties: {
        where: {
          type: 'object',
          title: 'Location',
          properties: { city: { type: 'string' }, zip: { type: 'string' } },
          required: ['city'],
        },
      },
    });
    const where = child(root, 'where');
    expect(where).toMatchObject({ kind: 'object', label: 'Location', required: false });
    expect(fieldAt(root, ['where', 'city'])?.required).toBe(true);
    expect(fieldAt(root, ['where', 'zip'])?.required).toBe(false);
  });

  it('type [T, "null"], nullable: true and anyOf [T, null] are nullable T', () => {
    expect(child(one({ type: ['string', 'null'] }), 'x')).toMatchObject({
      kind: 'text',
      nullable: true,
    });
    expect(child(one({ type: 'integer', nullable: true }), 'x')).toMatchObject({
      kind: 'number',
      nullable: true,
    });
    // Pydantic's Optional[int] = None
    expect(
      child(
        one({ anyOf: [{ type: 'integer' }, { type: 'null' }], default: null, title: 'Limit' }),
        'x',
      ),
    ).toMatchObject({ kind: 'number', integer: true, nullable: true, label: 'Limit' });
  });

  it('a tool with no properties has an object form with no fields', () => {
    expect(form({ type: 'object' }).fields).toEqual([]);
    expect(form({ type: 'object', properties: {} }).fields).toEqual([]);
  });

  it('a multi-branch allOf is merged when the branches agree', () => {
    const root = form({
      type: 'object',
      properties: {
        x: {
          allOf: [
            { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
            { properties: { b: { type: 'number' } }, required: ['b'] },
          ],
        },
      },
    });
    expect(fieldAt(root, ['x', 'a'])).toMatchObject({ kind: 'text', required: true });
    expect(fieldAt(root, ['x', 'b'])).toMatchObject({ kind: 'number', required: true });
  });
});

describe('what the form cannot show becomes raw JSON, never dropped', () => {
  it.each([
    [
      'oneOf of objects',
      {
        oneOf: [
          { type: 'object', properties: { r: { type: 'number' } } },
          { type: 'object', properties: { w: { type: 'number' } } },
        ],
      },
    ],
    [
      'a map (additionalProperties only)',
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
    ['a free-form object', { type: 'object' }],
    ['an unknown type', { type: 'quaternion' }],
    ['several types', { type: ['string', 'number'] }],
    ['no type at all', {}],
    ['a tuple', { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }] }],
    ['a remote $ref', { $ref: 'https://example.com/schema.json' }],
    ['a $ref to nothing', { $ref: '#/$defs/missing' }],
    ['conflicting allOf branches', { allOf: [{ type: 'string' }, { type: 'number' }] }],
    [
      'a property named __proto__',
      JSON.parse('{"type":"object","properties":{"__proto__":{"type":"string"}}}'),
    ],
  ])('%s', (_what, property) => {
    const x = child(one(property), 'x');
    expect(x.kind).toBe('raw');
    expect(x.kind === 'raw' && x.reason).toMatch(/JSON/);
  });

  it('an array without an items schema has raw items', () => {
    expect(child(one({ type: 'array' }), 'x')).toMatchObject({
      kind: 'array',
      item: { kind: 'raw' },
    });
  });

  it('a schema that is not an object at the root is one raw field', () => {
    expect(schemaToField({ type: 'string' })).toMatchObject({ kind: 'raw', label: 'Arguments' });
    expect(schemaToField({ type: 'object', additionalProperties: true })).toMatchObject({
      kind: 'raw',
    });
  });

  it('a raw field is parsed into the arguments', () => {
    const root = one({ type: 'object', additionalProperties: { type: 'number' } }, true);
    expect(argsOf(root, { x: '{ "a": 1, "b": [2] }' })).toEqual({ x: { a: 1, b: [2] } });
  });
});

describe('$ref', () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      from: { $ref: '#/$defs/place', title: 'From' },
      to: { $ref: '#/definitions/place' },
      mode: { $ref: '#/$defs/mode' },
      stops: { type: 'array', items: { $ref: '#/$defs/place' } },
    },
    required: ['from'],
    $defs: {
      place: {
        type: 'object',
        title: 'Place',
        description: 'A place on the map',
        properties: { name: { type: 'string', default: 'home' } },
        required: ['name'],
      },
      mode: { enum: ['walk', 'bike'] },
    },
    definitions: { place: { $ref: '#/$defs/place' } },
  };

  it('resolves $defs and definitions; the referring side’s title wins', () => {
    const root = form(schema);
    expect(child(root, 'from')).toMatchObject({
      kind: 'object',
      label: 'From',
      description: 'A place on the map',
      required: true,
    });
    expect(child(root, 'to')).toMatchObject({ kind: 'object', label: 'Place' });
    expect(child(root, 'mode')).toMatchObject({ kind: 'choice' });
    expect(fieldAt(root, ['stops', 0, 'name'])).toMatchObject({ kind: 'text', required: true });
  });

  it('never changes the schema it was given', () => {
    const copy = structuredClone(schema);
    const root = form(deepFreeze(structuredClone(schema)));
    const values = initialValue(root) as FormObject;
    argsOf(root, values);
    draftArguments(root, values);
    argumentsToValues(root, { from: { name: 'x' } });
    form(schema);
    expect(schema).toEqual(copy);
  });

  it('fields hold copies: changing a default or an option value leaves the schema alone', () => {
    const source = { type: 'object', properties: { x: { enum: [{ a: 1 }], default: { a: 1 } } } };
    const x = child(form(source), 'x');
    if (x.kind !== 'choice') throw new Error('expected a choice');
    (x.options[0]!.value as { a: number }).a = 2;
    (x.default as { a: number }).a = 3;
    expect(source.properties.x).toEqual({ enum: [{ a: 1 }], default: { a: 1 } });
  });

  it('resolves # (the root) and escaped pointers', () => {
    const root = form({
      type: 'object',
      properties: { a: { $ref: '#/$defs/a~1b' }, self: { $ref: '#' } },
      $defs: { 'a/b': { type: 'boolean' } },
    });
    expect(child(root, 'a').kind).toBe('boolean');
    expect(child(root, 'self').kind).toBe('object');
  });

  it('a self-referring tree terminates, turning the deepest level into raw JSON', () => {
    const tree = {
      type: 'object',
      properties: { root: { $ref: '#/$defs/node' } },
      $defs: {
        node: {
          type: 'object',
          properties: {
            label: { type: 'string' },
            children: { type: 'array', items: { $ref: '#/$defs/node' } },
          },
        },
      },
    };
    const root = form(tree);
    expect(fieldAt(root, ['root', 'children', 0, 'label'])?.kind).toBe('text');
    expect(fieldAt(root, ['root', 'children', 0, 'children', 0])?.kind).toBe('raw');
  });

  it('a $ref loop with no nesting (a → b → a) becomes raw instead of hanging', () => {
    const root = form({
      type: 'object',
      properties: { x: { $ref: '#/$defs/a' } },
      $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } },
    });
    expect(child(root, 'x')).toMatchObject({
      kind: 'raw',
      reason: expect.stringMatching(/refers back/),
    });
  });

  it('a schema that would expand exponentially is cut short quickly', () => {
    // Each level uses the next one in 8 properties: 8^10 fields if expanded in full.
    const $defs: Record<string, unknown> = { l10: { type: 'string' } };
    for (let level = 9; level >= 0; level--) {
      const properties: Record<string, unknown> = {};
      for (let i = 0; i < 8; i++) properties[`p${i}`] = { $ref: `#/$defs/l${level + 1}` };
      $defs[`l${level}`] = { type: 'object', properties };
    }
    const started = performance.now();
    const root = schemaToField({ $ref: '#/$defs/l0', $defs });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(JSON.stringify(root)).toContain('too large');
  });
});

describe('initial values', () => {
  it('empty unless the schema gives a default', () => {
    const root = form({
      type: 'object',
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        b: { type: 'boolean' },
        c: { enum: ['a'] },
        m: { type: 'array', items: { enum: ['a'] } },
        l: { type: 'array', items: { type: 'string' } },
        r: {},
      },
    });
    expect(initialValue(root)).toEqual({ s: '', n: '', b: null, c: '', m: [], l: [], r: '' });
  });

  it('uses defaults of every kind, numbers as text', () => {
    const root = form({
      type: 'object',
      properties: {
        s: { type: 'string', default: 'hi' },
        n: { type: 'integer', default: 5 },
        b: { type: 'boolean', default: false },
        c: { enum: [1, 2], default: 2 },
        m: { type: 'array', items: { enum: ['a', 'b'] }, default: ['b'] },
        l: { type: 'array', items: { type: 'number' }, default: [1, 2] },
        r: { default: { any: 'thing' } },
      },
    });
    expect(initialValue(root)).toEqual({
      s: 'hi',
      n: '5',
      b: false,
      c: '2',
      m: ['"b"'],
      l: ['1', '2'],
      r: '{\n  "any": "thing"\n}',
    });
  });

  it('fills defaults inside a required object, where the object’s own default wins', () => {
    const root = form({
      type: 'object',
      properties: {
        opts: {
          type: 'object',
          properties: {
            depth: { type: 'integer', default: 1 },
            mode: { type: 'string', default: 'fast' },
          },
          default: { mode: 'slow' },
        },
        inner: {
          type: 'object',
          properties: { depth: { type: 'integer', default: 3 } },
        },
      },
      required: ['inner'],
    });
    expect(initialValue(root)).toEqual({
      opts: { depth: '1', mode: 'slow' },
      inner: { depth: '3' },
    });
  });

  it('an optional object without a default starts empty, and is left out when untouched', () => {
    const root = form({
      type: 'object',
      properties: {
        options: {
          anyOf: [{ $ref: '#/$defs/Options' }, { type: 'null' }],
          default: null,
        },
      },
      $defs: {
        Options: {
          type: 'object',
          properties: { limit: { type: 'integer', default: 10 }, name: { type: 'string' } },
          required: ['name'],
        },
      },
    });
    const values = initialValue(root);
    expect(values).toEqual({ options: { limit: '', name: '' } });
    expect(argsOf(root, values)).toEqual({});
    expect(hint(fieldAt(root, ['options', 'limit'])!)).toBe('Whole number. Default: 10.');
  });

  it('a new array item starts from the item schema’s defaults', () => {
    const root = one({
      type: 'array',
      items: { type: 'object', properties: { on: { type: 'boolean', default: true } } },
    });
    const x = child(root, 'x');
    expect(x.kind === 'array' && initialValue(x.item)).toEqual({ on: true });
  });

  it('a default that does not fit its field is ignored', () => {
    expect(initialValue(one({ enum: ['a'], default: 'z' }))).toEqual({ x: '' });
  });
});

describe('validation messages', () => {
  it('Required.', () => {
    expect(errorFor({ type: 'string' }, '', true)).toBe('Required.');
    expect(errorFor({ type: 'number' }, '  ', true)).toBe('Required.');
    expect(errorFor({ enum: ['a'] }, '', true)).toBe('Required.');
    expect(errorFor({}, '', true)).toBe('Required.');
    expect(errorFor({ type: 'string' }, '', false)).toBeUndefined();
  });

  it('numbers: not a number, not whole, below or above the bounds', () => {
    expect(errorFor({ type: 'number' }, 'twelve')).toBe('Must be a number.');
    expect(errorFor({ type: 'number' }, '0x10')).toBe('Must be a number.');
    expect(errorFor({ type: 'number' }, '1e999')).toBe('Must be a number.');
    expect(errorFor({ type: 'integer' }, '2.5')).toBe('Must be a whole number.');
    expect(errorFor({ type: 'number', minimum: 3 }, '2')).toBe('Must be at least 3.');
    expect(errorFor({ type: 'number', maximum: 10 }, '11')).toBe('Must be at most 10.');
    expect(errorFor({ type: 'number', exclusiveMinimum: 0 }, '0')).toBe('Must be more than 0.');
    expect(errorFor({ type: 'number', exclusiveMaximum: 1 }, '1')).toBe('Must be less than 1.');
    expect(errorFor({ type: 'number', minimum: 3, maximum: 10 }, ' 3 ')).toBeUndefined();
    expect(errorFor({ type: 'number' }, '-1.5e2')).toBeUndefined();
  });

  it('text: too short, too long, pattern', () => {
    expect(errorFor({ type: 'string', minLength: 3 }, 'ab')).toBe(
      'Must be at least 3 characters long.',
    );
    expect(errorFor({ type: 'string', maxLength: 1 }, 'ab')).toBe(
      'Must be at most 1 character long.',
    );
    expect(errorFor({ type: 'string', pattern: '^[a-z]+$' }, 'A1')).toBe(
      'Must match the pattern ^[a-z]+$.',
    );
    // Lengths count characters as JSON Schema does (code points), not UTF-16 units.
    expect(errorFor({ type: 'string', maxLength: 1 }, '😀')).toBeUndefined();
    // A pattern the browser cannot compile is the server's to check.
    expect(errorFor({ type: 'string', pattern: '(' }, 'x')).toBeUndefined();
  });

  it('not one of the allowed values', () => {
    expect(errorFor({ enum: ['a', 'b'] }, '"c"')).toBe('Must be one of the allowed values.');
    expect(errorFor({ type: 'array', items: { enum: ['a'] } }, ['"z"'])).toBe(
      'Must be one of the allowed values.',
    );
  });

  it('a required choice holding an unknown value says so, not "Required."', () => {
    expect(errorFor({ enum: ['a'] }, '"z"', true)).toBe('Must be one of the allowed values.');
  });

  it('invalid JSON in a raw field', () => {
    expect(errorFor({}, '{ nope')).toMatch(/^Not valid JSON \(.+\)\.$/);
  });

  it('too few / too many items, for lists and multi-selects', () => {
    const list = { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 3 };
    expect(errorFor(list, ['a'])).toBe('Must have at least 2 items.');
    expect(errorFor(list, ['a', 'b', 'c', 'd'])).toBe('Must have at most 3 items.');
    expect(errorFor({ ...list, minItems: 1 }, [], true)).toBe('Must have at least 1 item.');
    const multi = { type: 'array', items: { enum: ['a', 'b', 'c'] }, maxItems: 1 };
    expect(errorFor(multi, ['"a"', '"b"'])).toBe('Must have at most 1 item.');
  });

  it('an empty array item asks to be filled in or removed', () => {
    const root = one({ type: 'array', items: { type: 'string' } });
    expect(validate(root, { x: ['a', ''] })).toEqual({ '/x/1': 'Empty: fill it in or remove it.' });
  });

  it('messages are keyed by the JSON Pointer of nested fields', () => {
    const root = form({
      type: 'object',
      properties: {
        people: {
          type: 'array',
          items: {
            type: 'object',
            properties: { 'a/b': { type: 'integer' }, name: { type: 'string' } },
            required: ['name'],
          },
        },
      },
    });
    expect(
      validate(root, {
        people: [
          { 'a/b': '1', name: 'x' },
          { 'a/b': '1.5', name: '' },
        ],
      }),
    ).toEqual({ '/people/1/a~1b': 'Must be a whole number.', '/people/1/name': 'Required.' });
  });

  it('a date-time that is neither local nor zoned is not a date and time', () => {
    expect(errorFor({ type: 'string', format: 'date-time' }, 'tomorrow')).toBe(
      'Must be a date and time.',
    );
  });

  it('a valid form has no messages', () => {
    expect(validate(one({ type: 'string' }, true), { x: 'ok' })).toEqual({});
  });
});

describe('arguments', () => {
  it('numbers as numbers, booleans as booleans, choices as their JSON values', () => {
    const root = form({
      type: 'object',
      properties: {
        n: { type: 'number' },
        i: { type: 'integer' },
        b: { type: 'boolean' },
        c: { enum: [1, 'one', true, { deep: [1] }] },
        m: { type: 'array', items: { enum: [1, 2, 3] } },
        s: { type: 'string' },
      },
    });
    expect(
      argsOf(root, { n: ' 2.5 ', i: '7', b: false, c: '{"deep":[1]}', m: ['3', '1'], s: ' x ' }),
    ).toEqual({ n: 2.5, i: 7, b: false, c: { deep: [1] }, m: [3, 1], s: ' x ' });
  });

  it('leaves empty optional fields out entirely', () => {
    const root = form({
      type: 'object',
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        b: { type: 'boolean' },
        c: { enum: ['a'] },
        m: { type: 'array', items: { enum: ['a'] } },
        l: { type: 'array', items: { type: 'string' } },
        o: { type: 'object', properties: { z: { type: 'string' } } },
        r: {},
      },
    });
    const args = argsOf(root, initialValue(root));
    expect(args).toEqual({});
    expect(Object.keys(args)).toEqual([]);
  });

  it('required but empty: an error, except where the schema allows null or a box is unticked', () => {
    const root = form({
      type: 'object',
      properties: {
        s: { type: 'string' },
        nul: { type: ['string', 'null'] },
        flag: { type: 'boolean' },
        list: { type: 'array', items: { type: 'string' } },
      },
      required: ['s', 'nul', 'flag', 'list'],
    });
    const values = initialValue(root);
    expect(toArguments(root, values)).toEqual({ ok: false, errors: { '/s': 'Required.' } });
    expect(argsOf(root, { ...(values as FormObject), s: 'x' })).toEqual({
      s: 'x',
      nul: null,
      flag: false,
      list: [],
    });
  });

  it('an optional object is sent once anything in it is filled in, with its own required list', () => {
    const root = form({
      type: 'object',
      properties: {
        where: {
          type: 'object',
          properties: { city: { type: 'string' }, zip: { type: 'string' } },
          required: ['city'],
        },
      },
    });
    expect(argsOf(root, { where: { city: '', zip: '' } })).toEqual({});
    expect(validate(root, { where: { city: '', zip: '1000' } })).toEqual({
      '/where/city': 'Required.',
    });
    expect(argsOf(root, { where: { city: 'Bern', zip: '' } })).toEqual({
      where: { city: 'Bern' },
    });
  });

  it('builds nested arrays of objects recursively', () => {
    const root = form({
      type: 'object',
      properties: {
        orders: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              sku: { type: 'string' },
              qty: { type: 'integer', minimum: 1 },
              tags: { type: 'array', items: { type: 'string' } },
              notes: { type: 'string' },
            },
            required: ['sku', 'qty'],
          },
        },
      },
    });
    const values = {
      orders: [
        { sku: 'A', qty: '2', tags: ['x', 'y'], notes: '' },
        { sku: 'B', qty: '1', tags: [], notes: 'gift' },
      ],
    };
    expect(argsOf(root, values)).toEqual({
      orders: [
        { sku: 'A', qty: 2, tags: ['x', 'y'] },
        { sku: 'B', qty: 1, notes: 'gift' },
      ],
    });
    expect(validate(root, { orders: [{ sku: 'A', qty: '0', tags: [], notes: '' }] })).toEqual({
      '/orders/0/qty': 'Must be at least 1.',
    });
  });

  it('an item of a nullable type left empty is sent as null', () => {
    const root = one({ type: 'array', items: { type: ['number', 'null'] } });
    expect(argsOf(root, { x: ['1', ''] })).toEqual({ x: [1, null] });
  });

  it('property names such as constructor are own properties of the arguments', () => {
    const root = one({ type: 'object', properties: { constructor: { type: 'string' } } }, true);
    const args = argsOf(root, { x: { constructor: 'c' } }) as { x: object };
    expect(Object.hasOwn(args.x, 'constructor')).toBe(true);
    expect(args).toEqual({ x: { constructor: 'c' } });
  });

  it('a date-time is sent as a UTC instant; a date as typed', () => {
    const root = form({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        on: { type: 'string', format: 'date' },
      },
    });
    const args = argsOf(root, { at: '2025-03-01T09:30', on: '2025-03-01' });
    expect(args.at).toBe(new Date(2025, 2, 1, 9, 30).toISOString().replace('.000Z', 'Z'));
    expect(args.on).toBe('2025-03-01');
  });

  it('a raw root sends the object typed, and refuses anything else', () => {
    const root = schemaToField({ type: 'object', additionalProperties: { type: 'number' } });
    expect(argsOf(root, '{"a": 1}')).toEqual({ a: 1 });
    expect(argsOf(root, '')).toEqual({});
    expect(toArguments(root, '[1]')).toEqual({
      ok: false,
      errors: { '': 'The arguments must be a JSON object, like {"name": "value"}.' },
    });
  });
});

describe('raw JSON mode', () => {
  const schema = {
    type: 'object',
    properties: {
      q: { type: 'string' },
      n: { type: 'integer' },
      on: { type: 'boolean' },
      pick: { enum: ['a', 'b'] },
      list: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } } },
      any: {},
    },
    required: ['q'],
  };

  it('serializes the arguments as pretty JSON and parses them back', () => {
    const args = { q: 'x', n: 2, list: [{ k: 'v' }] };
    const text = argumentsToJson(args);
    expect(text).toBe(JSON.stringify(args, null, 2));
    expect(parseArgumentsJson(text)).toEqual({ ok: true, arguments: args });
    expect(parseArgumentsJson('  ')).toEqual({ ok: true, arguments: {} });
  });

  it('says when the text is not JSON, or not an object', () => {
    const broken = parseArgumentsJson('{"q": }');
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(
      /^The arguments are not valid JSON \(.+\)\. Check the quotes, commas and brackets\.$/,
    );
    for (const [text, what] of [
      ['[1]', 'a list'],
      ['"q"', 'a string'],
      ['3', 'a number'],
      ['null', 'null'],
    ]) {
      expect(parseArgumentsJson(text!)).toEqual({
        ok: false,
        error: `The arguments must be a JSON object, like {"name": "value"}, not ${what}.`,
      });
    }
  });

  it('form → JSON → form keeps everything, including what did not parse', () => {
    const root = form(schema);
    const values: FormValue = {
      q: '',
      n: '12a',
      on: true,
      pick: '"b"',
      list: [{ k: 'v' }, { k: '' }],
      any: '[1, {"z": null}]',
    };
    const draft = draftArguments(root, values);
    expect(draft).toEqual({
      n: '12a',
      on: true,
      pick: 'b',
      list: [{ k: 'v' }, {}],
      any: [1, { z: null }],
    });
    const back = argumentsToValues(root, JSON.parse(argumentsToJson(draft)));
    expect(back).toEqual({
      ok: true,
      value: {
        q: '',
        n: '12a',
        on: true,
        pick: '"b"',
        list: [{ k: 'v' }, { k: '' }],
        any: '[\n  1,\n  {\n    "z": null\n  }\n]',
      },
    });
  });

  it('an empty row survives the trip as null', () => {
    const root = one({ type: 'array', items: { type: 'string' } });
    const draft = draftArguments(root, { x: ['a', ''] });
    expect(draft).toEqual({ x: ['a', null] });
    expect(argumentsToValues(root, draft)).toEqual({ ok: true, value: { x: ['a', ''] } });
  });

  it('invalid JSON in a raw part travels as its text', () => {
    const root = one({});
    expect(draftArguments(root, { x: '{ half' })).toEqual({ x: '{ half' });
  });

  it('refuses to go back to the form when the JSON has parts the form cannot hold', () => {
    const root = form(schema);
    const result = argumentsToValues(root, {
      q: 1,
      extra: true,
      pick: 'c',
      list: [{ k: 'v', z: 1 }],
    });
    expect(result).toEqual({
      ok: false,
      error:
        'The form has no place for: q (expected text), pick (not one of the allowed values), ' +
        'list › item 1 › z (not in the schema), extra (not in the schema). ' +
        'Change that in the JSON, or keep editing as JSON.',
    });
  });

  it('a date-time goes to local time in the form and back to the same instant', () => {
    const root = one({ type: 'string', format: 'date-time' });
    const back = argumentsToValues(root, { x: '2025-06-30T22:15:05Z' });
    expect(back.ok).toBe(true);
    const local = back.ok ? (valueAt(back.value, ['x']) as string) : '';
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(argsOf(root, { x: local })).toEqual({ x: '2025-06-30T22:15:05Z' });
  });
});

describe('dates', () => {
  it('keeps milliseconds and rejects what is not RFC 3339', () => {
    const local = toLocalDateTime('2025-01-02T03:04:05.678+02:00');
    expect(local).toMatch(/\.678$/);
    expect(fromLocalDateTime(local!)).toBe('2025-01-02T01:04:05.678Z');
    expect(toLocalDateTime('next friday')).toBeUndefined();
    // Years below 100 stay themselves (Date's constructor would read 0050 as 1950).
    expect(fromLocalDateTime(toLocalDateTime('0050-06-01T12:00:00Z')!)).toBe(
      '0050-06-01T12:00:00Z',
    );
    expect(fromLocalDateTime('2025-01-02')).toBeUndefined();
  });
});

describe('help lines', () => {
  it('say what a field accepts in words', () => {
    const h = (property: unknown, required = false) => hint(child(one(property, required), 'x'));
    expect(h({ type: 'integer', minimum: 1, maximum: 10 })).toBe(
      'Whole number, at least 1 and at most 10.',
    );
    expect(h({ type: 'number', exclusiveMinimum: 0 })).toBe('More than 0.');
    expect(h({ type: 'string', minLength: 1, maxLength: 20 })).toBe(
      'At least 1 character and at most 20 characters.',
    );
    expect(h({ type: 'string', pattern: '^\\d+$' })).toBe('Pattern: ^\\d+$');
    expect(h({ type: 'array', items: { type: 'string' }, minItems: 2 })).toBe('At least 2 items.');
    expect(h({ type: ['string', 'null'] }, true)).toBe('Leave empty to send null.');
    expect(h({ enum: ['a', 'b'], enumNames: ['Alpha', 'Beta'], default: 'b' })).toBe(
      'Default: Beta.',
    );
    expect(h({ type: 'string' })).toBeUndefined();
    expect(h({ type: 'object' })).toMatch(/map/);
  });
});

describe('paths and ids', () => {
  it('pointer escapes ~ and /; the root is the empty pointer', () => {
    expect(pointer([])).toBe('');
    expect(pointer(['a/b', 0, 'c~d'])).toBe('/a~1b/0/c~0d');
  });

  it('DOM ids differ for different paths and contain no whitespace', () => {
    const a = domId('p', ['a b', 'c']);
    const b = domId('p', ['a b/c']);
    expect(a).not.toBe(b);
    expect(a).not.toMatch(/\s/);
  });

  it('paths read as words', () => {
    expect(describePath(['tags', 1, 'name'])).toBe('tags › item 2 › name');
    expect(describePath([])).toBe('the arguments');
  });

  it('valueAt and fieldAt walk objects and arrays, and stop at what is not there', () => {
    const values: FormValue = { a: [{ b: 'x' }] };
    expect(valueAt(values, ['a', 0, 'b'])).toBe('x');
    expect(valueAt(values, ['a', 1, 'b'])).toBeUndefined();
    expect(valueAt(values, ['toString'])).toBeUndefined();
    const root = one({ type: 'array', items: { type: 'object', properties: { b: {} } } });
    expect(fieldAt(root, ['x', 5, 'b'])?.kind).toBe('raw');
    expect(fieldAt(root, ['x', 'b'])).toBeUndefined();
  });
});

describe('a real-world schema', () => {
  it('a required $ref point with two numbers', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { point: { $ref: '#/$defs/point' } },
      required: ['point'],
      $defs: {
        point: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } },
      },
    };
    const before = structuredClone(schema);
    const root = form(schema);
    expect(child(root, 'point')).toMatchObject({ kind: 'object', required: true, label: 'point' });
    expect(fieldAt(root, ['point', 'x'])).toMatchObject({ kind: 'number', integer: false });
    const values = initialValue(root);
    expect(values).toEqual({ point: { x: '', y: '' } });
    expect(argsOf(root, values)).toEqual({ point: {} });
    expect(validate(root, { point: { x: 'left', y: '2' } })).toEqual({
      '/point/x': 'Must be a number.',
    });
    expect(argsOf(root, { point: { x: '1.5', y: '-2' } })).toEqual({ point: { x: 1.5, y: -2 } });
    expect(schema).toEqual(before);
  });

  it('a FastMCP / Pydantic tool: titles, Optional fields, an enum in $defs', () => {
    const schema = {
      properties: {
        query: { title: 'Query', type: 'string' },
        limit: {
          anyOf: [{ type: 'integer', minimum: 1 }, { type: 'null' }],
          default: null,
          title: 'Limit',
        },
        sort: { $ref: '#/$defs/Sort', default: 'relevance' },
      },
      required: ['query'],
      title: 'searchArguments',
      type: 'object',
      $defs: { Sort: { enum: ['relevance', 'date'], title: 'Sort', type: 'string' } },
    };
    const root = form(schema);
    expect(root.fields.map((f) => [f.name, f.kind, f.label])).toEqual([
      ['query', 'text', 'Query'],
      ['limit', 'number', 'Limit'],
      ['sort', 'choice', 'Sort'],
    ]);
    const values = initialValue(root) as FormObject;
    expect(values).toEqual({ query: '', limit: '', sort: '"relevance"' });
    expect(validate(root, values)).toEqual({ '/query': 'Required.' });
    expect(validate(root, { ...values, query: 'mcp', limit: '0' })).toEqual({
      '/limit': 'Must be at least 1.',
    });
    expect(argsOf(root, { ...values, query: 'mcp' })).toEqual({ query: 'mcp', sort: 'relevance' });
  });
});
