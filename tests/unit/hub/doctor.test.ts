/**
 * The connection doctor against real servers on 127.0.0.1. Node's fetch knows no CORS, so the
 * cross-origin cases go through `browserLikeFetch`, which applies a browser's CORS rules to the
 * real answers; the same cases run in a real browser in the e2e suite.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnose, type Diagnosis, type Finding } from '../../../src/hub/doctor/doctor.ts';
import { startCountingServer, type CorsMode } from '../../fixtures/counting-server.ts';
import { startEverything } from '../../fixtures/everything.ts';
import { freePort } from '../../fixtures/ports.ts';

const PAGE_ORIGIN = 'http://127.0.0.1:4173';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const nodeFetch: FetchLike = (url, init) => fetch(url, init);

/** Request headers a browser sends cross-origin without a preflight (Fetch: CORS-safelisted). */
const SAFELISTED_REQUEST = new Set(['accept', 'accept-language', 'content-language']);
const SIMPLE_CONTENT_TYPES = new Set([
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'text/plain',
]);
/** Response headers script may read cross-origin without Access-Control-Expose-Headers. */
const SAFELISTED_RESPONSE = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

function list(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * A fetch that behaves like a browser page at `pageOrigin` calling another origin: `no-cors`
 * requests get an opaque response; others are preflighted when a browser would, refused with a
 * bare TypeError (no cause, like "Failed to fetch") when Access-Control-Allow-Origin or the
 * preflight does not allow them, and otherwise return a `type: 'cors'` response that shows only
 * the safelisted headers and those named in Access-Control-Expose-Headers. Node's own fetch does
 * none of this, and without it the doctor's CORS paths could not be proven in Node.
 */
function browserLikeFetch(pageOrigin = PAGE_ORIGIN): FetchLike {
  const refused = () => new TypeError('Failed to fetch');
  const allowsOrigin = (headers: Headers) => {
    const allowed = headers.get('access-control-allow-origin');
    return allowed === '*' || allowed === pageOrigin;
  };
  // A network failure looks the same as a CORS refusal; an abort stays an abort.
  const real = async (url: string | URL, init: RequestInit): Promise<Response> => {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw init.signal?.aborted ? error : refused();
    }
  };
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    headers.set('origin', pageOrigin);
    if (init.mode === 'no-cors') {
      const response = await real(url, { ...init, headers });
      await response.body?.cancel();
      const opaque = new Response(null);
      Object.defineProperties(opaque, { type: { value: 'opaque' }, status: { value: 0 } });
      return opaque;
    }
    const unsafe = [...headers.keys()].filter((name) => {
      if (name === 'origin' || SAFELISTED_REQUEST.has(name)) return false;
      if (name !== 'content-type') return true;
      const mime = (headers.get(name) ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      return !SIMPLE_CONTENT_TYPES.has(mime);
    });
    const simpleMethod = ['GET', 'HEAD', 'POST'].includes(method);
    if (unsafe.length > 0 || !simpleMethod) {
      const preflight = await real(url, {
        method: 'OPTIONS',
        headers: {
          origin: pageOrigin,
          'access-control-request-method': method,
          'access-control-request-headers': unsafe.sort().join(','),
        },
        signal: init.signal,
      });
      await preflight.body?.cancel();
      const allowedHeaders = list(preflight.headers.get('access-control-allow-headers'));
      const allowedMethods = list(preflight.headers.get('access-control-allow-methods'));
      const headersAllowed = unsafe.every(
        (name) =>
          allowedHeaders.includes(name) ||
          (allowedHeaders.includes('*') && name !== 'authorization'),
      );
      const methodAllowed =
        simpleMethod ||
        allowedMethods.includes(method.toLowerCase()) ||
        allowedMethods.includes('*');
      if (!preflight.ok || !allowsOrigin(preflight.headers) || !headersAllowed || !methodAllowed) {
        throw refused();
      }
    }
    const response = await real(url, { ...init, headers });
    if (!allowsOrigin(response.headers)) {
      await response.body?.cancel();
      throw refused();
    }
    const exposed = list(response.headers.get('access-control-expose-headers'));
    const visible = new Headers();
    response.headers.forEach((value, name) => {
      if (SAFELISTED_RESPONSE.has(name) || exposed.includes(name) || exposed.includes('*')) {
        visible.set(name, value);
      }
    });
    const nullBody = [204, 205, 304].includes(response.status);
    if (nullBody) await response.body?.cancel();
    const filtered = new Response(nullBody ? null : response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: visible,
    });
    Object.defineProperty(filtered, 'type', { value: 'cors' });
    return filtered;
  };
}

