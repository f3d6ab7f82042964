/** The words the dashboard uses for a server's status and its sign-in. */
import { describe, expect, it } from 'vitest';
import { expiryText, identityText, statusGlyph, statusText } from '../../../src/ui/app/format.ts';

describe('status and sign-in words', () => {
  it('says a server needs a sign-in, and why', () => {
    expect(statusText({ state: 'needs-sign-in', reason: 'it answered 401: no sign-in yet' })).toBe(
      'Needs sign-in: it answered 401: no sign-in yet',
    );
  });

  it('names how Nexus identified itself', () => {
    expect(identityText('metadata-document')).toBe("Nexus's client metadata document");
    expect(identityText('dynamic-registration')).toBe('registered dynamically');
    expect(identityText('pre-registered')).toBe('a client id you set');
  });

  it('says when an access token ends, ahead or past', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(expiryText(now + 20_000, now)).toBe('expires in under a minute');
    expect(expiryText(now + 5 * 60_000, now)).toMatch(/^expires /);
    expect(expiryText(now - 2 * 3_600_000, now)).toMatch(/^expired /);
  });
});

describe('status glyphs', () => {
  it('gives each state its own shape, so colour is never the only difference', () => {
    const states = ['ready', 'connecting', 'error', 'needs-sign-in', 'disabled'] as const;
    const glyphs = states.map(statusGlyph);
    expect(glyphs).toEqual(['●', '◐', '▲', '🔑', '○']);
    expect(new Set(glyphs).size).toBe(states.length);
  });
});
