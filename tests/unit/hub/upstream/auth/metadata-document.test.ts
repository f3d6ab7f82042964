/**
 * The hub offers its Client ID Metadata Document's URL as its client id only when the deployment
 * serves that document, for this origin and callback (src/hub/upstream/auth/metadata-document.ts):
 * offered without it, an authorization server that fetches client ids would refuse every sign-in.
 */
import type { FetchLike } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { servedMetadataDocument } from '../../../../../src/hub/upstream/auth/metadata-document.ts';
import { clientMetadataDocument } from '../../../../../src/protocol/sign-in.ts';

const APP = 'https://nexus.example/app/';
const DOCUMENT_URL = 'https://nexus.example/app/oauth/client-metadata.json';

/** The deployment's web server: answers the document's URL with `body` (status 200) or 404. */
function serving(body: unknown, status = 200): { fetch: FetchLike; asked: string[] } {
  const asked: string[] = [];
  const fetch: FetchLike = async (url) => {
    asked.push(String(url));
    return String(url) === DOCUMENT_URL
      ? new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })
      : new Response('', { status: 404 });
  };
  return { fetch, asked };
}

describe("the hub's client metadata document", () => {
  it('is offered when the deployment serves the one built for it', async () => {
    const document = clientMetadataDocument(APP);
    expect(document.client_id).toBe(DOCUMENT_URL);
    expect(document.redirect_uris).toEqual(['https://nexus.example/app/oauth/callback']);
    expect(await servedMetadataDocument(APP, serving(document).fetch)).toBe(DOCUMENT_URL);
  });

  it('is not offered when the file is missing, is another deployment’s, or is not JSON', async () => {
    expect(await servedMetadataDocument(APP, serving({}, 404).fetch)).toBeUndefined();
    const other = clientMetadataDocument('https://elsewhere.example/');
    expect(await servedMetadataDocument(APP, serving(other).fetch)).toBeUndefined();
    const wrongCallback = { ...clientMetadataDocument(APP), redirect_uris: ['https://x/cb'] };
    expect(await servedMetadataDocument(APP, serving(wrongCallback).fetch)).toBeUndefined();
    expect(await servedMetadataDocument(APP, serving('<html>').fetch)).toBeUndefined();
  });

  it('is never offered on plain http, where the spec takes no such client id: nothing is fetched', async () => {
    const server = serving(clientMetadataDocument('http://127.0.0.1:4173/'));
    expect(await servedMetadataDocument('http://127.0.0.1:4173/', server.fetch)).toBeUndefined();
    expect(server.asked).toEqual([]);
  });
});
