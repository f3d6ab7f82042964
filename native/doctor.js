// @ts-check
/**
 * `nexus-bridge doctor`: what stands between the browser and a running server, one line per
 * check, each failure with the command that fixes it. A browser that cannot start a native host
 * only says "Specified native messaging host not found.", so this is where a person finds out
 * which of the pieces (Node, the allowlist, a manifest, its launcher, a server's command) is off.
 *
 *   ✓ fine   ! worth knowing, the bridge still works   ✗ the bridge cannot work until fixed
 */

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { commandLine, messageOf, readAllowlist } from './allowlist.js';
import { defaultBrowsers, FIREFOX_ID, regAddLine, targetFor, thisPlace } from './install.js';
import { BRIDGE_HOST_NAME, DEFAULT_EXTENSION_ID } from './wire.js';

/** The oldest Node the bridge runs on (package.json "engines"). */
const MIN_NODE_MAJOR = 20;

/**
 * @import { Place, Target } from './install.js'
 * @typedef {{ mark: '✓' | '!' | '✗', text: string }} Finding
 */

/**
 * @typedef {object} DoctorOptions
 * @property {string} [userDataDir] check only the manifest of this Chromium --user-data-dir
 * @property {string} [extensionId] default: DEFAULT_EXTENSION_ID
 * @property {Place} [place]
 * @property {string} [nodeVersion] default: process.version
 * @property {(key: string) => boolean} [registryHas] Windows: whether `key` names a manifest
 */

/**
 * Runs every check.
 * @param {DoctorOptions} [options]
 * @returns {{ ok: boolean, lines: string[] }} `ok` is false when any check failed (✗)
 */
export function doctor(options = {}) {
  const place = options.place ?? thisPlace();
  const extensionId = options.extensionId ?? DEFAULT_EXTENSION_ID;
  /** @type {Finding[]} */
  const findings = [];
  const ok = (/** @type {string} */ text) => findings.push({ mark: '✓', text });
  const note = (/** @type {string} */ text) => findings.push({ mark: '!', text });
  const fail = (/** @type {string} */ text) => findings.push({ mark: '✗', text });

  // Node
  const nodeVersion = options.nodeVersion ?? process.version;
  const major = Number(/^v?(\d+)/.exec(nodeVersion)?.[1]);
  if (major >= MIN_NODE_MAJOR) ok(`Node ${nodeVersion}`);
  else
    fail(
      `Node ${nodeVersion} is too old: nexus-bridge needs Node ${MIN_NODE_MAJOR} or later (https://nodejs.org), then run \`nexus-bridge install\` again`,
    );

  // The allowlist
  const allowlist = readAllowlist(place.configDir);
  if (allowlist.problem) fail(allowlist.problem);
  else if (allowlist.servers.size === 0) {
    note(
      `no server is allowlisted yet (${allowlist.path}): run \`nexus-bridge add NAME -- COMMAND ARGS…\``,
    );
  } else ok(`allowlist ${allowlist.path}: ${allowlist.servers.size} server(s)`);

  // Manifests, where the browsers look
  const installHint = options.userDataDir
    ? `nexus-bridge install --user-data-dir ${JSON.stringify(options.userDataDir)}`
    : 'nexus-bridge install';
  const targets = options.userDataDir
    ? [targetFor('chrome', place, options.userDataDir)]
    : [
        ...defaultBrowsers(place).map((browser) => targetFor(browser, place)),
        // Firefox only when someone installed for it: the companion extension is Chromium's.
        ...[targetFor('firefox', place)].filter((target) => existsSync(target.manifest)),
      ];
  const registryHas = options.registryHas ?? queryRegistry;
  for (const target of targets) {
    const hint =
      target.browser === 'chrome' || options.userDataDir
        ? installHint
        : `${installHint} --browser ${target.browser}`;
    const problem = checkManifest(target, extensionId, hint);
    if (problem) fail(problem);
    else if (target.registryKey && !registryHas(target.registryKey)) {
      fail(
        `${target.browser}: the registry does not point at ${target.manifest}: run \`${regAddLine(target)}\``,
      );
    } else ok(`${target.browser}: host manifest ${target.manifest}`);
  }

  // Each server's command
  let viaPath = false;
  for (const [name, entry] of allowlist.servers) {
    const env = { ...process.env, ...entry.env };
    const found = findCommand(entry.command, env, place.platform);
    if (found.path) {
      viaPath ||= !found.absolute;
      ok(`${name}: ${commandLine(entry.command, entry.args)} (${found.path})`);
    } else {
      fail(
        `${name}: ${found.problem}: install it, or give its absolute path: \`nexus-bridge add ${name} -- /full/path/to/${entry.command} …\``,
      );
    }
  }
  if (viaPath) {
    note(
      "commands were found on this terminal's PATH; a browser started from the desktop may see a shorter one: if a server does not start, give its absolute path",
    );
  }

  return {
    ok: !findings.some((finding) => finding.mark === '✗'),
    lines: findings.map(({ mark, text }) => `${mark} ${text}`),
  };
}

