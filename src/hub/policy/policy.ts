/**
 * The policy seam: every downstream request passes `authorize` before the router sees it, and
 * every list passes `filter`, item by item, so a client sees only what it may use (DESIGN,
 * "Policy is a seam on every path"). The hub has no default policy: the composition root passes
 * one in, so "allow everything" is a decision someone wrote down (./allow-all.ts), never an
 * accident. Consent, grants and pins (a later issue) are policies behind this same interface.
 *
 * What a policy must not do: talk to servers or clients itself. It decides from the principal,
 * the action and what it stores; asking the person goes through the person queue (../person/).
 */
import type { Prompt, Resource, ResourceTemplateType, Tool } from '@modelcontextprotocol/client';

/** Who is asking: every downstream request is authorized against one. */
export interface Principal {
  /**
   * The origin the browser vouches for: the origin of the hub's own page for a port of this
   * origin's SharedWorker, `event.origin` across origins. Never a value the client sent.
   */
  origin: string;
  /** The name the client gave in `connectHub({ name })`: self-declared, shown, never trusted. */
  clientName: string;
  sessionId: string;
  /**
   * Set only by the hub's own Playground (admin/playground.ts), never from a port: the person
   * acting in the dashboard. It is audited, not asked.
   */
  person?: true;
}

/** The lists a client reads, as the policy and the router name them. */
export type ListKind = 'tools' | 'prompts' | 'resources' | 'templates';

/** What a downstream request asks to do; names are the hub's (namespaced) ones. */
export type PolicyAction =
  | { type: 'list'; list: ListKind }
  | {
      type: 'call-tool';
      serverId: string;
      /** The aggregated name the client called (`slug__name`). */
      tool: string;
      /** The tool's full definition as the server lists it (upstream name): what a pin hashes. */
      definition: Tool | undefined;
      arguments: Record<string, unknown> | undefined;
    }
  | {
      type: 'get-prompt';
      serverId: string;
      prompt: string;
      definition: Prompt | undefined;
      arguments: Record<string, string> | undefined;
    }
  | { type: 'read-resource'; serverId: string; uri: string }
  | { type: 'subscribe-resource'; serverId: string; uri: string }
  | { type: 'complete'; serverId: string; ref: { type: string; name?: string; uri?: string } }
  | { type: 'set-log-level'; level: string };

export type PolicyDecision = 'allow' | 'deny' | 'ask';

/**
 * A decision with the rule that made it, for the audit journal and the client's error:
 * `grant`, `default:destructive`, `client-waiting`, `pin-changed`, … (see ./decide.ts).
 */
export interface Verdict {
  decision: PolicyDecision;
  rule: string;
  /** Why a `deny` denies, in words for the client's error ("waiting for approval in Nexus"). */
  reason?: string;
}

/** A bare decision (a test double's) as a verdict. */
export function verdictOf(decided: PolicyDecision | Verdict): Verdict {
  return typeof decided === 'string' ? { decision: decided, rule: 'policy' } : decided;
}

/**
 * One item of a list as the client would see it (`item`, its name the exposed one), with the
 * server it comes from and the item as that server lists it (`original`, its own name): grants
 * and pins are about the original.
 */
export type Listed =
  | { kind: 'tools'; serverId: string; item: Tool; original: Tool }
  | { kind: 'prompts'; serverId: string; item: Prompt; original: Prompt }
  | { kind: 'resources'; serverId: string; item: Resource; original: Resource }
  | {
      kind: 'templates';
      serverId: string;
      item: ResourceTemplateType;
      original: ResourceTemplateType;
    };

export type ListedOf<K extends ListKind> = Extract<Listed, { kind: K }>;

export interface Policy {
  /** `ask` means the person decides (../person/consent.ts asks, when the hub can). */
  authorize(
    principal: Principal,
    action: PolicyAction,
  ): PolicyDecision | Verdict | Promise<PolicyDecision | Verdict>;
  /**
   * The items of one list `principal` may see, in their order. Returning `items` itself (the same
   * array) says "all of them" and costs nothing: the hub then serves its cached list.
   */
  filter<K extends ListKind>(
    principal: Principal,
    items: readonly ListedOf<K>[],
  ): readonly ListedOf<K>[] | Promise<readonly ListedOf<K>[]>;
}

/** The action in words, for errors and (later) the consent prompt: "call github__create_issue". */
export function describeAction(action: PolicyAction): string {
  switch (action.type) {
    case 'list':
      return `list ${action.list === 'templates' ? 'resource templates' : action.list}`;
    case 'call-tool':
      return `call ${action.tool}`;
    case 'get-prompt':
      return `get prompt ${action.prompt}`;
    case 'read-resource':
      return `read ${action.uri}`;
    case 'subscribe-resource':
      return `subscribe to ${action.uri}`;
    case 'complete':
      return 'ask for completions';
    case 'set-log-level':
      return `set the log level to ${action.level}`;
  }
}
