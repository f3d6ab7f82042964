// Helpers shared by scripts/test.mjs and scripts/start.mjs (plain Node, no dependencies, because
// they run before `npm install` may have happened).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const LOOPBACK_PRELOAD = join(ROOT, 'scripts', 'loopback-only.mjs');

/**
 * Runs a command with the terminal attached (output streams live) and resolves with its exit
 * code; a child killed by a signal counts as exit code 1. Never rejects: a command that cannot be
 * started resolves with 127 after saying why.
 */
export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
    child.once('error', (error) => {
      console.error(`Could not start ${command}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

/**
 * Installs dependencies when node_modules is missing or older than package-lock.json (npm writes
 * node_modules/.package-lock.json on every install, so its mtime is the time of the last one).
 * Uses `npm ci` when a lock file exists, for the exact tree the lock names. Resolves true when
 * node_modules is usable afterwards.
 */
export async function ensureDependencies() {
  const lock = join(ROOT, 'package-lock.json');
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  const hasLock = existsSync(lock);
  let reason;
  if (!existsSync(installed)) reason = 'node_modules is missing';
  else if (hasLock && statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
    reason = 'package-lock.json is newer than node_modules';
  }
  if (!reason) return true;
  const args = hasLock ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.log(`\n${reason}: npm ${args.join(' ')}`);
  const code = await run('npm', args);
  if (code !== 0) console.error(`npm ${args[0]} failed (exit code ${code}).`);
  return code === 0;
}

/** The flags every Chromium this project starts runs with (tests and the benchmark alike). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumPath() {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

export const CHROMIUM_MISSING =
  'Chromium is needed for the browser tests: install it with "apt-get install -y chromium" (Debian) or set CHROMIUM_PATH.';

/** server-everything's entry script, from its package.json `bin`. */
export function everythingBin() {
  const dir = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything');
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const bin =
    typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['mcp-server-everything'];
  return join(dir, bin);
}

/**
 * Whether something accepts TCP connections on `host:port` right now.
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<boolean>}
 */
export function isListening(port, host = '127.0.0.1') {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Resolves once `child` has exited: SIGTERM first, SIGKILL if it is still running after
 * `graceMs`. At once when it has exited already.
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} [graceMs]
 * @returns {Promise<void>}
 */
export function stopChild(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Polls until `port` accepts connections; false after `timeoutMs` or once `gaveUp()` is true. */
export async function waitForPort(port, { timeoutMs = 30_000, gaveUp = () => false } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; Date.now() < deadline && !gaveUp(); delay = Math.min(delay * 2, 500)) {
    if (await isListening(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  return false;
}

/** A port number from an environment variable, or `fallback`; exits with a message on nonsense. */
export function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`${name}=${raw} is not a TCP port (1-65535).`);
    process.exit(2);
  }
  return port;
}
