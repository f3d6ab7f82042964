/**
 * Whether the deployment serves Nexus's Client ID Metadata Document, so the hub may offer its
 * URL as client id. Offered without the file, an authorization server that supports such
 * documents would fetch a 404 and refuse every sign-in; so the hub looks first. Only https
 * counts: the SDK (and the spec) take no other client id URL.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { clientMetadataDocument } from '../../../protocol/sign-in.ts';

/** The document's URL when `appUrl` serves the one this deployment should; else undefined. */
export async function servedMetadataDocument(
  appUrl: string,
  fetch: FetchLike,
): Promise<string | undefined> {
  const expected = clientMetadataDocument(appUrl);
  if (!expected.client_id.startsWith('https://')) return undefined;
  try {
    const response = await fetch(expected.client_id, { cache: 'no-store' });
    if (!response.ok) return undefined;
    const served = (await response.json()) as { client_id?: unknown; redirect_uris?: unknown };
    const redirects = Array.isArray(served.redirect_uris) ? served.redirect_uris : [];
    return served.client_id === expected.client_id && redirects.includes(expected.redirect_uris[0])
      ? expected.client_id
      : undefined;
  } catch {
    return undefined;
  }
}
