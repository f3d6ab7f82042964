/**
 * Where `nexus-bridge install` puts the host manifest for each browser and platform (Chrome's
 * documented locations), checked here for every platform from whichever one runs the tests.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultBrowsers,
  install,
  launcherFor,
  manifestFor,
  regAddLine,
  targetFor,
  type Place,
} from '../../../native/install.js';
import { removeTempDirs, tempDir } from './helpers.ts';

afterEach(removeTempDirs);

const linux: Place = {
  platform: 'linux',
  home: '/home/p',
  env: {},
  configDir: '/home/p/.config/nexus-bridge',
};
const mac: Place = { platform: 'darwin', home: '/Users/p', env: {}, configDir: '/Users/p/cfg' };
const windows: Place = {
  platform: 'win32',
  home: 'C:\\Users\\p',
  env: { APPDATA: 'C:\\Users\\p\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\p\\AppData\\Local' },
  configDir: 'C:\\Users\\p\\AppData\\Roaming\\nexus-bridge',
};

describe('install', () => {
  it('knows where each browser looks on Linux and macOS', () => {
    const where = (place: Place) =>
      (['chrome', 'chromium', 'edge', 'brave', 'firefox'] as const).map(
        (browser) => targetFor(browser, place).manifest,
      );
    expect(where(linux)).toEqual([
      '/home/p/.config/google-chrome/NativeMessagingHosts/dev.nexus.bridge.json',
      '/home/p/.config/chromium/NativeMessagingHosts/dev.nexus.bridge.json',
      '/home/p/.config/microsoft-edge/NativeMessagingHosts/dev.nexus.bridge.json',
      '/home/p/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/dev.nexus.bridge.json',
      '/home/p/.mozilla/native-messaging-hosts/dev.nexus.bridge.json',
    ]);
    const support = '/Users/p/Library/Application Support';
    expect(where(mac)).toEqual([
      `${support}/Google/Chrome/NativeMessagingHosts/dev.nexus.bridge.json`,
      `${support}/Chromium/NativeMessagingHosts/dev.nexus.bridge.json`,
      `${support}/Microsoft Edge/NativeMessagingHosts/dev.nexus.bridge.json`,
      `${support}/BraveSoftware/Brave-Browser/NativeMessagingHosts/dev.nexus.bridge.json`,
      `${support}/Mozilla/NativeMessagingHosts/dev.nexus.bridge.json`,
    ]);
  });

  it('on Windows keeps the manifest in its config dir and says which registry key to set', () => {
    const target = targetFor('chrome', windows);
    expect(target.manifest).toBe(
      'C:\\Users\\p\\AppData\\Roaming\\nexus-bridge\\dev.nexus.bridge.json',
    );
    expect(regAddLine(target)).toBe(
      'REG ADD "HKCU\\Software\\Google\\Chrome\\NativeMessagingHosts\\dev.nexus.bridge" /ve /t REG_SZ /d "C:\\Users\\p\\AppData\\Roaming\\nexus-bridge\\dev.nexus.bridge.json" /f',
    );
    const launcher = launcherFor(
      windows,
      'C:\\node\\node.exe',
      'C:\\repo\\native\\bin\\nexus-bridge.js',
    );
    expect(launcher.path).toBe(
      'C:\\Users\\p\\AppData\\Roaming\\nexus-bridge\\nexus-bridge-host.bat',
    );
    expect(launcher.text).toContain(
      '"C:\\node\\node.exe" "C:\\repo\\native\\bin\\nexus-bridge.js" host %*',
    );
  });

  it('quotes the launcher for sh, whatever the paths hold', () => {
    const { text } = launcherFor(
      linux,
      "/opt/it's node/bin/node",
      '/repo $HOME/bin/nexus-bridge.js',
    );
    expect(text).toContain(
      `exec '/opt/it'\\''s node/bin/node' '/repo $HOME/bin/nexus-bridge.js' host "$@"`,
    );
  });

  it('names the extension in allowed_origins, and Firefox by its extension id', () => {
    expect(manifestFor('edge', '/l', 'abcdefghijklmnopabcdefghijklmnop')).toMatchObject({
      name: 'dev.nexus.bridge',
      path: '/l',
      type: 'stdio',
      allowed_origins: ['chrome-extension://abcdefghijklmnopabcdefghijklmnop/'],
    });
    const firefox = manifestFor('firefox', '/l', 'abcdefghijklmnopabcdefghijklmnop');
    expect(firefox).toMatchObject({ allowed_extensions: ['nexus-bridge@nexus'] });
    expect(firefox).not.toHaveProperty('allowed_origins');
  });

  it('installs for every Chromium browser that was run here, else for Chrome', () => {
    const home = tempDir();
    const place: Place = { platform: 'linux', home, env: {}, configDir: join(home, 'cfg') };
    expect(defaultBrowsers(place)).toEqual(['chrome']);
    mkdirSync(join(home, '.config', 'chromium'), { recursive: true });
    mkdirSync(join(home, '.config', 'BraveSoftware', 'Brave-Browser'), { recursive: true });
    expect(defaultBrowsers(place)).toEqual(['chromium', 'brave']);

    const lines = install({
      place,
      node: '/usr/bin/node',
      bin: '/repo/native/bin/nexus-bridge.js',
    });
    expect(lines.filter((line) => line.startsWith('wrote the'))).toEqual([
      `wrote the host launcher ${join(home, 'cfg', 'nexus-bridge-host')}`,
      `wrote the chromium host manifest ${join(home, '.config/chromium/NativeMessagingHosts/dev.nexus.bridge.json')} (allows chrome-extension://ecegeiokejnenlkhcmkmcadbhbimbhai/)`,
      `wrote the brave host manifest ${join(home, '.config/BraveSoftware/Brave-Browser/NativeMessagingHosts/dev.nexus.bridge.json')} (allows chrome-extension://ecegeiokejnenlkhcmkmcadbhbimbhai/)`,
    ]);
  });
});
