/**
 * A local server's card: its transport reads "local", and until nexus-bridge's allowlist has it,
 * the card shows the `nexus-bridge add` line to paste into a terminal with a Copy button named
 * for the server. Copy writes that line to the clipboard and says how it went.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import ServerList from '../../../src/ui/servers/ServerList.svelte';
import { Copier } from '../../../src/ui/state/copy.svelte.ts';
import { HubState } from '../../../src/ui/state/hub.svelte.ts';
import type { ServerView } from '../../../src/protocol/views.ts';
import { localServer, serverView } from './fake-hub.ts';
import { renderWithHub } from './render.ts';

const PASTE =
  'Paste this line into a terminal to let nexus-bridge run it, then press Refresh under Local servers.';

function cards(servers: ServerView[]) {
  const hub = new HubState();
  hub.servers = servers;
  hub.loaded = true;
  return renderWithHub(ServerList, hub);
}

/** A stand-in for `navigator.clipboard` that keeps what was written. */
function stubClipboard(writeText: (text: string) => Promise<void>) {
  const clipboard = { writeText: vi.fn(writeText) };
  vi.stubGlobal('navigator', { clipboard });
  return clipboard;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("a local server's card", () => {
  it('shows its add line with a Copy button named for it until the allowlist has it', () => {
    const files = localServer('files');
    const shown = cards([files]);
    expect(shown.text).toContain('Transport local');
    expect(shown.html).toMatch(/data-testid="note"[^>]*>needs the local bridge</);
    expect(shown.code).toContain(files.local?.addLine);
    expect(shown.code).toContain(
      "nexus-bridge add files --env 'API_KEY=<your API_KEY>' -- npx -y files",
    );
    expect(shown.buttons).toContainEqual({
      name: 'Copy the nexus-bridge add line for files',
      text: 'Copy',
      disabled: false,
    });
    expect(shown.text).toContain(PASTE);
  });

  it("shows the hub's note when the connected bridge does not allowlist it", () => {
    const shown = cards([localServer('files', false)]);
    expect(shown.html).toMatch(
      /data-testid="note"[^>]*>not in nexus-bridge's allowlist as 'files'</,
    );
    expect(shown.buttons.map((button) => button.name)).toContain(
      'Copy the nexus-bridge add line for files',
    );
  });

  it('shows no add line once the allowlist has it', () => {
    const shown = cards([localServer('files', true)]);
    expect(shown.text).toContain('Transport local');
    expect(shown.html).not.toContain('data-testid="note"');
    expect(shown.code.some((code) => code.startsWith('nexus-bridge add'))).toBe(false);
    expect(shown.text).not.toContain(PASTE);
  });

  it('a remote server shows its own transport and no add line', () => {
    const shown = cards([
      serverView({ id: 'r1', name: 'remote', activeTransport: 'streamable-http' }),
    ]);
    expect(shown.text).toContain('Transport Streamable HTTP');
    expect(shown.text).not.toContain('Transport local');
    expect(shown.buttons.some((button) => button.name.startsWith('Copy'))).toBe(false);
  });
});

describe('Copy', () => {
  it('writes the line to the clipboard and says Copied', async () => {
    const clipboard = stubClipboard(async () => undefined);
    const line = localServer('files').local!.addLine;
    const copier = new Copier();
    expect(await copier.copy(line)).toBe(true);
    expect(clipboard.writeText).toHaveBeenCalledWith(line);
    expect(copier.message).toBe('Copied.');
    expect(copier.failed).toBe(false);
  });

  it('says what failed, and what to do instead, when the browser refuses', async () => {
    stubClipboard(async () => {
      throw new DOMException('Document is not focused.', 'NotAllowedError');
    });
    const copier = new Copier();
    expect(await copier.copy('nexus-bridge add files -- npx files')).toBe(false);
    expect(copier.message).toBe(
      'The browser did not copy it: Document is not focused. Select the line and copy it.',
    );
    expect(copier.failed).toBe(true);
  });

  it('says so when the page may not use the clipboard at all', async () => {
    vi.stubGlobal('navigator', {});
    const copier = new Copier();
    expect(await copier.copy('nexus-bridge add files -- npx files')).toBe(false);
    expect(copier.message).toMatch(/does not let the page copy here.*select the line and copy it/);
  });
});
