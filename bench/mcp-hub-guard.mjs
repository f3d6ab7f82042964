// Preloaded (`node --import`) into mcp-hub, the Node hub the benchmark compares Nexus with
// (bench/mcp-hub.ts starts it). Two jobs, neither of which changes how mcp-hub handles MCP:
//
// 1. CORS. mcp-hub sends no CORS headers, so a page on another origin (the benchmark's page, on
//    the Nexus app's origin) could not reach its `/mcp` endpoint at all. This adds to every
//    response of this process the same headers the fixture servers send, and answers preflights
//    (OPTIONS) with 204, in-process: no proxy hop, so mcp-hub's latency is measured as it is.
// 2. Loopback only. mcp-hub fetches its marketplace catalog from the internet at start-up (and
//    falls back to running `curl`). bench/mcp-hub.ts seeds a fresh catalog cache so it has no
//    reason to; this refuses, loudly on stderr, any connection or DNS lookup that is not for
//    127.0.0.1/localhost and any child process, in case some other path tries.
import childProcess from 'node:child_process';
import dns from 'node:dns';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

// The fixture servers' own headers (Node 22 strips the types of the .ts file as it loads it).
import { CORS_HEADERS as CORS } from '../tests/fixtures/node-http.ts';

const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function emitWithCors(event, ...args) {
  if (event === 'request') {
    const [req, res] = args;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS);
      res.end();
      return true;
    }
    for (const [name, value] of Object.entries(CORS)) res.setHeader(name, value);
  }
  return emit.call(this, event, ...args);
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const isLoopback = (host) => host === undefined || LOOPBACK.has(String(host).toLowerCase());

function refuse(what) {
  const message = `mcp-hub-guard: refused ${what} (the benchmark talks to 127.0.0.1 only)`;
  process.stderr.write(`${message}\n`);
  return new Error(message);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connectLoopbackOnly(...args) {
  const [first, second] = args;
  const options = first !== null && typeof first === 'object' ? first : undefined;
  const host = options ? options.host : typeof second === 'string' ? second : undefined;
  if (!(options && 'path' in options) && !isLoopback(host)) throw refuse(`a connection to ${host}`);
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function lookupLoopbackOnly(host, ...rest) {
  if (!isLoopback(host)) {
    const callback = rest.at(-1);
    const error = refuse(`a DNS lookup of ${host}`);
    if (typeof callback === 'function') process.nextTick(() => callback(error));
    return undefined;
  }
  return lookup.call(this, host, ...rest);
};

const fetch = globalThis.fetch;
globalThis.fetch = async function fetchLoopbackOnly(input, init) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (!isLoopback(url.hostname)) throw refuse(`a fetch of ${url.href}`);
  return fetch(input, init);
};

for (const name of ['exec', 'execFile', 'spawn', 'fork', 'execSync', 'execFileSync', 'spawnSync']) {
  childProcess[name] = () => {
    throw refuse(`starting a child process (${name})`);
  };
}
// `import { exec } from 'node:child_process'` binds the export, not the property: update them.
syncBuiltinESMExports();
