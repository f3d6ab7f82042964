/**
 * Redaction: secret values the hub knows, and credential headers by NAME (authorization, cookie,
 * set-cookie, proxy-authorization, x-api-key) whether or not a server entry marks them secret.
 */
import { describe, expect, it } from 'vitest';
import {
  SENSITIVE_HEADER_NAMES,
  isSecretHeader,
  maskSecret,
  redact,
  secretValues,
} from '../../../../src/hub/journal/redaction.ts';

describe('redaction', () => {
  it('replaces known secret values, also where JSON escaping changed them', () => {
    const secret = 'tok"en-1234';
    const json = JSON.stringify({ text: `value ${secret}` });
    expect(redact(json, [secret])).not.toContain('en-1234');
    expect(redact('plain tok"en-1234 here', [secret])).toBe('plain •••• here');
  });

  it('leaves secrets shorter than 4 characters alone', () => {
    expect(redact('a b c', ['a'])).toBe('a b c');
  });

  it.each(SENSITIVE_HEADER_NAMES)('redacts the %s header by name in JSON members', (name) => {
    const json = JSON.stringify({ headers: { [name]: 'Bearer sk-live-123' }, other: 'kept' });
    const out = redact(json, []);
    expect(out).not.toContain('sk-live-123');
    expect(out).toContain('kept');
    expect(JSON.parse(out).headers[name]).toBe('••••');
  });

  it('redacts credential header lines in text, any case', () => {
    const text = 'sent Authorization: Bearer abc.def\nX-API-Key: k-999\nCookie: a=b; c=d';
    const out = redact(text, []);
    expect(out).not.toMatch(/abc\.def|k-999|a=b/);
    expect(out).toContain('Authorization: ••••');
    expect(out).toContain('X-API-Key: ••••');
  });

  it('redacts a header line inside a JSON string and keeps the JSON valid', () => {
    const json = JSON.stringify({ text: 'curl -H "Set-Cookie: sid=42"' });
    const out = redact(json, []);
    expect(out).not.toContain('sid=42');
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('counts a header as secret when marked or when named like a credential', () => {
    expect(isSecretHeader({ name: 'X-Custom', secret: true })).toBe(true);
    expect(isSecretHeader({ name: ' Authorization ', secret: false })).toBe(true);
    expect(isSecretHeader({ name: 'Accept', secret: false })).toBe(false);
    expect(
      secretValues([
        { name: 'authorization', value: 'Bearer abcd', secret: false },
        { name: 'x-trace', value: 'visible', secret: false },
        { name: 'x-token', value: 'hidden-1', secret: true },
      ]),
    ).toEqual(['Bearer abcd', 'hidden-1']);
  });

  it('masks all but the last two characters of a long secret, everything of a short one', () => {
    expect(maskSecret('abcdefghijkl')).toBe('••••kl');
    expect(maskSecret('short')).toBe('••••');
  });
});
