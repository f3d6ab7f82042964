/**
 * Consent as the person sees it, on the person queue beside elicitations: a new client asking to
 * use Nexus (`client-approval`), and a call the policy says to `ask` about (`consent`). The
 * answers go to the consent policy (../policy/consent-policy.ts), which keeps them.
 *
 * A consent request holds its call: the hub's own timeout towards the server starts only after
 * the answer, and a client that sent a progress token hears every few seconds that the call
 * waits for the person (so its own timeout, if reset by progress, stands still too). A client
 * that cancels withdraws the request. When no dashboard is open and no notification could be
 * shown, the call waits a bounded time and then fails with where to answer.
 */
import type { Prompt, Tool } from '@modelcontextprotocol/client';
import type {
  ClientApprovalAnswer,
  ClientApprovalView,
  ConsentAnswer,
  ConsentRequestView,
  GrantTarget,
} from '../../protocol/consent.ts';
import { consentRequired } from '../../protocol/errors.ts';
import type { Clock } from '../ports.ts';
import type { ConsentPolicy } from '../policy/consent-policy.ts';
import { clientKey } from '../policy/keys.ts';
import type { Principal } from '../policy/policy.ts';
import { seconds } from '../upstream/era.ts';
import { Withdrawn, type PersonQueue } from './queue.ts';

export const CONSENT = 'consent';
export const CLIENT_APPROVAL = 'client-approval';

const ANSWERS: readonly ConsentAnswer[] = ['allow-once', 'allow-always', 'deny', 'deny-always'];
/** How often a waiting call tells its client (progress) that it still waits. */
const STILL_WAITING_EVERY_MS = 10_000;
/** At most this many new clients wait for approval at once: more only see an empty catalog. */
const APPROVALS_WAITING = 20;
/** Argument strings longer than this are shown folded. */
const FOLD_CHARS = 400;
/** The arguments shown at most (characters of pretty JSON). */
const SHOWN_CHARS = 20_000;

/** A consent request as it waits on the queue (the queue adds its id and time). */
export type ConsentView = Omit<ConsentRequestView, 'id' | 'askedAt'>;
type ApprovalAsked = Omit<ClientApprovalView, 'id' | 'askedAt'>;

export interface ConsentDeps {
  queue: PersonQueue;
  policy: ConsentPolicy;
  clock: Clock;
  /** Whether a dashboard is open now (someone may see the request). */
  dashboardOpen: () => boolean;
  /**
   * Shows a system notification that opens the dashboard at the request; resolves to whether
   * one was shown (no permission: false). Absent: never.
   */
  notify?: (request: { id: string; title: string; body: string }) => Promise<boolean>;
  /** How long a call waits when nobody can see the request. Default 60 000 ms. */
  unattendedWaitMs?: number;
}

/** What is being asked about, with what the dashboard shows of it. */
export interface ConsentQuestion {
  principal: Principal;
  server: { id: string; slug: string; name: string };
  target: GrantTarget;
  name: string;
  definition?: Tool | Prompt;
  arguments?: unknown;
  rule: string;
  /** The upstream name (or URI) a grant binds to. */
  grantName: string;
}

export class Consent {
  /** Clients with an approval request on the queue, by client key. */
  readonly #approvals = new Set<string>();
  /** What each waiting request does once nobody watches (see `unwatched`). */
  readonly #unattended = new Set<() => Promise<void>>();

  constructor(private readonly deps: ConsentDeps) {}

