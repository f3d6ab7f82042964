// @ts-check
/**
 * `nexus-bridge install`: tells browsers where the native host is. A browser finds a host by its
 * manifest `dev.nexus.bridge.json` in a per-browser directory (on Windows, through a registry key
 * naming the manifest), and runs the manifest's `path` with no arguments of ours, so `path` is a
 * small launcher in the config dir that runs this Node on bin/nexus-bridge.js in host mode.
 * https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-location
 *
 * Everything platform-specific is passed in (`Place`), so tests write into temp dirs and the
 * Windows and macOS layouts are checked on Linux.
 */

import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, posix, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDir, writeFileAtomic } from './allowlist.js';
import { BRIDGE_HOST_NAME, DEFAULT_EXTENSION_ID } from './wire.js';

/** The Chromium-family browsers `install` knows; Firefox only on request (see FIREFOX_ID). */
export const CHROMIUM_BROWSERS = /** @type {const} */ (['chrome', 'chromium', 'edge', 'brave']);
export const BROWSERS = /** @type {const} */ ([...CHROMIUM_BROWSERS, 'firefox']);

/** @typedef {(typeof BROWSERS)[number]} Browser */

/** The id a Firefox build of the companion extension would carry (its manifest's gecko id). */
export const FIREFOX_ID = 'nexus-bridge@nexus';

/** Chrome extension ids are 32 letters a–p (a hash written in a base-16 alphabet of letters). */
const EXTENSION_ID_PATTERN = /^[a-p]{32}$/;

/** The launcher's file name in the config dir (`.bat` on Windows). */
export const LAUNCHER = 'nexus-bridge-host';

/**
 * Where things are on this machine.
 * @typedef {object} Place
 * @property {NodeJS.Platform} platform
 * @property {string} home
 * @property {NodeJS.ProcessEnv} env
 * @property {string} configDir nexus-bridge's own directory
 */

/** @returns {Place} */
export function thisPlace() {
  return { platform: process.platform, home: homedir(), env: process.env, configDir: configDir() };
}

/**
 * A browser's own data directory (it exists when the browser was ever run), which holds its
 * `NativeMessagingHosts` on Linux and macOS.
 * @param {Browser} browser
 * @param {Place} place
 */
export function browserDataDir(browser, place) {
  const { platform, home, env } = place;
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local');
    const dirs = {
      chrome: ['Google', 'Chrome', 'User Data'],
      chromium: ['Chromium', 'User Data'],
      edge: ['Microsoft', 'Edge', 'User Data'],
      brave: ['BraveSoftware', 'Brave-Browser', 'User Data'],
      firefox: ['Mozilla', 'Firefox'],
    };
    return win32.join(browser === 'firefox' ? env.APPDATA || local : local, ...dirs[browser]);
  }
  if (platform === 'darwin') {
    const dirs = {
      chrome: ['Google', 'Chrome'],
      chromium: ['Chromium'],
      edge: ['Microsoft Edge'],
      brave: ['BraveSoftware', 'Brave-Browser'],
      firefox: ['Mozilla'],
    };
    return posix.join(home, 'Library', 'Application Support', ...dirs[browser]);
  }
  // Chrome honours XDG_CONFIG_HOME for its user data (chrome/common/chrome_paths_linux.cc).
  const config = env.XDG_CONFIG_HOME || posix.join(home, '.config');
  const dirs = {
    chrome: [config, 'google-chrome'],
    chromium: [config, 'chromium'],
    edge: [config, 'microsoft-edge'],
    brave: [config, 'BraveSoftware', 'Brave-Browser'],
    firefox: [home, '.mozilla'],
  };
  return posix.join(...dirs[browser]);
}

/**
 * Where one browser looks for the host manifest, and on Windows the registry key that names it.
 * @typedef {object} Target
 * @property {Browser} browser
 * @property {string} manifest the manifest file to write
 * @property {string} [registryKey] Windows: the key whose default value is the manifest's path
 */

/**
 * @param {Browser} browser
 * @param {Place} place
 * @param {string} [userDataDir] a Chromium `--user-data-dir`: its NativeMessagingHosts is used
 * @returns {Target}
 */
export function targetFor(browser, place, userDataDir) {
  const file = `${BRIDGE_HOST_NAME}.json`;
  if (userDataDir !== undefined) {
    return { browser, manifest: join(userDataDir, 'NativeMessagingHosts', file) };
  }
  if (place.platform === 'win32') {
    // One manifest serves every Chromium browser; Firefox's differs (allowed_extensions).
    const name = browser === 'firefox' ? `${BRIDGE_HOST_NAME}.firefox.json` : file;
    const keys = {
      chrome: 'Google\\Chrome',
      chromium: 'Chromium',
      edge: 'Microsoft\\Edge',
      brave: 'BraveSoftware\\Brave-Browser',
      firefox: 'Mozilla',
    };
    return {
      browser,
      manifest: win32.join(place.configDir, name),
      registryKey: `HKCU\\Software\\${keys[browser]}\\NativeMessagingHosts\\${BRIDGE_HOST_NAME}`,
    };
  }
  const data = browserDataDir(browser, place);
  if (browser === 'firefox') {
    const dir = place.platform === 'darwin' ? 'NativeMessagingHosts' : 'native-messaging-hosts';
    return { browser, manifest: posix.join(data, dir, file) };
  }
  return { browser, manifest: posix.join(data, 'NativeMessagingHosts', file) };
}

