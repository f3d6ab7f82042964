/**
 * The server form's "OAuth client" fields as `ServerInput.oauthClient`. The view carries the
 * stored client's id but never its secret, so the secret field starts empty and empty means
 * "keep the stored one" (for the same id); a typed secret replaces it. An empty id sends nothing
 * (keep); forgetting the client is a separate choice (null).
 */
import type { ServerInput } from '../../protocol/views.ts';

export interface OAuthClientDraft {
  /** As typed; trimmed. */
  id: string;
  /** As typed, untrimmed (a secret is what it is); empty keeps the stored one. */
  secret: string;
  /** Editing: drop the client set by hand, so Nexus identifies itself again. */
  forget: boolean;
}

/** The `oauthClient` part of the input (absent keeps). Throws, in words, on an id-less secret. */
export function oauthClientInput(draft: OAuthClientDraft): Pick<ServerInput, 'oauthClient'> {
  if (draft.forget) return { oauthClient: null };
  const id = draft.id.trim();
  if (id === '') {
    if (draft.secret !== '')
      throw new Error(
        'An OAuth client secret needs its client id: fill in "OAuth client id" too, or clear the secret.',
      );
    return {};
  }
  return { oauthClient: draft.secret === '' ? { id } : { id, secret: draft.secret } };
}