/** Records each request's method, then passes it on to `inner`. */
function recording(inner: FetchLike): { fetch: FetchLike; methods: string[] } {
  const methods: string[] = [];
  return {
    methods,
    fetch: (url, init) => {
      methods.push(init?.method ?? 'GET');
      return inner(url, init);
    },
  };
}

async function counting(options: { cors?: CorsMode; bearer?: string } = {}) {
  const server = await startCountingServer(options);
  cleanups.push(() => server.stop());
  return server;
}

/**
 * A tiny server that is not MCP: an HTML page, plain JSON, a page that echoes the Authorization
 * header, a path that answers GET but never POST, or nothing at all (it hangs).
 */
async function notMcpServer(): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/echo') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<p>You sent ${req.headers.authorization ?? 'nothing'}</p>`);
    } else if (req.url === '/get-only' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    } else if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html>\n<html><title>Welcome</title><body>Hello</body></html>');
    } else if (req.url === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"healthy"}');
    } else if (req.url !== '/hang' && req.url !== '/get-only') {
      res.writeHead(404);
      res.end();
    }
    // /hang (and a POST to /get-only): accepts the request and never answers.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function failed(diagnosis: Diagnosis): Finding {
  const finding = diagnosis.findings.find((each) => !each.ok);
  if (!finding) throw new Error(`expected a problem, got ${JSON.stringify(diagnosis)}`);
  return finding;
}

