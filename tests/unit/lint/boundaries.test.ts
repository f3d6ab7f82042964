/**
 * The room rules of eslint.config.js, tried on snippets placed in each room: an import against
 * DESIGN.md's dependency arrows is reported, an allowed one is not, and the hub reads time,
 * timers and randomness only through what is injected (src/hub/platform.ts aside).
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The rule ids reported for `code` as if it were the file at `path` (relative to the root). */
async function reported(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: join(ROOT, path) });
  return (result?.messages ?? [])
    .map((message) => message.ruleId ?? message.message)
    .filter((id) => id !== '@typescript-eslint/no-unused-vars');
}

describe('the room boundaries', () => {
  it.each([
    ['src/hub/router/x.ts', "import { openNexusDb } from '../../store/db.ts'; void openNexusDb;"],
    [
      'src/hub/x.ts',
      "import { MessagePortTransport } from '../transports/message-port.ts'; void MessagePortTransport;",
    ],
    [
      'src/hub/admin/x.ts',
      "import { createAdminApi } from '../../worker/admin.ts'; void createAdminApi;",
    ],
    ['src/store/x.ts', "import { createHub } from '../hub/index.ts'; void createHub;"],
    ['src/store/x.ts', "import { systemClock } from '../hub/platform.ts'; void systemClock;"],
    ['src/ui/state/x.ts', "import { createHub } from '../../hub/index.ts'; void createHub;"],
    ['src/ui/state/x.ts', "import type { Hub } from '../../hub/hub.ts'; export type H = Hub;"],
    ['src/protocol/x.ts', "import type { Hub } from '../hub/hub.ts'; export type H = Hub;"],
    [
      'src/transports/x.ts',
      "import { openHubPort } from '../client/hub-port.ts'; void openHubPort;",
    ],
    ['src/client/x.ts', "import { Hub } from '../hub/hub.ts'; void Hub;"],
  ])('in %s, `%s` is refused', async (path, code) => {
    expect(await reported(path, code)).toContain('boundaries/dependencies');
  });

  it.each([
    [
      'src/hub/router/x.ts',
      "import { invalidParams } from '../../protocol/errors.ts'; void invalidParams;",
    ],
    [
      'src/store/x.ts',
      "import type { RegistryStore } from '../hub/ports.ts'; export type R = RegistryStore;",
    ],
    [
      'src/store/x.ts',
      "import { checkNameBatch } from '../protocol/store-contract.ts'; void checkNameBatch;",
    ],
    [
      'src/worker/x.ts',
      "import { Hub } from '../hub/hub.ts'; import { openNexusDb } from '../store/db.ts'; void Hub; void openNexusDb;",
    ],
    [
      'src/ui/state/x.ts',
      "import type { ServerView } from '../../protocol/views.ts'; export type V = ServerView;",
    ],
    [
      'src/client/x.ts',
      "import { HUB_WORKER_NAME } from '../protocol/port-frames.ts'; void HUB_WORKER_NAME;",
    ],
  ])('in %s, `%s` is allowed', async (path, code) => {
    expect(await reported(path, code)).toEqual([]);
  });

  it('keeps Node built-ins, storage and UI packages out of the hub', async () => {
    for (const code of [
      "import { readFileSync } from 'node:fs'; void readFileSync;",
      "import { openDB } from 'idb'; void openDB;",
      "import { mount } from 'svelte'; void mount;",
    ]) {
      expect(await reported('src/hub/router/x.ts', code)).toContain('no-restricted-imports');
    }
  });

  it('keeps the SDK out of nexus-client.js but allows its types', async () => {
    expect(
      await reported(
        'src/client/x.ts',
        "import { Client } from '@modelcontextprotocol/client'; void Client;",
      ),
    ).toContain('@typescript-eslint/no-restricted-imports');
    expect(
      await reported(
        'src/client/x.ts',
        "import type { Transport } from '@modelcontextprotocol/client'; export type T = Transport;",
      ),
    ).toEqual([]);
  });
});

describe('the injected clock and ids', () => {
  it.each([
    'const now = Date.now(); void now;',
    'const t = performance.now(); void t;',
    'const id = crypto.randomUUID(); void id;',
    'const r = Math.random(); void r;',
    'setTimeout(() => {}, 1);',
  ])('src/hub may not call `%s` itself', async (code) => {
    const ids = await reported('src/hub/router/x.ts', code);
    expect(
      ids.some((id) => id === 'no-restricted-properties' || id === 'no-restricted-globals'),
    ).toBe(true);
  });

  it('src/hub/platform.ts, the platform defaults, may', async () => {
    expect(
      await reported(
        'src/hub/platform.ts',
        'const now = Date.now() + Math.random(); void now; setTimeout(() => {}, 1);',
      ),
    ).toEqual([]);
  });
});
