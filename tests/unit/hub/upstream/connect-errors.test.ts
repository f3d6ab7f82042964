/**
 * The reasons a person reads when a server cannot be reached, for the cases a Node test cannot
 * provoke over real HTTP (a browser hides cross-origin headers; Node does not). The real-browser
 * versions of the CORS cases run in tests/e2e/hub.spec.ts.
 */
import { SdkErrorCode, SdkHttpError } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { allowHeadersLine } from '../../../../src/hub/upstream/connectors/cors.ts';
import { describeConnectError } from '../../../../src/hub/upstream/connectors/http.ts';
import type { RemoteServerEntry } from '../../../../src/hub/ports.ts';

const entry = {
  kind: 'remote',
  url: 'http://127.0.0.1:9/mcp',
} as RemoteServerEntry;

function http400(serverMessage: string): SdkHttpError {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    error: { code: -32000, message: serverMessage },
    id: null,
  });
  return new SdkHttpError(
    SdkErrorCode.ClientHttpNotImplemented,
    `Error POSTing to endpoint: ${body}`,
    { status: 400, statusText: 'Bad Request' },
  );
}

const hiddenSessionId = { answered: true, crossOrigin: true, sessionIdVisible: false };

describe('describeConnectError', () => {
  it.each([
    'Bad Request: No valid session ID provided',
    'Bad Request: Mcp-Session-Id header is required',
    'Bad Request: Server not initialized',
  ])(
    'blames CORS when a cross-origin server hid its session id and then said "%s"',
    async (said) => {
      expect(await describeConnectError(http400(said), entry, hiddenSessionId)).toMatch(
        /^CORS: the server does not expose Mcp-Session-Id/,
      );
    },
  );

  it('does not blame CORS when the session id was visible', async () => {
    const reason = await describeConnectError(
      http400('Bad Request: Server not initialized'),
      entry,
      { answered: true, crossOrigin: true, sessionIdVisible: true },
    );
    expect(reason).toBe('HTTP 400 Bad Request: Bad Request: Server not initialized');
  });

  it('shows the message from a JSON-RPC error body rather than the raw body', async () => {
    const reason = await describeConnectError(http400('Unsupported protocol version'), entry);
    expect(reason).toBe('HTTP 400 Bad Request: Unsupported protocol version');
  });

  it('keeps a non-JSON error text as it is', async () => {
    const error = new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, 'Gateway said {no', {
      status: 502,
      statusText: 'Bad Gateway',
    });
    expect(await describeConnectError(error, entry)).toBe('HTTP 502 Bad Gateway: Gateway said {no');
  });

  it('names the same CORS headers as the doctor when a browser hides a live server', async () => {
    // A browser's fetch says only "Failed to fetch"; the server answers a no-cors probe.
    const withKey = { ...entry, headers: [{ name: 'X-Api-Key', value: 'k', secret: true }] };
    const probe = async () => new Response(null, { status: 200 });
    const reason = await describeConnectError(
      new TypeError('Failed to fetch'),
      withKey,
      undefined,
      probe,
    );
    expect(reason).toMatch(/^CORS: /);
    expect(reason).toContain(allowHeadersLine(['X-Api-Key']));
    expect(reason).toContain('mcp-method, mcp-name, x-api-key');
    expect(reason).toContain('Access-Control-Expose-Headers: Mcp-Session-Id, WWW-Authenticate');
  });
});
