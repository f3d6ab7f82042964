/**
 * The consent decision table (src/hub/policy/decide.ts): the client's standing first, then the
 * server it may see, the pin, "off for everyone", its own grant (and its expiry), a grant for
 * everyone, and last the defaults by annotation — each row with the rule the audit names.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CONSENT_SETTINGS,
  type ClientRecord,
  type ConsentSettings,
  type Grant,
} from '../../../../src/protocol/consent.ts';
import {
  decide,
  toolDefaultRule,
  type Item,
  type Standing,
} from '../../../../src/hub/policy/decide.ts';

const NOW = 1_800_000_000_000;
const client: ClientRecord = {
  origin: 'http://127.0.0.1:5173',
  clientName: 'chat',
  state: 'approved',
  decidedAt: NOW - 1,
};
const tool = (annotations?: Item['annotations'], extra: Partial<Item> = {}): Item => ({
  serverId: 's1',
  target: 'tool',
  name: 'delete_repo',
  ...(annotations ? { annotations } : {}),
  ...extra,
});
const grant = (permission: Grant['permission'], extra: Partial<Grant> = {}): Grant => ({
  client: { origin: client.origin, clientName: client.clientName },
  serverId: 's1',
  target: 'tool',
  name: 'delete_repo',
  permission,
  grantedAt: NOW - 10,
  ...extra,
});
function standing(extra: Partial<Standing> = {}): Standing {
  return {
    settings: DEFAULT_CONSENT_SETTINGS,
    client,
    grant: undefined,
    everyone: undefined,
    now: NOW,
    ...extra,
  };
}
const settingsWith = (change: Partial<ConsentSettings>): ConsentSettings => ({
  ...DEFAULT_CONSENT_SETTINGS,
  ...change,
});

describe('decide: the client comes first', () => {
  it('a client never decided about waits for approval while new clients are asked about', () => {
    expect(decide(tool(), standing({ client: undefined }))).toMatchObject({
      decision: 'deny',
      rule: 'client-waiting',
      reason: expect.stringMatching(/waiting for approval in Nexus/),
    });
  });

  it('follows the new-client default when it is allow or deny', () => {
    const allow = settingsWith({ newClients: 'allow' });
    const deny = settingsWith({ newClients: 'deny' });
    const readOnly = tool({ readOnlyHint: true });
    expect(decide(readOnly, standing({ client: undefined, settings: allow }))).toEqual({
      decision: 'allow',
      rule: 'default:read-only',
    });
    expect(decide(readOnly, standing({ client: undefined, settings: deny })).rule).toBe(
      'default:new-client',
    );
  });

  it('a denied client is denied even what a grant allows', () => {
    const refused = { ...client, state: 'denied' as const };
    expect(decide(tool(), standing({ client: refused, grant: grant('allow') })).rule).toBe(
      'client-denied',
    );
  });

  it('a client limited to some servers is denied the others', () => {
    const limited = { ...client, servers: ['s2'] };
    expect(decide(tool(), standing({ client: limited, grant: grant('allow') })).rule).toBe(
      'server-not-allowed',
    );
    expect(decide(tool(undefined, { serverId: 's2' }), standing({ client: limited })).rule).toBe(
      'default:other',
    );
  });
});

describe('decide: then the pin, the grants, the defaults', () => {
  it('a changed pin blocks even a tool granted "always"', () => {
    expect(
      decide(tool(undefined, { pinChanged: true }), standing({ grant: grant('allow') })),
    ).toMatchObject({ decision: 'deny', rule: 'pin-changed' });
  });

  it('off for everyone beats the client grant; a grant for everyone that allows does not', () => {
    const off = grant('deny', { client: undefined });
    expect(decide(tool(), standing({ grant: grant('allow'), everyone: off })).rule).toBe(
      'off-for-everyone',
    );
    const on = grant('allow', { client: undefined });
    expect(decide(tool(), standing({ grant: grant('ask'), everyone: on }))).toEqual({
      decision: 'ask',
      rule: 'grant',
    });
    expect(decide(tool(), standing({ everyone: on }))).toEqual({
      decision: 'allow',
      rule: 'grant:everyone',
    });
  });

  it('an expired grant no longer applies', () => {
    const lapsed = grant('allow', { expiresAt: NOW });
    expect(decide(tool({ destructiveHint: true }), standing({ grant: lapsed }))).toEqual({
      decision: 'ask',
      rule: 'default:destructive',
    });
    const live = grant('allow', { expiresAt: NOW + 1 });
    expect(decide(tool({ destructiveHint: true }), standing({ grant: live })).decision).toBe(
      'allow',
    );
  });

  it.each([
    [{ readOnlyHint: true }, 'allow', 'default:read-only'],
    [{ destructiveHint: true }, 'ask', 'default:destructive'],
    [{ readOnlyHint: true, openWorldHint: true }, 'ask', 'default:open-world'],
    [{ destructiveHint: true, openWorldHint: true }, 'ask', 'default:destructive'],
    [{}, 'ask', 'default:other'],
    [undefined, 'ask', 'default:other'],
  ] as const)('a tool annotated %j defaults to %s (%s)', (annotations, decision, rule) => {
    expect(decide(tool(annotations), standing())).toMatchObject({ decision, rule });
  });

  it('every default is the settings’, and a default deny says the person does not allow it', () => {
    const strict = settingsWith({
      tools: { ...DEFAULT_CONSENT_SETTINGS.tools, 'read-only': 'deny' },
      prompts: 'ask',
      resources: 'deny',
    });
    expect(decide(tool({ readOnlyHint: true }), standing({ settings: strict }))).toMatchObject({
      decision: 'deny',
      rule: 'default:read-only',
      reason: 'the person does not allow it',
    });
    const prompt: Item = { serverId: 's1', target: 'prompt', name: 'p' };
    const resource: Item = { serverId: 's1', target: 'resource', name: 'memo://x' };
    expect(decide(prompt, standing({ settings: strict }))).toEqual({
      decision: 'ask',
      rule: 'default:prompt',
    });
    expect(decide(resource, standing({ settings: strict })).decision).toBe('deny');
    expect(decide(resource, standing()).decision).toBe('allow');
  });

  it('reads a destructive hint only when it says true', () => {
    expect(toolDefaultRule({ destructiveHint: false, readOnlyHint: false })).toBe('other');
    expect(toolDefaultRule({ readOnlyHint: true, destructiveHint: true })).toBe('destructive');
  });
});
