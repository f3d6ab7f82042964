/**
 * What waits for the person's decision (the hub's person queue): calls asking for consent and new
 * clients asking to use Nexus, refetched whenever the hub says what waits changed, and the
 * person's answers. Also whether Nexus may show system notifications while no dashboard is open
 * (asked only from a click: browsers refuse a permission prompt nobody asked for).
 */
import type {
  ClientApprovalAnswer,
  ClientApprovalView,
  ConsentAnswer,
  ConsentRequestView,
} from '../../protocol/consent.ts';
import type { HubState } from './hub.svelte.ts';

export type NotificationState = NotificationPermission | 'unsupported';

/** The person's choices on one client approval, kept while it waits so typing survives refreshes. */
export class ApprovalChoice {
  /** All servers, now and later (the default), or only `servers`. */
  all = $state(true);
  servers = $state<string[]>([]);
  label = $state('');

  answer(): ClientApprovalAnswer {
    return {
      approve: true,
      ...(this.all ? {} : { servers: [...this.servers] }),
      ...(this.label.trim() ? { label: this.label.trim() } : {}),
    };
  }
}

function notificationState(): NotificationState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

export class WaitingState {
  consent = $state.raw<ConsentRequestView[]>([]);
  approvals = $state.raw<ClientApprovalView[]>([]);
  /** Tools blocked because their definitions changed (reviewed on the Permissions page). */
  changedDefinitions = $state.raw(0);
  /** The last failed answer or load, in words for a person. */
  error = $state.raw<string | undefined>(undefined);
  notifications = $state.raw<NotificationState>(notificationState());
  #loading: Promise<void> | undefined;
  #again = false;
  // A lookup table, not state: each choice holds its own reactive fields.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #choices = new Map<string, ApprovalChoice>();

  constructor(private readonly hub: HubState) {}

  get count(): number {
    return this.consent.length + this.approvals.length + this.changedDefinitions;
  }

  /** Refetches; a call while one runs makes it run once more when it ends. */
  refresh(): Promise<void> {
    if (this.#loading) {
      this.#again = true;
      return this.#loading;
    }
    this.#loading = (async () => {
      do {
        this.#again = false;
        try {
          const waiting = await this.hub.query((api) => api.consentRequests());
          this.consent = waiting.consent;
          this.approvals = waiting.approvals;
          this.changedDefinitions = waiting.changedDefinitions;
        } catch (failure) {
          this.error = (failure as Error).message;
        }
      } while (this.#again);
    })().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  choiceFor(id: string): ApprovalChoice {
    let choice = this.#choices.get(id);
    if (!choice) {
      choice = new ApprovalChoice();
      this.#choices.set(id, choice);
    }
    return choice;
  }

  async answerConsent(id: string, answer: ConsentAnswer): Promise<boolean> {
    return this.#answer(() => this.hub.query((api) => api.answerConsent(id, answer)));
  }

  async answerApproval(id: string, answer: ClientApprovalAnswer): Promise<boolean> {
    const sent = await this.#answer(() =>
      this.hub.query((api) => api.answerClientApproval(id, answer)),
    );
    if (sent) this.#choices.delete(id);
    return sent;
  }

  async #answer(send: () => Promise<void>): Promise<boolean> {
    this.error = undefined;
    try {
      await send();
      return true;
    } catch (failure) {
      this.error = (failure as Error).message;
      return false;
    } finally {
      void this.refresh();
    }
  }

  /** Asks the browser for notification permission; call from a click handler only. */
  async askForNotifications(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    this.notifications = await Notification.requestPermission();
  }
}
