/**
 * The consent decision table, pure: from what the person decided (the client's record, the
 * grants, the settings) and what the item is (its server, its annotations, its pin), the
 * permission and the rule that gave it. No store, no clock of its own: ./consent-policy.ts feeds
 * it, and tests/unit/hub/policy/decide.test.ts walks the table.
 *
 * In order, the first that applies wins:
 * 1. the client: not approved yet (`client-waiting`, or the new-client default) or denied;
 * 2. the server: outside the servers the client may see (`server-not-allowed`);
 * 3. the pin: a tool whose definition changed since it was approved (`pin-changed`);
 * 4. a grant for everyone that denies ("off for everyone": `off-for-everyone`);
 * 5. the client's own unexpired grant (`grant`);
 * 6. a grant for everyone that allows or asks (`grant:everyone`);
 * 7. the default from the settings, for tools by their annotations (`default:destructive`, …).
 */
import type { ToolAnnotations } from '@modelcontextprotocol/client';
import type {
  ClientRecord,
  ConsentSettings,
  Grant,
  GrantTarget,
  Permission,
  ToolDefaultRule,
} from '../../protocol/consent.ts';
import type { Verdict } from './policy.ts';

/** What is being decided about: one item of one server. */
export interface Item {
  serverId: string;
  target: GrantTarget;
  /** Upstream tool or prompt name, or resource URI. */
  name: string;
  /** A tool's annotations (the server's word), for its default. */
  annotations?: ToolAnnotations;
  /** A tool whose definition differs from its pin. */
  pinChanged?: boolean;
}

export interface Standing {
  settings: ConsentSettings;
  /** The client's record; undefined: never decided (the new-client default applies). */
  client: ClientRecord | undefined;
  /** The client's own grant for the item, and the grant for everyone, if any. */
  grant: Grant | undefined;
  everyone: Grant | undefined;
  now: number;
}

export const WAITING_FOR_APPROVAL =
  'it is waiting for approval in Nexus: the person approves new clients in the Nexus dashboard';

/** Whether a client may use Nexus at all, and see `serverId`; undefined when it may. */
export function clientVerdict(
  settings: ConsentSettings,
  client: ClientRecord | undefined,
  serverId?: string,
): Verdict | undefined {
  if (!client) {
    if (settings.newClients === 'allow') return undefined;
    if (settings.newClients === 'deny')
      return { decision: 'deny', rule: 'default:new-client', reason: 'new clients are refused' };
    return { decision: 'deny', rule: 'client-waiting', reason: WAITING_FOR_APPROVAL };
  }
  if (client.state === 'denied')
    return { decision: 'deny', rule: 'client-denied', reason: 'the person refused this client' };
  if (serverId !== undefined && client.servers && !client.servers.includes(serverId))
    return {
      decision: 'deny',
      rule: 'server-not-allowed',
      reason: 'this client may not use that server',
    };
  return undefined;
}

/** The annotation rule a tool's default comes from. */
export function toolDefaultRule(annotations: ToolAnnotations | undefined): ToolDefaultRule {
  if (annotations?.destructiveHint === true) return 'destructive';
  // The spec's default for openWorldHint is true, but a missing hint says nothing the person can
  // read as "reaches the world"; only a tool that says so counts.
  if (annotations?.openWorldHint === true) return 'open-world';
  // The spec reads destructiveHint only when readOnlyHint is false; a server that says both is
  // taken at its more careful word (destructive is checked first, above).
  if (annotations?.readOnlyHint === true) return 'read-only';
  return 'other';
}

function expired(grant: Grant | undefined, now: number): boolean {
  return grant?.expiresAt !== undefined && grant.expiresAt <= now;
}

export function decide(item: Item, standing: Standing): Verdict {
  const refusal = clientVerdict(standing.settings, standing.client, item.serverId);
  if (refusal) return refusal;
  if (item.pinChanged)
    return {
      decision: 'deny',
      rule: 'pin-changed',
      reason:
        'its definition changed since it was approved, so it is blocked until the person reviews the change in Nexus',
    };
  const everyone = expired(standing.everyone, standing.now) ? undefined : standing.everyone;
  if (everyone?.permission === 'deny')
    return { decision: 'deny', rule: 'off-for-everyone', reason: 'it is off for every client' };
  const grant = expired(standing.grant, standing.now) ? undefined : standing.grant;
  if (grant) return verdict(grant.permission, 'grant');
  if (everyone) return verdict(everyone.permission, 'grant:everyone');
  const { settings } = standing;
  if (item.target === 'tool') {
    const rule = toolDefaultRule(item.annotations);
    return verdict(settings.tools[rule], `default:${rule}`);
  }
  return verdict(
    item.target === 'prompt' ? settings.prompts : settings.resources,
    `default:${item.target}`,
  );
}

function verdict(permission: Permission, rule: string): Verdict {
  return permission === 'deny'
    ? { decision: 'deny', rule, reason: 'the person does not allow it' }
    : { decision: permission, rule };
}