/**
 * The browsers to install for when none is named: every Chromium browser that was ever run
 * here, or Chrome when none was.
 * @param {Place} place
 * @returns {Browser[]}
 */
export function defaultBrowsers(place) {
  const found = CHROMIUM_BROWSERS.filter((browser) => existsSync(browserDataDir(browser, place)));
  return found.length > 0 ? found : ['chrome'];
}

/**
 * The host manifest a browser reads.
 * @param {Browser} browser
 * @param {string} launcher the absolute path of the launcher
 * @param {string} extensionId
 */
export function manifestFor(browser, launcher, extensionId) {
  return {
    name: BRIDGE_HOST_NAME,
    description: 'nexus-bridge: runs the local MCP servers you allowlisted, for the Nexus hub',
    path: launcher,
    type: 'stdio',
    ...(browser === 'firefox'
      ? { allowed_extensions: [FIREFOX_ID] }
      : { allowed_origins: [`chrome-extension://${extensionId}/`] }),
  };
}

/** bin/nexus-bridge.js, resolved (an npm bin is often a symlink). */
export function binPath() {
  const path = fileURLToPath(new URL('./bin/nexus-bridge.js', import.meta.url));
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The launcher's path and text: a manifest's `path` gets no arguments of ours, so this script
 * adds `host` and runs the Node that ran `install` (a browser's PATH may have no `node`).
 * @param {Place} place
 * @param {string} node process.execPath
 * @param {string} bin bin/nexus-bridge.js
 */
export function launcherFor(place, node, bin) {
  if (place.platform === 'win32') {
    return {
      path: win32.join(place.configDir, `${LAUNCHER}.bat`),
      text: `@echo off\r\nrem Written by nexus-bridge install: the browser runs this as the native host.\r\nset "NEXUS_BRIDGE_CONFIG=${place.configDir}"\r\n"${node}" "${bin}" host %*\r\n`,
    };
  }
  return {
    path: posix.join(place.configDir, LAUNCHER),
    // The allowlist next to this launcher, whatever environment the browser was started with
    // (an install made with NEXUS_BRIDGE_CONFIG set would otherwise read the default one).
    text: `#!/bin/sh\n# Written by \`nexus-bridge install\`: the browser runs this as the native host.\nNEXUS_BRIDGE_CONFIG=${shQuote(place.configDir)} exec ${shQuote(node)} ${shQuote(bin)} host "$@"\n`,
  };
}

/** @param {string} text */
function shQuote(text) {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A mistake in how the command was called: the CLI exits 2. */
export class UsageError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * @typedef {object} InstallOptions
 * @property {Browser[]} [browsers] default: defaultBrowsers (or chrome, with a user data dir)
 * @property {string} [extensionId] default: DEFAULT_EXTENSION_ID
 * @property {string} [userDataDir]
 * @property {Place} [place]
 * @property {string} [node] the Node the launcher runs (default: this one)
 * @property {string} [bin] default: binPath()
 */

/**
 * Writes the launcher and one manifest per browser; returns what to print.
 * @param {InstallOptions} [options]
 * @returns {string[]}
 */
export function install(options = {}) {
  const place = options.place ?? thisPlace();
  const extensionId = options.extensionId ?? DEFAULT_EXTENSION_ID;
  if (!EXTENSION_ID_PATTERN.test(extensionId)) {
    throw new UsageError(
      `'${extensionId}' is not a Chrome extension id: it is 32 letters a–p, as chrome://extensions shows it`,
    );
  }
  const { userDataDir } = options;
  const browsers = options.browsers ?? (userDataDir ? ['chrome'] : defaultBrowsers(place));
  if (userDataDir !== undefined && browsers.includes('firefox')) {
    throw new UsageError('--user-data-dir is a Chromium option: Firefox has no such directory');
  }

  const lines = [];
  const launcher = launcherFor(place, options.node ?? process.execPath, options.bin ?? binPath());
  mkdirSync(place.configDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(launcher.path, launcher.text, 0o755);
  lines.push(`wrote the host launcher ${launcher.path}`);

  /** @type {Set<string>} */
  const written = new Set();
  for (const browser of browsers) {
    const target = targetFor(browser, place, userDataDir);
    if (!written.has(target.manifest)) {
      written.add(target.manifest);
      mkdirSync(dirname(target.manifest), { recursive: true });
      const manifest = manifestFor(browser, launcher.path, extensionId);
      writeFileAtomic(target.manifest, JSON.stringify(manifest, null, 2) + '\n', 0o644);
    }
    const allows = browser === 'firefox' ? FIREFOX_ID : `chrome-extension://${extensionId}/`;
    lines.push(`wrote the ${browser} host manifest ${target.manifest} (allows ${allows})`);
    if (target.registryKey) {
      lines.push(`  ${browser} finds it through the registry: run this once in a Command Prompt:`);
      lines.push(`  ${regAddLine(target)}`);
    }
  }
  lines.push(
    'next: load the companion extension (extension/ in chrome://extensions, Developer mode → Load unpacked), reload Nexus, and run `nexus-bridge doctor` if the dashboard cannot reach the bridge',
  );
  return lines;
}

/**
 * The Windows command that registers a manifest for the current user.
 * @param {Target} target
 */
export function regAddLine(target) {
  return `REG ADD "${target.registryKey}" /ve /t REG_SZ /d "${target.manifest}" /f`;
}
