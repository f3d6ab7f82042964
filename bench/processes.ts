/**
 * The Node processes the benchmark starts and stops: the fixture servers (bench/fixture-server.ts)
 * and mcp-hub. Both run on the project's Node 22 (mcp-hub needs it), listen on 127.0.0.1 only
 * (scripts/loopback-only.mjs) and exit on their own if the benchmark dies without stopping them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from '../scripts/lib.mjs';
import { freePort } from '../tests/fixtures/ports.ts';

const root = path.resolve(import.meta.dirname, '..');
export const NODE22 = path.join(root, 'node_modules', 'node', 'bin', 'node');
const LOOPBACK_PRELOAD = path.join(root, 'scripts', 'loopback-only.mjs');
const MCP_HUB_CLI = path.join(root, 'node_modules', 'mcp-hub', 'dist', 'cli.js');
const MCP_HUB_GUARD = path.join(root, 'bench', 'mcp-hub-guard.mjs');

export interface Started {
  stop(): Promise<void>;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NEXUS_PARENT_PID: String(process.pid), ...extra };
}

/** How long a child of the benchmark gets between SIGTERM and SIGKILL. */
const STOP_GRACE_MS = 3_000;

export interface FixtureServers extends Started {
  /** The `bench` server (echo, blob). */
  benchUrl: string;
  /** The URL of scale server `i`. */
  scaleUrl(i: number): string;
}

/** Starts bench/fixture-server.ts with `servers` × `tools` scale endpoints. */
export async function startFixtures(servers: number, tools: number): Promise<FixtureServers> {
  const child = spawn(
    NODE22,
    [
      '--import',
      LOOPBACK_PRELOAD,
      '--experimental-transform-types',
      '--disable-warning=ExperimentalWarning',
      path.join(root, 'bench', 'fixture-server.ts'),
      '--servers',
      String(servers),
      '--tools',
      String(tools),
    ],
    { cwd: root, env: childEnv(), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const ports = await new Promise<{ bench: number; scale: number[] }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as { bench: number; scale: number[] }));
    child.once('exit', (code) => reject(new Error(`the fixture servers exited (code ${code})`)));
    child.once('error', reject);
  });
  const url = (port: number) => `http://127.0.0.1:${port}/mcp`;
  return {
    benchUrl: url(ports.bench),
    scaleUrl: (i) => url(ports.scale[i]!),
    stop: () => stopChild(child, STOP_GRACE_MS),
  };
}

export interface McpHub extends Started {
  /** Its MCP endpoint (legacy HTTP+SSE). */
  url: string;
  version: string;
}

/** Why mcp-hub cannot run here, or undefined when it can. */
export function mcpHubMissing(): string | undefined {
  if (!existsSync(NODE22))
    return `${path.relative(root, NODE22)} is missing (mcp-hub needs Node 22)`;
  if (!existsSync(MCP_HUB_CLI)) {
    return 'the npm package mcp-hub is not installed (a devDependency: run "npm install")';
  }
  return undefined;
}

/**
 * Starts mcp-hub (npm) with `servers` (name → MCP URL) and waits until it reports every one
 * connected. It runs with a HOME of its own in a temporary folder, whose marketplace cache is
 * seeded as fresh so it does not fetch its catalog from the internet at start (see
 * bench/mcp-hub-guard.mjs, which also adds CORS headers and refuses any non-loopback traffic).
 */
export async function startMcpHub(servers: Record<string, string>): Promise<McpHub> {
  const home = await mkdtemp(path.join(tmpdir(), 'nexus-bench-mcp-hub-'));
  const cache = path.join(home, '.mcp-hub', 'cache');
  await mkdir(cache, { recursive: true });
  await writeFile(
    path.join(cache, 'registry.json'),
    JSON.stringify({
      registry: {
        version: 'bench',
        generatedAt: 0,
        totalServers: 1,
        servers: [{ id: 'none', name: 'none' }],
      },
      lastFetchedAt: Date.now(),
      serverDocumentation: {},
    }),
  );
  const config = path.join(home, 'mcp-servers.json');
  await writeFile(
    config,
    JSON.stringify({
      mcpServers: Object.fromEntries(Object.entries(servers).map(([name, url]) => [name, { url }])),
    }),
  );
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(
    NODE22,
    [
      '--import',
      MCP_HUB_GUARD,
      '--import',
      LOOPBACK_PRELOAD,
      MCP_HUB_CLI,
      '--port',
      String(port),
      '--config',
      config,
    ],
    {
      cwd: home,
      env: childEnv({
        HOME: home,
        XDG_DATA_HOME: path.join(home, 'data'),
        XDG_STATE_HOME: path.join(home, 'state'),
        XDG_CONFIG_HOME: path.join(home, 'config'),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // It logs a JSON line per event (per call, at info level); keep the tail for error messages.
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const stop = async () => {
    await stopChild(child, STOP_GRACE_MS);
    await rm(home, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mcp-hub exited (code ${child.exitCode})`);
      const listed = await fetch(`${base}/api/servers`)
        .then((response) => (response.ok ? response.json() : undefined))
        .catch(() => undefined);
      const states = (listed as { servers?: Array<{ status: string }> } | undefined)?.servers;
      if (states && states.length === Object.keys(servers).length) {
        if (states.every((server) => server.status === 'connected')) break;
      }
      if (Date.now() > deadline) throw new Error('mcp-hub did not connect its servers in 20 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    const tail = output.join('').trim().split('\n').slice(-5).join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`);
  }
  const manifest = path.join(path.dirname(MCP_HUB_CLI), '..', 'package.json');
  const { version } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
  return { url: `${base}/mcp`, version, stop };
}
