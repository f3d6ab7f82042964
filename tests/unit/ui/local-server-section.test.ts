/**
 * A local server's page: the name nexus-bridge knows it by, its add line with a Copy button, and
 * what it wrote on stderr, oldest first with the time of each line, in a region a screen reader
 * finds by name.
 */
import { describe, expect, it } from 'vitest';
import type { ServerDetail } from '../../../src/protocol/views.ts';
import LocalServerSection from '../../../src/ui/servers/LocalServerSection.svelte';
import { HubState } from '../../../src/ui/state/hub.svelte.ts';
import { localServer } from './fake-hub.ts';
import { renderWithHub } from './render.ts';

function detail(patch: Partial<ServerDetail> = {}, allowlisted?: boolean): ServerDetail {
  return {
    ...localServer('files', allowlisted),
    toolDetails: [],
    prompts: [],
    resources: [],
    templates: [],
    ...patch,
  };
}

function page(server: ServerDetail) {
  return renderWithHub(LocalServerSection, new HubState(), { server });
}

describe("a local server's page", () => {
  it('names it as nexus-bridge does and offers its add line to copy', () => {
    const shown = page(detail({}, false));
    expect(shown.html).toMatch(/<h3[^>]*>Local server<\/h3>/);
    expect(shown.html).toMatch(/<h4[^>]*>Output on stderr<\/h4>/);
    expect(shown.text).toContain('Name in nexus-bridge files Allowlisted no');
    expect(shown.code).toContain(localServer('files').local?.addLine);
    expect(shown.buttons.map((button) => button.name)).toContain(
      'Copy the nexus-bridge add line for files',
    );
  });

  it('shows its stderr lines oldest first, each with its time', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5);
    const shown = page(
      detail({
        localLog: [
          { at, stream: 'stderr', line: 'Secure MCP Filesystem Server running on stdio' },
          { at: at + 1000, stream: 'stdout', line: 'not json <b>' },
        ],
      }),
    );
    expect(shown.html).toMatch(/role="region"[^>]*aria-label="Stderr of files"/);
    expect(shown.html).toContain(`datetime="${new Date(at).toISOString()}"`);
    const first = shown.text.indexOf('Secure MCP Filesystem Server running on stdio');
    const second = shown.text.indexOf('(stdout) not json <b>');
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(shown.text).not.toContain('No output yet');
  });

  it('says No output yet before the server wrote anything', () => {
    const shown = page(detail({ localLog: [] }));
    expect(shown.text).toContain('No output yet.');
    expect(shown.html).not.toContain('Stderr of files');
  });
});
