#!/usr/bin/env node
// `npm start`: from a fresh clone to a running Nexus in one command.
//   1. installs dependencies if node_modules is missing or stale;
//   2. builds (npm run build);
//   3. serves dist/ with `vite preview` on http://127.0.0.1:4173 (NEXUS_PORT);
//   4. runs server-everything (Streamable HTTP) on http://127.0.0.1:3001/mcp
//      (NEXUS_EVERYTHING_PORT), the server the app registers on first run.
// Ctrl-C (or SIGTERM) stops both. If either dies on its own, the other is stopped too and the
// exit code is non-zero: a half-running demo would only confuse.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOOPBACK_PRELOAD,
  ROOT,
  ensureDependencies,
  everythingBin,
  isListening,
  portFromEnv,
  run,
  stopChild,
  waitForPort,
} from './lib.mjs';

const APP_PORT = portFromEnv('NEXUS_PORT', 4173);
const EVERYTHING_PORT = portFromEnv('NEXUS_EVERYTHING_PORT', 3001);
const APP_URL = `http://127.0.0.1:${APP_PORT}/`;
const EVERYTHING_URL = `http://127.0.0.1:${EVERYTHING_PORT}/mcp`;

/** @type {{ name: string, child: import('node:child_process').ChildProcess }[]} */
const children = [];
let stopping = false;

function fail(message) {
  console.error(`\n${message}`);
  process.exit(1);
}

/**
 * Starts a Node child in its own process group (`detached`), so Ctrl-C in the terminal reaches
 * only this script, which then stops the children in order; an exit we did not ask for is then
 * always a real failure. The loopback preload keeps the child on 127.0.0.1 and makes it exit if
 * this script is killed outright (SIGKILL runs no handlers here).
 */
function startChild(name, args, env = {}) {
  const child = spawn(process.execPath, ['--import', LOOPBACK_PRELOAD, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
    env: { ...process.env, ...env, NEXUS_PARENT_PID: String(process.pid) },
  });
  children.push({ name, child });
  child.once('error', (error) => shutdown(1, `${name} could not be started: ${error.message}`));
  child.once('exit', (code, signal) => {
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    shutdown(1, `${name} ${how} unexpectedly; stopping the rest.`);
  });
  return child;
}

async function shutdown(code, message) {
  if (stopping) return;
  stopping = true;
  if (message) console.error(`\n${message}`);
  await Promise.all(children.map(({ child }) => stopChild(child)));
  process.exit(code);
}

process.once('SIGINT', () => {
  console.log('\nStopping Nexus and server-everything…');
  void shutdown(0);
});
process.once('SIGTERM', () => void shutdown(0));

async function main() {
  if (!(await ensureDependencies()))
    fail('Dependencies could not be installed; see npm output above.');

  // Both ports are checked before the (slow) build, so a clash is reported at once.
  for (const [port, what, variable] of [
    [APP_PORT, 'the Nexus app (vite preview)', 'NEXUS_PORT'],
    [EVERYTHING_PORT, 'server-everything', 'NEXUS_EVERYTHING_PORT'],
  ]) {
    if (await isListening(port)) {
      fail(
        `Port ${port} on 127.0.0.1 is already in use, and ${what} needs it. Stop whatever ` +
          `listens there (\`ss -ltnp | grep :${port}\` shows it) or set ${variable} to another port.`,
      );
    }
  }

  console.log('\nBuilding Nexus: npm run build');
  const built = await run('npm', ['run', 'build']);
  if (built !== 0) fail(`The build failed (exit code ${built}); see its output above.`);
  // The hub reads this deployment's default servers once, on its very first start (an empty
  // IndexedDB), so a new user sees a real remote server next to the built-in one.
  writeFileSync(
    join(ROOT, 'dist', 'nexus-defaults.json'),
    `${JSON.stringify({ mcpServers: { everything: { url: EVERYTHING_URL } } }, null, 2)}\n`,
  );

  const viteBin = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteBin)) fail(`${viteBin} is missing; run "npm install".`);
  // strictPort: a busy port must fail loudly, not move the app to an origin (and an IndexedDB)
  // the person has never seen.
  startChild('vite preview', [
    viteBin,
    'preview',
    '--host',
    '127.0.0.1',
    '--port',
    String(APP_PORT),
    '--strictPort',
  ]);
  startChild('server-everything', [everythingBin(), 'streamableHttp'], {
    PORT: String(EVERYTHING_PORT),
  });

  const ready = await Promise.all([
    waitForPort(APP_PORT, { gaveUp: () => stopping }),
    waitForPort(EVERYTHING_PORT, { gaveUp: () => stopping }),
  ]);
  if (stopping) return;
  if (!ready.every(Boolean)) {
    await shutdown(1, 'vite preview or server-everything did not start listening within 30 s.');
    return;
  }

  console.log(`
Nexus is running.
  Nexus app:          ${APP_URL}
  server-everything:  ${EVERYTHING_URL}  (Streamable HTTP)

Open ${APP_URL} in Chromium or Chrome. Press Ctrl-C to stop both.`);
}

await main();
