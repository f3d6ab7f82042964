/**
 * What a remote server must send for a browser page to speak MCP with it (DESIGN, "Browser facts
 * that bite"): the request headers its preflight must allow and the response headers it must
 * expose. ONE list, used by the HTTP connector's connect errors and by the connection doctor's
 * findings, so both tell a person the same lines. Custom headers a server entry sends (an API
 * key) must be allowed too; `allowHeadersLine` adds them.
 */

/** Request headers a browser client sends (2026-07-28 adds mcp-method and mcp-name). */
export const MCP_REQUEST_HEADERS: readonly string[] = [
  'content-type',
  'mcp-protocol-version',
  'mcp-session-id',
  'authorization',
  'last-event-id',
  'mcp-method',
  'mcp-name',
];

/** Response headers a browser client must be able to read. */
export const MCP_EXPOSED_HEADERS: readonly string[] = ['Mcp-Session-Id', 'WWW-Authenticate'];

export const ALLOW_METHODS_LINE = 'Access-Control-Allow-Methods: GET, POST, DELETE';
export const EXPOSE_LINE = `Access-Control-Expose-Headers: ${MCP_EXPOSED_HEADERS.join(', ')}`;

/** The Allow-Headers line for MCP's headers and `extra` ones (lowercased, each once). */
export function allowHeadersLine(extra: readonly string[] = []): string {
  const names = [...MCP_REQUEST_HEADERS, ...extra.map((name) => name.trim().toLowerCase())];
  return `Access-Control-Allow-Headers: ${[...new Set(names.filter(Boolean))].join(', ')}`;
}

/** The three lines in one sentence, for a connect error. */
export function corsHint(extra: readonly string[] = []): string {
  return `Access-Control-Allow-Origin for this origin, ${allowHeadersLine(extra)}, and ${EXPOSE_LINE}`;
}
