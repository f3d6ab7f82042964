/**
 * What the dashboard may see and do of the person's consent: the requests waiting for them
 * (consent, new clients) and their answers, the Permissions page (clients, grants, settings,
 * pins and the changed definitions to review), the decisions file, and the Audit page (filtered
 * events, JSON Lines export). Every value that comes in is checked here or in
 * ../policy/decisions-file.ts: the admin API is a boundary too.
 */
import type { Tool } from '@modelcontextprotocol/client';
import type {
  AuditQuery,
  ClientApprovalAnswer,
  ClientDecision,
  ClientId,
  ConsentAnswer,
  Permission,
  PermissionsView,
  PinReview,
  GrantTarget,
  SwitchView,
  WaitingDecisions,
} from '../../protocol/consent.ts';
import type { AuditJournal } from '../journal/audit.ts';
import { jsonOf } from '../journal/untrusted-json.ts';
import {
  CLIENT_APPROVAL,
  CONSENT,
  clientApprovalViews,
  consentRequestViews,
} from '../person/consent.ts';
import type { PersonQueue } from '../person/queue.ts';
import type { ConsentPolicy } from '../policy/consent-policy.ts';
import { toolDefaultRule } from '../policy/decide.ts';
import {
  readClientDecision,
  readClientId,
  readDecisions,
  readGrant,
  readSettings,
  writeDecisions,
} from '../policy/decisions-file.ts';
import type { GrantKey, JournalEvent, JournalEventKind } from '../ports.ts';
import type { Router } from '../router/router.ts';

const ANSWERS: readonly ConsentAnswer[] = ['allow-once', 'allow-always', 'deny', 'deny-always'];
const TARGETS: readonly GrantTarget[] = ['tool', 'prompt', 'resource'];

/** Events read to filter from: the journal keeps at most the settings' count. */
const SCANNED = 100_000;

export interface ConsentAdminOptions {
  policy: ConsentPolicy;
  person: PersonQueue;
  router: Router;
  audit: AuditJournal;
}

export class ConsentAdmin {
  constructor(private readonly options: ConsentAdminOptions) {}

  /** What waits for the person: calls asking for consent, new clients, changed definitions. */
  requests(): WaitingDecisions {
    return {
      consent: consentRequestViews(this.options.person),
      approvals: clientApprovalViews(this.options.person),
      changedDefinitions: this.options.policy.pins.changed().length,
    };
  }

  answerConsent(id: string, answer: ConsentAnswer): void {
    if (!ANSWERS.includes(answer))
      throw new Error(`Not an answer to a consent request: use one of ${ANSWERS.join(', ')}.`);
    this.#answer(id, CONSENT, answer);
  }

