/**
 * The server form's OAuth client fields: the hub never shows the stored client, so empty fields
 * keep it, a typed id sends it, a typed secret replaces the stored one, and forgetting is explicit.
 */
import { describe, expect, it } from 'vitest';
import { oauthClientInput } from '../../../src/ui/state/oauth-client.ts';

const draft = (id: string, secret = '', forget = false) => ({ id, secret, forget });

describe('the OAuth client of the server form', () => {
  it('sends nothing (keeps the stored client) when both fields are empty', () => {
    expect(oauthClientInput(draft(''))).toEqual({});
    expect(oauthClientInput(draft('   '))).toEqual({});
  });

  it('sends a typed id, trimmed, and the secret only when one was typed', () => {
    expect(oauthClientInput(draft(' nexus-client '))).toEqual({
      oauthClient: { id: 'nexus-client' },
    });
    expect(oauthClientInput(draft('nexus-client', ' s3cret'))).toEqual({
      oauthClient: { id: 'nexus-client', secret: ' s3cret' },
    });
  });

  it('removes the client when the person chose to forget it, whatever the fields hold', () => {
    expect(oauthClientInput(draft('typed', 'secret', true))).toEqual({ oauthClient: null });
  });

  it('refuses a secret without its id, and says what to do', () => {
    expect(() => oauthClientInput(draft('', 'secret'))).toThrow(/needs its client id/);
  });
});
