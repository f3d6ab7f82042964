/**
 * A consent request's arguments as table rows: one per top-level argument, secrets (by name or
 * by shape) and file paths marked, long values cut; text that is not a whole JSON object (the
 * hub cut it, or it is an array or a scalar) gives no rows, so the prompt shows the text.
 */
import { describe, expect, it } from 'vitest';
import { argumentRows } from '../../../src/ui/app/consent-args.ts';

describe('consent arguments', () => {
  it('gives one row per argument, strings as they are and the rest as JSON', () => {
    expect(
      argumentRows(JSON.stringify({ reason: 'spring cleaning', count: 3, opts: { a: [1] } })),
    ).toEqual([
      { name: 'reason', value: 'spring cleaning', marks: [] },
      { name: 'count', value: '3', marks: [] },
      { name: 'opts', value: '{"a":[1]}', marks: [] },
    ]);
  });

  it('marks secrets by name and by shape, and file paths', () => {
    const rows = argumentRows(
      JSON.stringify({
        apiKey: 'x',
        note: 'sk-abcdefghijklmnopqrstuvwx',
        jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
        file: '/etc/passwd',
        home: '~/.ssh/id_rsa',
        win: 'C:\\Users\\me',
        up: 'notes/../../secret.txt',
        plain: 'hello / world',
      }),
    )!;
    const marks = Object.fromEntries(rows.map((row) => [row.name, row.marks]));
    expect(marks).toEqual({
      apiKey: ['secret'],
      note: ['secret'],
      jwt: ['secret'],
      file: ['path'],
      home: ['path'],
      win: ['path'],
      up: ['path'],
      plain: [],
    });
  });

  it('cuts a long value and gives no rows for what is not a whole object', () => {
    const [row] = argumentRows(JSON.stringify({ text: 'a'.repeat(1000) }))!;
    expect(row!.value).toHaveLength(301);
    expect(row!.value.endsWith('…')).toBe(true);
    expect(argumentRows('{"cut": "abc')).toBeUndefined();
    expect(argumentRows('[1, 2]')).toBeUndefined();
    expect(argumentRows('"text"')).toBeUndefined();
    expect(argumentRows('null')).toBeUndefined();
    expect(argumentRows('{}')).toBeUndefined();
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]));
    expect(argumentRows(JSON.stringify(many))).toBeUndefined();
    // Names that are Object.prototype's own come through as plain names.
    expect(argumentRows('{"__proto__": 1, "constructor": "x"}')!.map((r) => r.name)).toEqual([
      '__proto__',
      'constructor',
    ]);
  });
});
