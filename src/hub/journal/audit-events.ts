/**
 * The audit journal's events for what clients do through the hub (issue: the person decides):
 * one per tool call, prompt, resource read and subscription that passed the policy, with the
 * verdict and the rule behind it, how it ended and how long it took; one security event per
 * refusal. Arguments are kept only when the person's settings say so (redacted on write, in
 * ./audit.ts). Pure: the hub hands the events to `AuditJournal.record`.
 */
import type { Acted } from '../downstream/gate.ts';
import type { ConsentPolicy } from '../policy/consent-policy.ts';
import type { PolicyAction, Principal, Verdict } from '../policy/policy.ts';
import type { JournalEvent } from '../ports.ts';
import type { Router } from '../router/router.ts';
import { jsonOf } from './untrusted-json.ts';

type Draft = Omit<JournalEvent, 'at'>;

/** The largest arguments text kept (characters); longer ones are cut. */
const ARGUMENTS_CHARS = 4_000;

const METHODS: Partial<Record<PolicyAction['type'], string>> = {
  'call-tool': 'tools/call',
  'get-prompt': 'prompts/get',
  'read-resource': 'resources/read',
  'subscribe-resource': 'resources/subscribe',
};

function who(principal: Principal) {
  return {
    origin: principal.origin,
    clientName: principal.clientName,
    sessionId: principal.sessionId,
  };
}

function about(action: PolicyAction, router: Router): Partial<Draft> {
  if (!('serverId' in action)) return {};
  const target =
    action.type === 'call-tool'
      ? action.tool
      : action.type === 'get-prompt'
        ? action.prompt
        : action.type === 'complete'
          ? undefined
          : action.uri;
  return {
    serverId: action.serverId,
    serverSlug: router.slugOf(action.serverId),
    ...(target !== undefined ? { target } : {}),
  };
}

/** A request the policy (or the person) refused. */
export function securityOfRefusal(
  principal: Principal,
  action: PolicyAction,
  verdict: Verdict,
  what: string,
  router: Router,
): Draft {
  const method = METHODS[action.type];
  return {
    kind: 'security',
    event: verdict.decision === 'deny' ? 'request-denied' : 'consent-unavailable',
    ...who(principal),
    ...about(action, router),
    ...(method ? { method } : {}),
    decision: verdict.decision,
    rule: verdict.rule,
    detail: verdict.reason ? `${what}: ${verdict.reason}` : what,
  };
}

/** An action that passed the gate, and how it ended. */
export function auditOfAction(
  principal: Principal,
  action: PolicyAction,
  acted: Acted,
  router: Router,
  policy: ConsentPolicy | undefined,
): Draft {
  const method = METHODS[action.type] ?? action.type;
  const args =
    policy?.settings.audit.storeArguments &&
    (action.type === 'call-tool' || action.type === 'get-prompt') &&
    action.arguments !== undefined
      ? jsonOf(action.arguments).slice(0, ARGUMENTS_CHARS)
      : undefined;
  return {
    kind: 'audit',
    event: method,
    ...who(principal),
    ...about(action, router),
    method,
    decision: acted.verdict.decision,
    rule: acted.verdict.rule,
    outcome: acted.ok ? 'ok' : 'error',
    ...(acted.errorCode !== undefined ? { errorCode: acted.errorCode } : {}),
    durationMs: Math.round(acted.durationMs * 10) / 10,
    ...(args !== undefined ? { arguments: args } : {}),
  };
}
