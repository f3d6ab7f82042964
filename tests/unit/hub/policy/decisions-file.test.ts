/**
 * The decisions file and the checks on what the dashboard sends (src/hub/policy/decisions-file.ts):
 * a round trip keeps every client, grant and setting; a hostile or malformed file is refused
 * whole with the first problem named; settings fill what is missing with the defaults.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONSENT_SETTINGS } from '../../../../src/protocol/consent.ts';
import {
  DecisionsError,
  readDecisions,
  readGrant,
  readSettings,
  writeDecisions,
} from '../../../../src/hub/policy/decisions-file.ts';
import type { GrantSnapshot } from '../../../../src/hub/ports.ts';

const snapshot: GrantSnapshot = {
  clients: [
    {
      origin: 'http://127.0.0.1:5173',
      clientName: 'chat',
      state: 'approved',
      servers: ['s1'],
      label: 'My chat',
      decidedAt: 1,
    },
    { origin: 'http://127.0.0.1:5173', clientName: 'spam', state: 'denied', decidedAt: 2 },
  ],
  grants: [
    {
      client: { origin: 'http://127.0.0.1:5173', clientName: 'chat' },
      serverId: 's1',
      target: 'tool',
      name: 'wipe',
      permission: 'allow',
      expiresAt: 99,
      grantedAt: 3,
    },
    { serverId: 's1', target: 'resource', name: 'memo://x', permission: 'deny', grantedAt: 4 },
  ],
  settings: { ...DEFAULT_CONSENT_SETTINGS, newClients: 'deny' },
};

describe('the decisions file', () => {
  it('reads back what it wrote', () => {
    expect(readDecisions(writeDecisions(snapshot))).toEqual(snapshot);
  });

  it.each([
    ['not JSON', '{', /not a JSON file/],
    ['another format', '{"format":"x"}', /not a Nexus decisions file/],
    [
      'a list where a list is wanted',
      '{"format":"nexus-decisions/1","clients":{}}',
      /"clients" must be a list/,
    ],
    [
      'a grant with an unknown permission',
      JSON.stringify({
        format: 'nexus-decisions/1',
        grants: [{ ...snapshot.grants[1], permission: 'maybe' }],
      }),
      /grants\[0\]\.permission must be one of allow, ask, deny/,
    ],
    [
      'a client name that is not a string',
      JSON.stringify({
        format: 'nexus-decisions/1',
        clients: [{ ...snapshot.clients[0], clientName: { x: 1 } }],
      }),
      /clients\[0\]\.clientName must be a string/,
    ],
    [
      'a huge origin',
      JSON.stringify({
        format: 'nexus-decisions/1',
        clients: [{ ...snapshot.clients[0], origin: 'o'.repeat(5000) }],
      }),
      /clients\[0\]\.origin must be a string of at most 2048/,
    ],
    [
      'servers that are not ids',
      JSON.stringify({
        format: 'nexus-decisions/1',
        clients: [{ ...snapshot.clients[0], servers: [1] }],
      }),
      /servers must be a list of server ids/,
    ],
    [
      'a setting out of range',
      JSON.stringify({ format: 'nexus-decisions/1', settings: { audit: { keepDays: 0 } } }),
      /keepDays must be a whole number from 1/,
    ],
  ])('refuses %s', (_what, text, problem) => {
    expect(() => readDecisions(text)).toThrow(DecisionsError);
    expect(() => readDecisions(text)).toThrow(problem);
  });

  it('does not let "__proto__" in a file reach an object prototype', () => {
    const read = readDecisions(
      '{"format":"nexus-decisions/1","settings":{"__proto__":{"newClients":"allow"}}}',
    );
    expect(read.settings?.newClients).toBe('ask');
    expect(({} as Record<string, unknown>).newClients).toBeUndefined();
  });
});

describe('values from the dashboard', () => {
  it('fills missing settings with the defaults and refuses wrong types', () => {
    expect(readSettings({ tools: { destructive: 'deny' } })).toEqual({
      ...DEFAULT_CONSENT_SETTINGS,
      tools: { ...DEFAULT_CONSENT_SETTINGS.tools, destructive: 'deny' },
    });
    expect(() => readSettings({ audit: { storeArguments: 'yes' } })).toThrow(/true or false/);
    expect(() => readSettings(null)).toThrow(/must be an object/);
  });

  it('reads a grant for everyone and one for a client', () => {
    expect(readGrant({ serverId: 's', target: 'tool', name: 't', permission: 'deny' })).toEqual({
      serverId: 's',
      target: 'tool',
      name: 't',
      permission: 'deny',
    });
    expect(() =>
      readGrant({ serverId: 's', target: 'file', name: 't', permission: 'deny' }),
    ).toThrow(/target must be one of tool, prompt, resource/);
  });
});