describe('connection doctor', () => {
  it('reports a closed port as unreachable, and stops there', async () => {
    const port = await freePort();
    const diagnosis = await diagnose(
      { url: `http://127.0.0.1:${port}/mcp`, headers: [] },
      nodeFetch,
    );
    expect(diagnosis.ok).toBe(false);
    expect(failed(diagnosis)).toMatchObject({ check: 'reachable', problem: 'unreachable' });
    expect(diagnosis.summary).toBe(
      `127.0.0.1:${port} is unreachable: nothing listens there (the connection was refused).`,
    );
    expect(diagnosis.findings.map((each) => each.check)).toEqual(['address', 'reachable']);
  });

  it('says "nothing answers" where the fetch error carries no code, as in a browser', async () => {
    const port = await freePort();
    const diagnosis = await diagnose(
      { url: `http://127.0.0.1:${port}/mcp`, headers: [], pageOrigin: PAGE_ORIGIN },
      browserLikeFetch(),
    );
    expect(failed(diagnosis)).toMatchObject({ check: 'reachable', problem: 'unreachable' });
    expect(diagnosis.summary).toMatch(
      new RegExp(`^127\\.0\\.0\\.1:${port} is unreachable: nothing answers there`),
    );
  });

  it('names a host that was not found', async () => {
    // No DNS lookup leaves this machine: the fetch fails the way Node's does for an unknown host.
    const notFound: FetchLike = () =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }),
        }),
      );
    const diagnosis = await diagnose(
      { url: 'https://mcp.example.invalid/mcp', headers: [] },
      notFound,
    );
    expect(diagnosis.summary).toBe('The host name mcp.example.invalid was not found.');
  });

  it('says when a server accepts the connection but never answers', async () => {
    const base = await notMcpServer();
    const diagnosis = await diagnose({ url: `${base}/hang`, headers: [] }, nodeFetch, {
      timeoutMs: 300,
    });
    expect(failed(diagnosis)).toMatchObject({ check: 'reachable', problem: 'timeout' });
    expect(diagnosis.summary).toMatch(/sent no answer within 0\.3 s/);
  });

  it('says when a server answers a GET but never the initialize request', async () => {
    const base = await notMcpServer();
    const diagnosis = await diagnose({ url: `${base}/get-only`, headers: [] }, nodeFetch, {
      timeoutMs: 300,
    });
    expect(diagnosis.findings.map((each) => [each.check, each.ok])).toEqual([
      ['address', true],
      ['reachable', true],
      ['mcp', false],
    ]);
    expect(failed(diagnosis).problem).toBe('timeout');
  });

  it('finds a working server fine, with its protocol version and name, and ends its session', async () => {
    const server = await counting();
    const { fetch, methods } = recording(nodeFetch);
    const diagnosis = await diagnose({ url: server.url, headers: [] }, fetch);
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.server).toEqual({
      name: 'counting-server',
      version: '1.0.0',
      protocolVersion: '2025-11-25',
    });
    expect(diagnosis.summary).toBe(
      'The connection works: "counting-server" 1.0.0 speaks MCP 2025-11-25.',
    );
    expect(diagnosis.findings.map((each) => [each.check, each.ok])).toEqual([
      ['address', true],
      ['reachable', true],
      ['cors', true],
      ['mcp', true],
      ['session', true],
    ]);
    // no-cors probe, initialize, notifications/initialized, then the session is deleted.
    expect(methods).toEqual(['GET', 'POST', 'POST', 'DELETE']);
  });

  it('finds a server with full CORS headers fine from another origin', async () => {
    const server = await counting({ cors: 'full' });
    const { fetch, methods } = recording(browserLikeFetch());
    const diagnosis = await diagnose(
      { url: server.url, headers: [], pageOrigin: PAGE_ORIGIN },
      fetch,
    );
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.findings.find((each) => each.check === 'cors')?.detail).toMatch(
      /lets this page read its answers/,
    );
    expect(diagnosis.findings.find((each) => each.check === 'session')?.detail).toMatch(
      /Mcp-Session-Id is visible/,
    );
    expect(methods.at(-1)).toBe('DELETE');
  });

  it('names Access-Control-Expose-Headers when a server hides its session id from the page', async () => {
    const server = await counting({ cors: 'hide-session-id' });
    const diagnosis = await diagnose(
      { url: server.url, headers: [], pageOrigin: PAGE_ORIGIN },
      browserLikeFetch(),
    );
    expect(diagnosis.ok).toBe(false);
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'session', problem: 'cors-expose' });
    expect(finding.detail).toMatch(/does not expose that header/);
    expect(finding.detail).toContain('Server not initialized');
    expect(finding.headerLines).toEqual([
      'Access-Control-Expose-Headers: Mcp-Session-Id, WWW-Authenticate',
    ]);
  });

  it('names the missing Access-Control-Allow-Origin, with the line for this origin', async () => {
    const server = await counting({ cors: 'none' });
    const diagnosis = await diagnose(
      { url: server.url, headers: [], pageOrigin: PAGE_ORIGIN },
      browserLikeFetch(),
    );
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'cors', problem: 'cors-origin' });
    expect(diagnosis.findings.find((each) => each.check === 'reachable')?.ok).toBe(true);
    expect(finding.detail).toContain(`no Access-Control-Allow-Origin header for ${PAGE_ORIGIN}`);
    expect(finding.headerLines).toEqual([
      `Access-Control-Allow-Origin: ${PAGE_ORIGIN}`,
      'Access-Control-Allow-Methods: GET, POST, DELETE',
      'Access-Control-Allow-Headers: content-type, mcp-protocol-version, mcp-session-id, authorization, last-event-id, mcp-method, mcp-name',
      'Access-Control-Expose-Headers: Mcp-Session-Id, WWW-Authenticate',
    ]);
  });

  it('tells a failed preflight from a missing Allow-Origin, naming the request headers', async () => {
    const server = await counting({ cors: 'origin-only' });
    const diagnosis = await diagnose(
      {
        url: server.url,
        headers: [{ name: 'X-Api-Key', value: 'secret-value-4711' }],
        pageOrigin: PAGE_ORIGIN,
      },
      browserLikeFetch(),
    );
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'cors', problem: 'cors-preflight' });
    expect(finding.detail).toContain('does not list content-type, x-api-key');
    expect(finding.headerLines).toContain(
      'Access-Control-Allow-Headers: content-type, mcp-protocol-version, mcp-session-id, authorization, last-event-id, mcp-method, mcp-name, x-api-key',
    );
    expect(JSON.stringify(diagnosis)).not.toContain('secret-value-4711');
  });

  it('says a server needs authentication, with its scheme, and never shows the token sent', async () => {
    const server = await counting({ bearer: 'right-token' });
    const diagnosis = await diagnose(
      { url: server.url, headers: [{ name: 'Authorization', value: 'Bearer wrong-token-0815' }] },
      nodeFetch,
    );
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'mcp', problem: 'auth' });
    expect(finding.detail).toBe(
      '127.0.0.1:' +
        server.port +
        ' answered 401 Unauthorized: it needs authentication (it asks for Bearer). The Authorization header sent did not satisfy it.',
    );
    expect(JSON.stringify(diagnosis)).not.toContain('wrong-token-0815');

    const fixed = await diagnose(
      { url: server.url, headers: [{ name: 'Authorization', value: 'Bearer right-token' }] },
      nodeFetch,
    );
    expect(fixed.ok).toBe(true);
  });

  it('says the path is wrong when nothing serves MCP there', async () => {
    const server = await counting();
    const diagnosis = await diagnose(
      { url: `http://127.0.0.1:${server.port}/api`, headers: [] },
      nodeFetch,
    );
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'mcp', problem: 'wrong-path' });
    expect(finding.detail).toBe(
      `127.0.0.1:${server.port} answered 404 Not Found to an MCP request at /api: no MCP endpoint at this path.`,
    );
    expect(finding.fix).toMatch(/\/mcp.*\/sse/);
  });

  it('recognises a legacy HTTP+SSE server and suggests that transport', async () => {
    const legacy = await startEverything('sse');
    cleanups.push(() => legacy.stop());
    const diagnosis = await diagnose({ url: legacy.url, headers: [] }, nodeFetch);
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'mcp', problem: 'legacy-transport' });
    expect(finding.fix).toContain('"HTTP+SSE"');
  });

  it('says an HTML page is not an MCP endpoint, quoting what it answered as text', async () => {
    const base = await notMcpServer();
    const diagnosis = await diagnose({ url: `${base}/page`, headers: [] }, nodeFetch);
    const finding = failed(diagnosis);
    expect(finding).toMatchObject({ check: 'mcp', problem: 'not-mcp' });
    expect(finding.detail).toContain('answered 200 with text/html; charset=utf-8');
    expect(finding.detail).toContain('it begins: "<!doctype html> <html><title>Welcome</title>');
  });

  it('never quotes a header value, even when a server echoes it back', async () => {
    const base = await notMcpServer();
    const diagnosis = await diagnose(
      { url: `${base}/echo`, headers: [{ name: 'Authorization', value: 'Bearer echoed-9731' }] },
      nodeFetch,
    );
    expect(failed(diagnosis).detail).toContain('it begins: "<p>You sent ••••</p>"');
    expect(JSON.stringify(diagnosis)).not.toContain('echoed-9731');
  });

  it('says JSON that is not an initialize result is not an MCP endpoint', async () => {
    const base = await notMcpServer();
    const diagnosis = await diagnose({ url: `${base}/json`, headers: [] }, nodeFetch);
    expect(failed(diagnosis)).toMatchObject({ check: 'mcp', problem: 'not-mcp' });
    expect(diagnosis.summary).toContain('with application/json, not an MCP initialize result');
  });

  it('stops at mixed content (an https page, a plain-http server elsewhere) before any request', async () => {
    const { fetch, methods } = recording(() => Promise.reject(new Error('must not be called')));
    const diagnosis = await diagnose(
      { url: 'http://192.0.2.10/mcp', headers: [], pageProtocol: 'https:' },
      fetch,
    );
    expect(failed(diagnosis)).toMatchObject({ check: 'address', problem: 'mixed-content' });
    expect(methods).toEqual([]);
  });

  it('lets an https page reach a plain-http loopback server', async () => {
    const server = await counting();
    const diagnosis = await diagnose(
      { url: server.url, headers: [], pageProtocol: 'https:' },
      nodeFetch,
    );
    expect(diagnosis.ok).toBe(true);
  });

  it.each([
    ['not a url', 'The address is not a valid URL.'],
    [
      'ftp://127.0.0.1/mcp',
      'The address starts with ftp:, but MCP servers are reached over http: or https:.',
    ],
  ])('rejects the address "%s" without sending anything', async (url, summary) => {
    const { fetch, methods } = recording(nodeFetch);
    const diagnosis = await diagnose({ url, headers: [] }, fetch);
    expect(diagnosis.summary).toBe(summary);
    expect(methods).toEqual([]);
  });
});