  /**
   * A client connected. A new one, while new clients are asked about, gets one approval request
   * (however many sessions it opens); with new clients allowed it is recorded as approved.
   */
  arrived(principal: Principal): void {
    if (principal.person) return;
    const { policy, queue } = this.deps;
    const client = { origin: principal.origin, clientName: principal.clientName };
    if (policy.client(client)) return;
    if (policy.settings.newClients === 'allow') {
      void policy.decideClient(client, { state: 'approved' }).catch(() => {});
      return;
    }
    if (policy.settings.newClients === 'deny') return;
    const key = clientKey(client);
    if (this.#approvals.has(key) || this.#approvals.size >= APPROVALS_WAITING) return;
    this.#approvals.add(key);
    const view: ApprovalAsked = { client };
    const answeredOrGone = queue
      .ask<ApprovalAsked, unknown, Promise<unknown>>(CLIENT_APPROVAL, view, (answer) => {
        const read = readApproval(answer);
        return policy.decideClient(client, {
          state: read.approve ? 'approved' : 'denied',
          ...(read.servers ? { servers: read.servers } : {}),
          ...(read.label ? { label: read.label } : {}),
        });
      })
      .catch(() => {})
      .finally(() => this.#approvals.delete(key));
    // An open dashboard shows it already; a notification is for when none is (now, or later).
    const id = queue.list(CLIENT_APPROVAL).at(-1)?.id;
    let notified = false;
    const unattended = async (): Promise<void> => {
      if (notified || !this.#stillWaiting(id)) return;
      notified = true;
      await this.#notify(
        'A new client asks to use Nexus',
        `${client.clientName} (${client.origin})`,
        id,
      );
    };
    this.#unattended.add(unattended);
    void answeredOrGone.finally(() => this.#unattended.delete(unattended));
    if (!this.deps.dashboardOpen()) void unattended();
  }

  /**
   * The last dashboard closed: what still waits is shown as a notification, and a call that
   * cannot be shown one gets the bounded wait, as if it had asked with nobody there.
   */
  unwatched(): void {
    for (const unattended of this.#unattended) void unattended();
  }

  /**
   * Asks the person about one action and resolves with the answer (already recorded with the
   * policy). Rejects with the client's error when withdrawn, or when nobody could be asked.
   */
  async ask(
    question: ConsentQuestion,
    signal: AbortSignal | undefined,
    stillWaiting?: (message: string) => void,
  ): Promise<ConsentAnswer> {
    const { queue, clock, policy } = this.deps;
    const view = consentView(question, policy);
    const withdraw = new AbortController();
    const stop = (): void => withdraw.abort();
    signal?.addEventListener('abort', stop, { once: true });
    let ticker: unknown;
    let deadline: unknown;
    let unattended: (() => Promise<void>) | undefined;
    const tick = (): void => {
      stillWaiting?.(`waiting for the person to answer in Nexus (${question.name})`);
      ticker = clock.setTimeout(tick, STILL_WAITING_EVERY_MS);
    };
    try {
      const answered = queue.ask<ConsentView, unknown, ConsentAnswer>(
        CONSENT,
        view,
        readAnswer,
        withdraw.signal,
      );
      const id = queue.list(CONSENT).at(-1)?.id;
      if (stillWaiting) ticker = clock.setTimeout(tick, STILL_WAITING_EVERY_MS);
      let timedOut = false;
      let unattendedOnce = false;
      // Nobody watches (now, or once the last dashboard closes): a notification, or else the
      // bounded wait, so a call never waits for a person who cannot see it.
      unattended = async (): Promise<void> => {
        if (unattendedOnce || !this.#stillWaiting(id)) return;
        unattendedOnce = true;
        const shown = await this.#notify(
          `${view.client.clientName} asks to ${question.target === 'resource' ? 'read' : 'use'} ${question.name}`,
          `${view.server.name}: answer in Nexus`,
          id,
        );
        if (shown || withdraw.signal.aborted) return;
        deadline = clock.setTimeout(() => {
          timedOut = true;
          withdraw.abort();
        }, this.deps.unattendedWaitMs ?? 60_000);
      };
      this.#unattended.add(unattended);
      if (!this.deps.dashboardOpen()) await unattended();
      const answer = await answered.catch((error: unknown) => {
        if (error instanceof Withdrawn && timedOut) {
          throw consentRequired(
            question.principal.clientName,
            `${question.target === 'resource' ? 'read' : 'use'} ${question.name}`,
            `nobody answered in Nexus within ${seconds(this.deps.unattendedWaitMs ?? 60_000)} (no dashboard was open)`,
            { server: question.server.slug, tool: question.name },
          );
        }
        throw error;
      });
      await policy.answered(
        question.principal,
        {
          serverId: question.server.id,
          target: question.target,
          name: question.grantName,
          ...(question.definition ? { tool: question.definition } : {}),
        },
        answer,
      );
      return answer;
    } finally {
      signal?.removeEventListener('abort', stop);
      clock.clearTimeout(ticker);
      clock.clearTimeout(deadline);
      if (unattended) this.#unattended.delete(unattended);
    }
  }

  /**
   * Whether the request still waits for the person. An answered one stays registered for
   * `unwatched` until its answer is written (an IndexedDB commit): a dashboard closing meanwhile
   * must not notify about a question already answered.
   */
  #stillWaiting(id: string | undefined): boolean {
    return id !== undefined && this.deps.queue.get(id) !== undefined;
  }

  async #notify(title: string, body: string, id: string | undefined): Promise<boolean> {
    if (!this.deps.notify || id === undefined) return false;
    try {
      return await this.deps.notify({ id, title, body });
    } catch {
      return false;
    }
  }
}

/** The person's answer, from the dashboard (checked: the admin API is a boundary too). */
function readAnswer(answer: unknown): ConsentAnswer {
  if (typeof answer === 'string' && (ANSWERS as readonly string[]).includes(answer))
    return answer as ConsentAnswer;
  throw new Error(`Not an answer to a consent request: expected one of ${ANSWERS.join(', ')}.`);
}

function readApproval(answer: unknown): ClientApprovalAnswer {
  const record = (answer ?? {}) as Record<string, unknown>;
  if (typeof record.approve !== 'boolean')
    throw new Error('Not an answer to a client approval: expected { approve: true | false }.');
  const servers = Array.isArray(record.servers)
    ? record.servers.filter((id): id is string => typeof id === 'string')
    : undefined;
  const label = typeof record.label === 'string' ? record.label.trim().slice(0, 100) : undefined;
  return { approve: record.approve, ...(servers ? { servers } : {}), ...(label ? { label } : {}) };
}

function consentView(question: ConsentQuestion, policy: ConsentPolicy): ConsentView {
  const { principal, definition } = question;
  const client = { origin: principal.origin, clientName: principal.clientName };
  const label = policy.client(client)?.label;
  const shown = foldedJson(question.arguments);
  return {
    client: { ...client, ...(label ? { label } : {}) },
    server: question.server,
    target: question.target,
    name: question.name,
    ...(typeof definition?.title === 'string' ? { title: definition.title } : {}),
    ...(typeof definition?.description === 'string'
      ? { description: definition.description.slice(0, SHOWN_CHARS) }
      : {}),
    ...(definition && 'annotations' in definition && definition.annotations
      ? { annotations: { ...definition.annotations } }
      : {}),
    ...(shown !== undefined ? { arguments: shown } : {}),
    rule: question.rule,
  };
}

/**
 * Arguments as the person reads them: pretty JSON, each string longer than `FOLD_CHARS` cut with
 * how much was left out, the whole at most `SHOWN_CHARS`. Any value a client sent (the guard at
 * the door already bounded its size and depth).
 */
export function foldedJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let text: string;
  try {
    text = JSON.stringify(
      value,
      (_key, item: unknown) =>
        typeof item === 'string' && item.length > FOLD_CHARS
          ? `${item.slice(0, FOLD_CHARS)}… (${item.length - FOLD_CHARS} more characters)`
          : item,
      2,
    );
  } catch {
    return '(arguments Nexus cannot show)';
  }
  if (text === undefined) return undefined;
  return text.length > SHOWN_CHARS
    ? `${text.slice(0, SHOWN_CHARS)}\n… (${text.length - SHOWN_CHARS} more characters)`
    : text;
}

/** The waiting consent requests, for the admin API. */
export function consentRequestViews(queue: PersonQueue): ConsentRequestView[] {
  return queue
    .list(CONSENT)
    .map(({ id, askedAt, view }) => ({ ...(view as ConsentView), id, askedAt }));
}

/** The clients waiting for approval, for the admin API. */
export function clientApprovalViews(queue: PersonQueue): ClientApprovalView[] {
  return queue
    .list(CLIENT_APPROVAL)
    .map(({ id, askedAt, view }) => ({ ...(view as ApprovalAsked), id, askedAt }));
}
