/**
 * What the dashboard does with the person's consent (src/hub/admin/consent-admin.ts), on a hub
 * with a `ConsentPolicy`: answers are checked before they reach a waiting call (the admin API is
 * a boundary too); the Permissions view lists clients, grants and pins, and a changed definition
 * with its old and new text; rejecting it turns the tool off for everyone, accepting it re-pins
 * it; the decisions file goes out and comes back whole, or not at all; the Audit page's filters
 * and its JSON Lines export.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ConsentAdmin } from '../../../../src/hub/admin/consent-admin.ts';
import { CLIENT_APPROVAL, CONSENT } from '../../../../src/hub/person/consent.ts';
import type { Hub } from '../../../../src/hub/hub.ts';
import type { JournalEvent } from '../../../../src/protocol/consent.ts';
import {
  ORIGIN,
  approved,
  clientOf,
  closeConsentWorlds,
  hubOn,
  look,
  shopTools,
  waiting,
  world,
} from '../../../support/consent-hub.ts';
import { until } from '../../../support/until.ts';

afterEach(closeConsentWorlds);

const chat = { origin: ORIGIN, clientName: 'chat' };

function adminOf(hub: Hub): ConsentAdmin {
  if (!hub.consentAdmin) throw new Error('the hub has no consent admin');
  return hub.consentAdmin;
}

function shopId(hub: Hub): string {
  return hub.admin.listServers().find((server) => server.slug === 'shop')!.id;
}

describe('answers from the dashboard', () => {
  it('are checked before they reach the waiting call, which keeps waiting', async () => {
    const { hub } = await hubOn(world());
    const admin = adminOf(hub);
    await clientOf(hub);
    const approval = await waiting(hub, CLIENT_APPROVAL);
    expect(() =>
      admin.answerClientApproval(approval, { approve: 'yes' } as unknown as { approve: boolean }),
    ).toThrow(/approve: true/);
    expect(() =>
      admin.answerClientApproval(approval, {
        approve: true,
        servers: 'all',
      } as unknown as { approve: boolean }),
    ).toThrow(/servers must be a list/);
    expect(() => admin.answerConsent(approval, 'allow-once')).toThrow(/no longer waiting/);
    expect(admin.requests().approvals.map((request) => request.id)).toEqual([approval]);

    admin.answerClientApproval(approval, { approve: true, label: 'My chat' });
    await until(() => adminOf(hub).permissions().clients.length === 1, 'the client recorded');
    expect(admin.permissions().clients[0]).toMatchObject({ ...chat, label: 'My chat' });
    expect(admin.requests().approvals).toEqual([]);
  });

  it('a consent answer must be one of the four', async () => {
    const { hub } = await hubOn(world());
    const { client } = await approved(hub);
    const call = client.callTool({ name: 'shop__wipe', arguments: { reason: 'r' } });
    const id = await waiting(hub, CONSENT);
    expect(() =>
      adminOf(hub).answerConsent(
        id,
        'sure' as unknown as Parameters<ConsentAdmin['answerConsent']>[1],
      ),
    ).toThrow(/allow-once, allow-always, deny, deny-always/);
    expect(hub.person.get(id)).toBeDefined();
    adminOf(hub).answerConsent(id, 'allow-always');
    await call;
    expect(adminOf(hub).permissions().grants).toMatchObject([
      { client: chat, serverId: shopId(hub), target: 'tool', name: 'wipe', permission: 'allow' },
    ]);
  });
});

describe('the Permissions view', () => {
  it("lists a server's tools with the default that applies and the grant, per client or for everyone", async () => {
    const { hub } = await hubOn(world());
    await approved(hub);
    const admin = adminOf(hub);
    const serverId = shopId(hub);
    await admin.setGrant({ serverId, target: 'tool', name: 'look', permission: 'deny' });
    await admin.setGrant({
      client: chat,
      serverId,
      target: 'tool',
      name: 'wipe',
      permission: 'allow',
    });
    expect(admin.switches(serverId, 'tool')).toEqual([
      expect.objectContaining({
        name: 'look',
        rule: 'read-only',
        defaultPermission: 'allow',
        grant: 'deny',
      }),
      expect.objectContaining({
        name: 'wipe',
        rule: 'destructive',
        defaultPermission: 'ask',
        blocked: false,
      }),
    ]);
    expect(admin.switches(serverId, 'tool')[1]!.grant).toBeUndefined();
    expect(admin.switches(serverId, 'tool', chat).map((tool) => tool.grant)).toEqual([
      undefined,
      'allow',
    ]);
    expect(() => admin.switches('nope', 'tool')).toThrow(/no server nope/);
  });

  it('shows a changed definition beside the pinned one; "keep blocked" turns it off for everyone', async () => {
    const { hub, policy } = await hubOn(world());
    const { client } = await approved(hub);
    const serverId = shopId(hub);
    await until(() => policy.pins.get(serverId, 'look') !== undefined, 'look pinned');
    expect(adminOf(hub).permissions().pins).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ serverSlug: 'shop', tool: 'look', changed: false }),
      ]),
    );

    look!.update({ description: 'Looks, and mails what it saw.' });
    await until(() => policy.pins.blocked(serverId, 'look'), 'look blocked');
    const [review] = adminOf(hub).permissions().reviews;
    expect(review).toMatchObject({ serverSlug: 'shop', tool: 'look' });
    expect(review!.before).toContain('"description": "Looks at the shop."');
    expect(review!.after).toContain('"description": "Looks, and mails what it saw."');
    expect(adminOf(hub).requests().changedDefinitions).toBe(1);

    await adminOf(hub).rejectDefinition(serverId, 'look');
    expect(adminOf(hub).permissions().grants).toMatchObject([
      { serverId, target: 'tool', name: 'look', permission: 'deny' },
    ]);
    expect(adminOf(hub).permissions().grants[0]!.client).toBeUndefined();
    expect(await shopTools(client)).toEqual(['shop__wipe']);
  });

  it('accepting the change pins the new definition and unblocks the tool', async () => {
    const { hub, policy } = await hubOn(world());
    const { client } = await approved(hub);
    const serverId = shopId(hub);
    await until(() => policy.pins.get(serverId, 'look') !== undefined, 'look pinned');
    look!.update({ description: 'Looks twice.' });
    await until(() => policy.pins.blocked(serverId, 'look'), 'look blocked');
    await expect(adminOf(hub).approveDefinition(serverId, 'nothing')).rejects.toThrow(
      /does not list a tool 'nothing'/,
    );
    await adminOf(hub).approveDefinition(serverId, 'look');
    expect(adminOf(hub).permissions().reviews).toEqual([]);
    expect(policy.pins.get(serverId, 'look')).toMatchObject({ by: 'person' });
    expect(await shopTools(client)).toEqual(['shop__look', 'shop__wipe']);
  });
});

describe('revoking every client', () => {
  it('refuses every approved client in one decision and ends their sessions', async () => {
    const { hub } = await hubOn(world());
    const first = await approved(hub);
    const second = await approved(hub, 'other');
    const closed = Promise.all(
      [first.client, second.client].map(
        (client) => new Promise<void>((resolve) => (client.onclose = resolve)),
      ),
    );
    await adminOf(hub).revokeAll();
    await closed;
    expect(
      adminOf(hub)
        .permissions()
        .clients.map((client) => client.state),
    ).toEqual(['denied', 'denied']);
  });
});

describe('the decisions file', () => {
  it('goes out and comes back; a malformed one changes nothing', async () => {
    const { hub } = await hubOn(world());
    await approved(hub);
    const admin = adminOf(hub);
    await admin.setGrant({
      client: chat,
      serverId: shopId(hub),
      target: 'tool',
      name: 'wipe',
      permission: 'deny',
    });
    const file = admin.exportDecisions();
    await admin.revokeClient(chat);
    expect(admin.permissions().grants).toEqual([]);

    await expect(
      admin.importDecisions('{"format":"nexus-decisions/1","clients":{}}'),
    ).rejects.toThrow(/"clients" must be a list/);
    expect(admin.permissions().clients).toMatchObject([{ ...chat, state: 'denied' }]);

    await admin.importDecisions(file);
    expect(admin.permissions().clients).toMatchObject([{ ...chat, state: 'approved' }]);
    expect(admin.permissions().grants).toMatchObject([{ name: 'wipe', permission: 'deny' }]);
  });
});

describe('the Audit page', () => {
  it('filters by client, server, item, decision and time, newest first, and exports JSON Lines oldest first', async () => {
    const { hub } = await hubOn(world());
    const { client } = await approved(hub);
    const other = await approved(hub, 'other');
    await client.callTool({ name: 'shop__look', arguments: {} });
    const refused = client.callTool({ name: 'shop__wipe', arguments: { reason: 'r' } });
    hub.person.answer(await waiting(hub, CONSENT), 'deny');
    await expect(refused).rejects.toThrow(/said no/);
    await other.client.callTool({ name: 'shop__look', arguments: {} });
    const admin = adminOf(hub);

    const looks = await admin.auditEvents({ target: 'LOOK' });
    expect(looks.map((event) => event.clientName)).toEqual(['other', 'chat']);
    expect(
      (await admin.auditEvents({ client: 'chat', decision: 'deny' })).map((e) => e.target),
    ).toEqual(['shop__wipe']);
    expect(await admin.auditEvents({ server: 'elsewhere' })).toEqual([]);
    expect(await admin.auditEvents({ target: 'look', from: Date.now() + 60_000 })).toEqual([]);
    // The page's search box: any word of a row (client, server, tool, event), and the outcome.
    expect(
      (await admin.auditEvents({ text: 'OTHER' })).every((e) => e.clientName === 'other'),
    ).toBe(true);
    const wipes = await admin.auditEvents({ text: 'shop__wi' });
    expect(wipes.length > 0 && wipes.every((e) => e.target === 'shop__wipe')).toBe(true);
    expect((await admin.auditEvents({ text: 'shop', outcome: 'ok' })).map((e) => e.target)).toEqual(
      ['shop__look', 'shop__look'],
    );
    // The refusal has a decision, not an outcome: no call here ran and failed.
    expect(await admin.auditEvents({ outcome: 'error' })).toEqual([]);
    expect((await admin.auditEvents({ kind: 'security', target: 'wipe' }))[0]).toMatchObject({
      rule: 'person:deny',
      serverSlug: 'shop',
    });

    const lines = (await admin.exportAudit({ target: 'look' })).split('\n');
    const exported = lines.map((line) => JSON.parse(line) as JournalEvent);
    expect(exported.map((event) => event.clientName)).toEqual(['chat', 'other']);
    expect(exported.every((event) => event.method === 'tools/call' && event.outcome === 'ok')).toBe(
      true,
    );
  });
});