  answerClientApproval(id: string, answer: ClientApprovalAnswer): void {
    if (typeof answer?.approve !== 'boolean')
      throw new Error('Not an answer to a client approval: say { approve: true } or false.');
    const { servers, label } = readClientDecision({ ...answer, state: 'approved' }, 'The answer');
    this.#answer(id, CLIENT_APPROVAL, {
      approve: answer.approve,
      ...(servers ? { servers } : {}),
      ...(label ? { label } : {}),
    });
  }

  #answer(id: string, kind: string, answer: unknown): void {
    if (this.options.person.get(id)?.kind !== kind)
      throw new Error('That request is no longer waiting: it was answered elsewhere or ended.');
    this.options.person.answer(id, answer);
  }

  permissions(): PermissionsView {
    const { policy, router } = this.options;
    const slug = (serverId: string) => {
      try {
        return router.slugOf(serverId);
      } catch {
        return undefined;
      }
    };
    const reviews: PinReview[] = policy.pins.changed().map((change) => ({
      serverId: change.serverId,
      serverSlug: slug(change.serverId) ?? change.serverId,
      tool: change.tool,
      pinnedAt: change.pinned.pinnedAt,
      before: pretty(change.pinned.canonical),
      after: pretty(change.now.canonical),
    }));
    return {
      settings: policy.settings,
      clients: policy.clients(),
      grants: policy.grants(),
      pins: policy.pins.list().map((pin) => {
        const serverSlug = slug(pin.serverId);
        return {
          ...pin,
          ...(serverSlug ? { serverSlug } : {}),
          changed: policy.pins.blocked(pin.serverId, pin.tool),
        };
      }),
      reviews,
    };
  }

  /** One server's tools, prompts or resources as Permissions switches them, for `client` or everyone. */
  switches(serverId: string, target: GrantTarget, client?: ClientId): SwitchView[] {
    const { policy, router } = this.options;
    const who = client === undefined ? undefined : readClientId(client);
    if (!TARGETS.includes(target)) throw new Error(`Not a kind of item: ${String(target)}.`);
    let catalog;
    try {
      catalog = router.upstream(String(serverId)).catalog;
    } catch {
      throw new Error(`There is no server ${String(serverId)} in Nexus now.`);
    }
    const granted = new Map<string, Permission>();
    for (const grant of policy.grants()) {
      const same = who
        ? grant.client?.origin === who.origin && grant.client.clientName === who.clientName
        : grant.client === undefined;
      if (same && grant.serverId === serverId && grant.target === target)
        granted.set(grant.name, grant.permission);
    }
    const { settings } = policy;
    const view = (
      name: string,
      title: unknown,
      rest: Omit<SwitchView, 'name' | 'title' | 'grant'>,
    ): SwitchView => {
      const grant = granted.get(name);
      return {
        name,
        ...(typeof title === 'string' ? { title } : {}),
        ...rest,
        ...(grant ? { grant } : {}),
      };
    };
    if (target === 'tool')
      return catalog.tools.map((tool) => {
        const rule = toolDefaultRule(tool.annotations);
        return view(tool.name, tool.title, {
          ...(tool.annotations ? { annotations: { ...tool.annotations } } : {}),
          rule,
          defaultPermission: settings.tools[rule],
          blocked: policy.pins.blocked(serverId, tool.name),
        });
      });
    if (target === 'prompt')
      return catalog.prompts.map((prompt) =>
        view(prompt.name, prompt.title, {
          rule: 'prompt',
          defaultPermission: settings.prompts,
          blocked: false,
        }),
      );
    return catalog.resources.map((resource) =>
      view(resource.uri, resource.title ?? resource.name, {
        rule: 'resource',
        defaultPermission: settings.resources,
        blocked: false,
      }),
    );
  }

  async decideClient(client: ClientId, decision: ClientDecision): Promise<void> {
    await this.options.policy.decideClient(readClientId(client), readClientDecision(decision));
  }

  // Async, every one: a value refused by its check rejects like any other failure.
  async revokeClient(client: ClientId): Promise<void> {
    await this.options.policy.revokeClient(readClientId(client));
  }

  async revokeAll(): Promise<void> {
    await this.options.policy.revokeAll();
  }

  async forgetClient(client: ClientId): Promise<void> {
    await this.options.policy.forgetClient(readClientId(client));
  }

  async setGrant(grant: unknown): Promise<void> {
    await this.options.policy.setGrant(readGrant(grant));
  }

  async removeGrant(key: GrantKey): Promise<void> {
    const { client, serverId, target, name } = readGrant({ ...key, permission: 'deny' }, 'The key');
    await this.options.policy.removeGrant({
      ...(client ? { client } : {}),
      serverId,
      target,
      name,
    });
  }

  async setSettings(settings: unknown): Promise<void> {
    await this.options.policy.setSettings(readSettings(settings));
  }

  /** Approves the definition a server lists now for a blocked tool: pinned, unblocked. */
  async approveDefinition(serverId: string, tool: string): Promise<void> {
    const current = this.#listedTool(serverId, tool);
    if (!current)
      throw new Error(`Server ${serverId} does not list a tool '${tool}' now; nothing to approve.`);
    await this.options.policy.approveDefinition(serverId, current);
  }

  /** Rejects a changed definition: the tool stays blocked, and is off for every client. */
  async rejectDefinition(serverId: string, tool: string): Promise<void> {
    await this.setGrant({ serverId, target: 'tool', name: tool, permission: 'deny' });
  }

  #listedTool(serverId: string, tool: string): Tool | undefined {
    return this.options.router
      .listed('tools', undefined)
      .find((listed) => listed.serverId === serverId && listed.original.name === tool)?.original;
  }

  exportDecisions(): string {
    return writeDecisions(this.options.policy.snapshot());
  }

  /** Replaces every decision with a file's; throws, changing nothing, on a malformed one. */
  async importDecisions(text: string): Promise<void> {
    await this.options.policy.replaceAll(readDecisions(String(text)));
  }

  /** The audit and security events that match, newest first. */
  async auditEvents(query: AuditQuery = {}): Promise<JournalEvent[]> {
    const kinds: JournalEventKind[] = query.kind ? [query.kind] : ['audit', 'security'];
    const all = (
      await Promise.all(kinds.map((kind) => this.options.audit.events(kind, SCANNED)))
    ).flat();
    const matches = all.filter((event) => matchesQuery(event, query));
    matches.sort((a, b) => b.at - a.at);
    return matches.slice(0, Math.max(1, Math.min(query.limit ?? 500, SCANNED)));
  }

  /** The matching events as JSON Lines, oldest first (one event per line). */
  async exportAudit(query: AuditQuery = {}): Promise<string> {
    const events = await this.auditEvents({ ...query, limit: SCANNED });
    return events
      .reverse()
      .map((event) => jsonOf(event))
      .join('\n');
  }
}

/** The fields of an event the Audit page's search looks in: what a person reads in a row. */
const JOURNAL_WORDS = [
  'event',
  'clientName',
  'origin',
  'serverSlug',
  'target',
  'detail',
] as const satisfies ReadonlyArray<keyof JournalEvent>;

function includes(value: string | undefined, wanted: string | undefined): boolean {
  return !wanted || (value ?? '').toLowerCase().includes(wanted.toLowerCase());
}

export function matchesQuery(event: JournalEvent, query: AuditQuery): boolean {
  if (query.from !== undefined && event.at < query.from) return false;
  if (query.to !== undefined && event.at > query.to) return false;
  if (query.server && event.serverSlug !== query.server) return false;
  if (query.decision && event.decision !== query.decision) return false;
  if (query.outcome && event.outcome !== query.outcome) return false;
  if (query.text && !JOURNAL_WORDS.some((field) => includes(event[field], query.text))) {
    return false;
  }
  if (
    query.client &&
    !includes(event.clientName, query.client) &&
    !includes(event.origin, query.client)
  )
    return false;
  return includes(event.target, query.target);
}

function pretty(canonical: string): string {
  try {
    return JSON.stringify(JSON.parse(canonical), null, 2);
  } catch {
    return canonical;
  }
}