/**
 * What is wrong with one browser's manifest and its launcher, if anything.
 * @param {Target} target
 * @param {string} extensionId
 * @param {string} hint the install command that fixes it
 * @returns {string | undefined}
 */
function checkManifest(target, extensionId, hint) {
  const { browser, manifest: file } = target;
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const missing = /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT';
    return `${browser}: ${missing ? 'no host manifest at' : `cannot read (${messageOf(error)})`} ${file}: run \`${hint}\``;
  }
  if (typeof manifest !== 'object' || manifest === null)
    return `${browser}: ${file} is not a manifest: run \`${hint}\``;
  if (manifest.name !== BRIDGE_HOST_NAME) {
    return `${browser}: ${file} names the host '${manifest.name}', not '${BRIDGE_HOST_NAME}': run \`${hint}\``;
  }
  if (browser === 'firefox') {
    if (
      !Array.isArray(manifest.allowed_extensions) ||
      !manifest.allowed_extensions.includes(FIREFOX_ID)
    ) {
      return `${browser}: ${file} does not allow ${FIREFOX_ID}: run \`${hint}\``;
    }
  } else {
    const origin = `chrome-extension://${extensionId}/`;
    if (!Array.isArray(manifest.allowed_origins) || !manifest.allowed_origins.includes(origin)) {
      const fix =
        extensionId === DEFAULT_EXTENSION_ID ? hint : `${hint} --extension-id ${extensionId}`;
      return `${browser}: ${file} does not allow the extension ${origin}: run \`${fix}\``;
    }
  }
  const launcher = manifest.path;
  if (typeof launcher !== 'string' || !isAbsolute(launcher)) {
    return `${browser}: ${file} has no absolute "path" (browsers require one): run \`${hint}\``;
  }
  const launcherProblem = checkExecutable(launcher);
  if (launcherProblem)
    return `${browser}: the host launcher ${launcher} ${launcherProblem}: run \`${hint}\``;
  // The launcher names a Node and bin/nexus-bridge.js: either may have moved since `install`.
  let text = '';
  try {
    text = readFileSync(launcher, 'utf8');
  } catch {
    // checkExecutable found it; an unreadable one is run, not read, by the browser.
  }
  for (const match of text.matchAll(/'([^']+)'|"([^"%]+)"/g)) {
    const quoted = match[1] ?? match[2];
    if (quoted && isAbsolute(quoted) && !existsSync(quoted)) {
      return `${browser}: the host launcher ${launcher} runs ${quoted}, which no longer exists: run \`${hint}\``;
    }
  }
  return undefined;
}

/**
 * @param {string} path
 * @returns {string | undefined} what is wrong with running it
 */
function checkExecutable(path) {
  try {
    if (!statSync(path).isFile()) return 'is not a file';
  } catch {
    return 'does not exist';
  }
  if (process.platform === 'win32') return undefined;
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return 'is not executable';
  }
}

/**
 * Where a command resolves the way spawn (without a shell) resolves it: an absolute path as is,
 * a bare name through PATH (and PATHEXT on Windows).
 * @param {string} command
 * @param {NodeJS.ProcessEnv} env the child's environment (the allowlist may set PATH)
 * @param {NodeJS.Platform} platform
 * @returns {{ path: string, absolute: boolean, problem?: undefined } | { path?: undefined, problem: string }}
 */
export function findCommand(command, env, platform = process.platform) {
  if (isAbsolute(command)) {
    const problem = checkExecutable(command);
    return problem ? { problem: `${command} ${problem}` } : { path: command, absolute: true };
  }
  if (/[\\/]/.test(command)) {
    return {
      problem: `${command} is a relative path, which depends on the browser's working directory`,
    };
  }
  const pathVar = (platform === 'win32' ? (env.Path ?? env.PATH) : env.PATH) ?? '';
  const extensions =
    platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';')] : [''];
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    for (const extension of extensions) {
      const candidate = join(dir, command + extension);
      if (checkExecutable(candidate) === undefined) return { path: candidate, absolute: false };
    }
  }
  return { problem: `${command} was not found on PATH` };
}

/**
 * Windows: whether the registry key has a default value (the manifest's path).
 * @param {string} key
 */
function queryRegistry(key) {
  const result = spawnSync('reg', ['query', key, '/ve'], { stdio: 'ignore', windowsHide: true });
  return result.status === 0;
}
