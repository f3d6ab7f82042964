/**
 * The policy gate every downstream request passes (DESIGN, "Policy is a seam on every path"):
 * the policy's verdict; for `ask`, the person's answer through the consent room, when the hub
 * has one (../person/consent.ts); for a refusal, the error that tells the client what was refused,
 * why and where to change it. `act` also records what was done in the audit journal, with the
 * verdict, the outcome and the time it took.
 */
import type { Prompt, Tool } from '@modelcontextprotocol/client';
import { consentRequired, denied } from '../../protocol/errors.ts';
import type { Consent } from '../person/consent.ts';
import {
  describeAction,
  verdictOf,
  type Policy,
  type PolicyAction,
  type Principal,
  type Verdict,
} from '../policy/policy.ts';
import type { Clock } from '../ports.ts';
import type { Router } from '../router/router.ts';

/** What a gated action ended as, for the audit journal. */
export interface Acted {
  verdict: Verdict;
  ok: boolean;
  /** The JSON-RPC error code, when it failed with one. */
  errorCode?: number;
  durationMs: number;
}

export interface GateDeps {
  policy: Policy;
  router: Router;
  clock: Clock;
  /** The consent room; absent: an `ask` is refused (nobody can be asked). */
  consent?: Consent;
  /** The policy refused a request: a security event. */
  refused?(principal: Principal, action: PolicyAction, verdict: Verdict, what: string): void;
  /** An action passed the gate and ended: an audit event. */
  acted?(principal: Principal, action: PolicyAction, acted: Acted): void;
}

/** How a call that waits for the person keeps its client informed. */
export interface Waiting {
  signal?: AbortSignal;
  /** Sends the client a progress notification (only when it sent a progress token). */
  stillWaiting?: (message: string) => void;
}

/** Passes the policy, asking the person if it says so, or throws the client's error. */
export async function authorize(
  deps: GateDeps,
  principal: Principal,
  action: PolicyAction,
  waiting?: Waiting,
): Promise<Verdict> {
  let verdict = verdictOf(await deps.policy.authorize(principal, action));
  if (verdict.decision === 'allow') return verdict;
  const what = describeAction(action);
  const involved = involvedIn(action, deps.router);
  if (verdict.decision === 'ask' && deps.consent && 'serverId' in action) {
    const question = questionOf(deps.router, principal, action, verdict.rule);
    if (question) {
      const answer = await deps.consent.ask(question, waiting?.signal, waiting?.stillWaiting);
      if (answer === 'allow-once' || answer === 'allow-always')
        return { decision: 'allow', rule: `person:${answer}` };
      verdict = { decision: 'deny', rule: `person:${answer}`, reason: 'the person said no' };
    }
  }
  deps.refused?.(principal, action, verdict, what);
  if (verdict.decision === 'deny' && verdict.rule !== 'client-waiting')
    throw denied(principal.clientName, what, involved, verdict.reason);
  throw consentRequired(
    principal.clientName,
    what,
    verdict.reason ?? 'this Nexus has nobody to ask',
    involved,
  );
}

/** `authorize`, then `work`, recorded in the audit journal with how it ended. */
export async function act<T>(
  deps: GateDeps,
  principal: Principal,
  action: PolicyAction,
  work: () => Promise<T>,
  waiting?: Waiting,
): Promise<T> {
  const verdict = await authorize(deps, principal, action, waiting);
  const started = deps.clock.monotonic();
  const ended = (ok: boolean, errorCode?: number): void =>
    deps.acted?.(principal, action, {
      verdict,
      ok,
      ...(errorCode !== undefined ? { errorCode } : {}),
      durationMs: deps.clock.monotonic() - started,
    });
  try {
    const result = await work();
    ended(!(result as { isError?: unknown } | undefined)?.isError);
    return result;
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    ended(false, typeof code === 'number' ? code : undefined);
    throw error;
  }
}

export function involvedIn(
  action: PolicyAction,
  router: Router,
): { server?: string; tool?: string } {
  if (!('serverId' in action)) return {};
  const server = router.slugOf(action.serverId);
  if (action.type === 'call-tool') return { server, tool: action.tool };
  if (action.type === 'get-prompt') return { server, tool: action.prompt };
  return { server };
}

function questionOf(
  router: Router,
  principal: Principal,
  action: Extract<PolicyAction, { serverId: string }>,
  rule: string,
) {
  const { entry } = router.upstream(action.serverId);
  const server = { id: action.serverId, slug: entry.slug, name: entry.name };
  switch (action.type) {
    case 'call-tool':
    case 'get-prompt': {
      const name = action.type === 'call-tool' ? action.tool : action.prompt;
      return {
        principal,
        server,
        target: action.type === 'call-tool' ? ('tool' as const) : ('prompt' as const),
        name,
        grantName: action.definition?.name ?? name,
        ...(action.definition ? { definition: action.definition as Tool | Prompt } : {}),
        arguments: action.arguments,
        rule,
      };
    }
    case 'read-resource':
    case 'subscribe-resource':
      return {
        principal,
        server,
        target: 'resource' as const,
        name: action.uri,
        grantName: action.uri,
        rule,
      };
    case 'complete':
      return undefined;
  }
}
