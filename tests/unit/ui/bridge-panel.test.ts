/**
 * The Servers page's "Local servers" panel: nexus-bridge's state in words (with a glyph, never
 * colour alone), the install steps while it is not connected, and once it is, the allowlisted
 * servers with an Add button each, Refresh, and what is wrong with the allowlist file.
 */
import { describe, expect, it } from 'vitest';
import type { BridgeView } from '../../../src/protocol/views.ts';
import BridgePanel from '../../../src/ui/servers/BridgePanel.svelte';
import { HubState } from '../../../src/ui/state/hub.svelte.ts';
import { localServer, serverView } from './fake-hub.ts';
import { renderWithHub } from './render.ts';

const INSTALL_STEPS = [
  'In a terminal, in the Nexus folder, run: npm run bridge -- install',
  'In this browser, open chrome://extensions, turn on Developer mode, press Load unpacked and choose the extension/ folder of Nexus.',
  'Reload this page.',
];

const CONNECTED: BridgeView = {
  state: 'connected',
  hostVersion: '0.3.1',
  extensionVersion: '1.2.0',
  allowlist: '/home/ada/.config/nexus-bridge/allowlist.json',
  servers: [
    {
      name: 'files',
      command: 'npx',
      args: ['-y', '@modelcontextprotocol/server-filesystem', '/home/ada/My Documents'],
      envKeys: [],
    },
    { name: 'github', command: 'github-mcp', args: ['stdio'], envKeys: ['GITHUB_TOKEN', 'ORG'] },
  ],
};

function panel(view: BridgeView, servers = [serverView({ id: 'r1', name: 'remote' })]) {
  const hub = new HubState();
  hub.bridge.view = view;
  hub.servers = servers;
  return renderWithHub(BridgePanel, hub);
}

function expectInstallSteps(text: string): void {
  for (const step of INSTALL_STEPS) expect(text).toContain(step);
}

describe('the Local servers panel', () => {
  it('says the extension is missing, what Nexus found, and how to install both parts', () => {
    const shown = panel({
      state: 'no-extension',
      detail: 'chrome.runtime is not available on this page',
      servers: [],
    });
    expect(shown.html).toMatch(/<h2[^>]*>Local servers<\/h2>/);
    expect(shown.text).toContain('▲ The Nexus bridge extension is not installed in this browser');
    expect(shown.text).toContain('What Nexus found: chrome.runtime is not available on this page');
    expectInstallSteps(shown.text);
    // The steps are an ordered list, open once something is known to be missing.
    expect(shown.html).toMatch(/<details open[^>]*>/);
    expect(shown.html).toMatch(/<ol[^>]*data-testid="install-steps"/);
    expect(shown.buttons).toContainEqual({
      name: 'Copy the command that installs nexus-bridge',
      text: 'Copy',
      disabled: false,
    });
    expect(shown.buttons.map((button) => button.text)).not.toContain('Refresh');
  });

  it('says the extension is installed, with its version, but nexus-bridge is not', () => {
    const shown = panel({
      state: 'no-host',
      extensionVersion: '1.2.0',
      detail: 'Specified native messaging host not found.',
      servers: [],
    });
    expect(shown.text).toContain('▲ The extension is installed (1.2.0) but nexus-bridge is not');
    expect(shown.text).toContain('What Nexus found: Specified native messaging host not found.');
    expectInstallSteps(shown.text);
  });

  it.each(['connecting', 'no-relay'] as const)(
    'while %s, says it is connecting and keeps the install steps folded',
    (state) => {
      const shown = panel({ state, servers: [] });
      expect(shown.text).toContain('◐ Connecting to nexus-bridge…');
      expectInstallSteps(shown.text);
      expect(shown.html).not.toMatch(/<details open/);
    },
  );

  it('connected: names both versions and the allowlist file, and lists what it allows', () => {
    const shown = panel(CONNECTED);
    expect(shown.text).toContain('● nexus-bridge 0.3.1 through the extension 1.2.0');
    expect(shown.code).toContain('/home/ada/.config/nexus-bridge/allowlist.json');
    expect(shown.text).not.toContain('Reload this page.');
    // Each server: its name, its command line as a terminal shows it, and the variables it sets.
    expect(shown.code).toContain(
      "npx -y @modelcontextprotocol/server-filesystem '/home/ada/My Documents'",
    );
    expect(shown.code).toContain('github-mcp stdio');
    expect(shown.text).toContain('sets GITHUB_TOKEN, ORG');
    expect(shown.html).toMatch(/<ul[^>]*aria-label="Servers in nexus-bridge's allowlist"/);
    expect(shown.buttons).toContainEqual({
      name: 'Add local server files',
      text: 'Add',
      disabled: false,
    });
    expect(shown.buttons).toContainEqual({
      name: 'Add local server github',
      text: 'Add',
      disabled: false,
    });
    expect(shown.buttons).toContainEqual({
      name: "Refresh nexus-bridge's allowlist",
      text: 'Refresh',
      disabled: false,
    });
  });

  it('shows a disabled Added for an allowlisted server that is a local server already', () => {
    const shown = panel(CONNECTED, [
      serverView({ id: 'r1', name: 'files' }),
      localServer('github'),
    ]);
    // A remote server called "files" is not the local one.
    expect(shown.buttons).toContainEqual({
      name: 'Add local server files',
      text: 'Add',
      disabled: false,
    });
    expect(shown.buttons).toContainEqual({
      name: 'Added local server github',
      text: 'Added',
      disabled: true,
    });
    expect(shown.buttons).not.toContainEqual(
      expect.objectContaining({ name: 'Add local server github', disabled: false }),
    );
  });

  it('shows an unreadable allowlist as an error, saying why and what to do', () => {
    const shown = panel({
      ...CONNECTED,
      servers: [],
      problem: 'line 3: Unexpected token } in JSON',
    });
    expect(shown.html).toMatch(/role="alert"[^>]*>\s*nexus-bridge could not read its allowlist/);
    expect(shown.text).toContain(
      'nexus-bridge could not read its allowlist: line 3: Unexpected token } in JSON. Fix the file, then press Refresh.',
    );
    expect(shown.text).not.toContain('The allowlist is empty');
  });

  it('shows the last refused frame with its time, pointing to the Audit page', () => {
    const at = new Date(2026, 11, 4, 9, 30, 15).getTime();
    const shown = panel({
      ...CONNECTED,
      lastRefusal: { at, text: 'nexus-bridge refused a frame: a frame of 70000000 bytes' },
    });
    expect(shown.text).toContain(
      `Refused at ${new Date(at).toLocaleTimeString()}: nexus-bridge refused a frame: a frame of 70000000 bytes.`,
    );
    expect(shown.text).toContain('The Audit page lists it under security events.');
  });

  it('explains how to allowlist a server when the allowlist is empty', () => {
    const shown = panel({ ...CONNECTED, servers: [] });
    expect(shown.text).toContain('The allowlist is empty.');
    expect(shown.code).toContain('npm run bridge -- add NAME -- COMMAND ARGS…');
    expect(shown.buttons.map((button) => button.text)).toEqual(['Refresh']);
  });
});
