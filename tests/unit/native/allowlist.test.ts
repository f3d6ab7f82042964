/**
 * The allowlist is the person's file: the bridge reads it afresh, never shows env values to the
 * browser, and never rewrites a file it cannot parse.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  addServer,
  AllowlistError,
  configDir,
  readAllowlist,
  removeServer,
  serverInfos,
} from '../../../native/allowlist.js';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const SECRET = 'sk-live-do-not-leak';

describe('allowlist', () => {
  it('adds, lists, replaces and removes servers', () => {
    const dir = join(tempDir(), 'nested', 'nexus-bridge');
    expect(readAllowlist(dir)).toEqual({ path: join(dir, 'allowlist.json'), servers: new Map() });

    const added = addServer(dir, 'github', {
      command: 'npx',
      args: ['-y', 'pkg'],
      env: { API_KEY: SECRET },
    });
    expect(added).toMatchObject({ replaced: false });
    addServer(dir, 'files', { command: '/usr/bin/files', args: [], env: {} });
    expect(serverInfos(readAllowlist(dir))).toEqual([
      { name: 'github', command: 'npx', args: ['-y', 'pkg'], envKeys: ['API_KEY'] },
      { name: 'files', command: '/usr/bin/files', args: [], envKeys: [] },
    ]);

    const replaced = addServer(dir, 'github', { command: 'gh-mcp', args: [], env: {} });
    expect(replaced).toMatchObject({ replaced: true, previous: { command: 'npx' } });
    expect(readAllowlist(dir).servers.get('github')).toEqual({
      command: 'gh-mcp',
      args: [],
      env: {},
    });

    expect(removeServer(dir, 'github').removed).toBe(true);
    expect(removeServer(dir, 'github').removed).toBe(false);
    expect([...readAllowlist(dir).servers.keys()]).toEqual(['files']);
  });

  it('writes the file 0600 in a 0700 directory (env values are API keys)', () => {
    const dir = join(tempDir(), 'nexus-bridge');
    addServer(dir, 'github', { command: 'npx', args: [], env: { API_KEY: SECRET } });
    if (process.platform === 'win32') return;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'allowlist.json')).mode & 0o777).toBe(0o600);
  });

  it('never puts env values in what the browser sees', () => {
    const dir = tempDir();
    addServer(dir, 'github', { command: 'npx', args: [], env: { API_KEY: SECRET, B: 'b-value' } });
    const infos = serverInfos(readAllowlist(dir));
    expect(infos).toEqual([
      { name: 'github', command: 'npx', args: [], envKeys: ['API_KEY', 'B'] },
    ]);
    expect(JSON.stringify(infos)).not.toContain(SECRET);
    expect(JSON.stringify(infos)).not.toContain('b-value');
  });

  it('refuses a bad name', () => {
    const dir = tempDir();
    for (const name of ['GitHub', 'a__b', '-x', '', 'x'.repeat(33), 'a b', '__proto__']) {
      expect(() => addServer(dir, name, { command: 'x', args: [], env: {} })).toThrow(
        AllowlistError,
      );
    }
    expect(() => addServer(dir, 'Bad', { command: 'x', args: [], env: {} })).toThrow(
      /'Bad' cannot be a server name: use 1 to 32 lowercase letters/,
    );
  });

  it('keeps a file that is not JSON byte for byte, and says which file to fix', () => {
    const dir = tempDir();
    const path = join(dir, 'allowlist.json');
    const broken = '{ "servers": { "github": { "command": "npx", } }\n// my notes\n';
    writeFileSync(path, broken);

    const read = readAllowlist(dir);
    expect(read.servers.size).toBe(0);
    expect(read.problem).toContain(`${path} is not valid JSON`);

    expect(() => addServer(dir, 'files', { command: 'x', args: [], env: {} })).toThrow(
      new RegExp(`${path.replaceAll('\\', '\\\\')} is not valid JSON.*fix it.*Nothing was changed`),
    );
    expect(() => removeServer(dir, 'github')).toThrow(AllowlistError);
    expect(readFileSync(path, 'utf8')).toBe(broken);
  });

  it('reports entries of a bad shape and uses only the good ones', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'allowlist.json'),
      JSON.stringify({
        servers: {
          good: { command: 'npx', args: ['-y', 'pkg'] },
          'Bad Name': { command: 'x' },
          numbers: { command: 'x', args: [1, 2] },
          secret: { command: 'x', env: { KEY: 42 } },
          nocommand: { args: [] },
          extra: { command: 'x', cwd: '/tmp' },
          array: ['npx'],
        },
      }),
    );
    const read = readAllowlist(dir);
    expect([...read.servers.keys()]).toEqual(['good']);
    for (const words of [
      "'Bad Name' cannot be a server name",
      `'numbers': "args" must be an array of strings`,
      `'secret': env "KEY" must be a string`,
      `'nocommand': "command" must be a non-empty string`,
      `'extra' has "cwd"`,
      `'array' must be an object`,
    ]) {
      expect(read.problem).toContain(words);
    }
  });

  it('reports a file of the wrong shape', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'allowlist.json'), '{"servers": ["npx"]}');
    expect(readAllowlist(dir).problem).toContain('"servers" must be an object');
    writeFileSync(join(dir, 'allowlist.json'), '[]');
    expect(readAllowlist(dir).problem).toContain('must hold a JSON object');
    expect(() => addServer(dir, 'x', { command: 'x', args: [], env: {} })).toThrow(/Nothing was/);
  });

  it('lives in $NEXUS_BRIDGE_CONFIG, else in the platform config dir', () => {
    expect(configDir({ NEXUS_BRIDGE_CONFIG: '/c' }, 'linux', '/home/p')).toBe('/c');
    expect(configDir({}, 'linux', '/home/p')).toBe('/home/p/.config/nexus-bridge');
    expect(configDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/home/p')).toBe('/x/nexus-bridge');
    expect(configDir({}, 'darwin', '/Users/p')).toBe(
      '/Users/p/Library/Application Support/nexus-bridge',
    );
    expect(configDir({ APPDATA: 'C:\\Users\\p\\AppData\\Roaming' }, 'win32', 'C:\\Users\\p')).toBe(
      'C:\\Users\\p\\AppData\\Roaming\\nexus-bridge',
    );
  });
});
