/**
 * Chromium with the Nexus bridge extension loaded and nexus-bridge installed for it, as a person
 * would set it up, in temporary directories: the allowlist written by the real CLI
 * (`nexus-bridge add`), the host manifest by `nexus-bridge install --user-data-dir` (Chromium reads
 * `<user-data-dir>/NativeMessagingHosts/` when started with one), the extension from extension/
 * in a persistent context (Playwright loads extensions only there). Used by tests/e2e/bridge.spec.ts
 * and the benchmark. No Playwright test runner here, so plain Node can use it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/lib.mjs';
import { DEFAULT_EXTENSION_ID } from '../../src/protocol/bridge.ts';

const root = path.resolve(import.meta.dirname, '../..');
export const BRIDGE_CLI = path.join(root, 'native', 'bin', 'nexus-bridge.js');
export const EXTENSION_DIR = path.join(root, 'extension');
const run = promisify(execFile);

export interface AllowlistEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface BridgeBrowser {
  context: BrowserContext;
  /** The allowlist's directory (`NEXUS_BRIDGE_CONFIG`). */
  configDir: string;
  /** Runs the real CLI against this allowlist; resolves with its output. */
  cli(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Closes the browser and removes the directories. */
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** `false`: load the extension but do not install nexus-bridge (the host is missing). */
  installHost?: boolean;
  headless?: boolean;
}

export async function launchWithBridge(
  allowlist: Record<string, AllowlistEntry>,
  options: LaunchOptions = {},
): Promise<BridgeBrowser> {
  const configDir = await mkdtemp(path.join(tmpdir(), 'nexus-bridge-config-'));
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'nexus-bridge-profile-'));
  const env = { ...process.env, NEXUS_BRIDGE_CONFIG: configDir };
  const cli = (...args: string[]) => run(process.execPath, [BRIDGE_CLI, ...args], { env });
  let context: BrowserContext | undefined;
  try {
    for (const [name, entry] of Object.entries(allowlist)) {
      const envFlags = Object.entries(entry.env ?? {}).flatMap(([key, value]) => [
        '--env',
        `${key}=${value}`,
      ]);
      await cli('add', name, ...envFlags, '--', entry.command, ...entry.args);
    }
    if (options.installHost !== false)
      await cli('install', '--user-data-dir', userDataDir, '--extension-id', DEFAULT_EXTENSION_ID);
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: options.headless ?? true,
      args: [
        ...CHROMIUM_ARGS,
        `--disable-extensions-except=${EXTENSION_DIR}`,
        `--load-extension=${EXTENSION_DIR}`,
      ],
      // nexus-bridge is started by Chromium and inherits its environment: its allowlist is ours.
      env,
    });
  } catch (error) {
    await rm(configDir, { recursive: true, force: true });
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
  const opened = context;
  return {
    context: opened,
    configDir,
    cli,
    close: async () => {
      await opened.close();
      await rm(configDir, { recursive: true, force: true });
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Processes running now whose command line contains `marker` (`ps`, Linux and macOS). */
export async function processesWith(marker: string): Promise<number[]> {
  const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes(' ps -eo'))
    .map((line) => Number.parseInt(line.trim(), 10))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}
