/**
 * Servers waiting for the person to sign in, as items of the person queue ("Waiting for you"):
 * one per server while it is `needs-sign-in` or a call asked for more access than its sign-in
 * grants. An item leaves on its own once the server no longer waits (signed in, disabled,
 * removed), and with "Not now" (the server keeps waiting; its card still offers Sign in).
 */
import type { SignInRequestView } from '../../protocol/views.ts';
import type { ServerEntry, ServerStatus } from '../ports.ts';
import type { PersonQueue } from './queue.ts';

export const SIGN_IN_KIND = 'sign-in';

type RequestBody = Omit<SignInRequestView, 'id' | 'askedAt'>;

export class SignInRequests {
  /** By server id: the item's withdrawal and the reason it was asked for. */
  readonly #asked = new Map<string, { withdraw: AbortController; reason: string }>();

  constructor(private readonly person: PersonQueue) {}

  /**
   * What a server now needs: `reason` while it waits for a sign-in (its status, or a call that
   * needs more access), undefined once it does not.
   */
  update(entry: ServerEntry, reason: string | undefined): void {
    const asked = this.#asked.get(entry.id);
    if (asked?.reason === reason) return;
    if (asked) {
      this.#asked.delete(entry.id);
      asked.withdraw.abort();
    }
    if (reason === undefined) return;
    const withdraw = new AbortController();
    this.#asked.set(entry.id, { withdraw, reason });
    const view: RequestBody = {
      serverId: entry.id,
      serverSlug: entry.slug,
      serverName: entry.name,
      reason,
    };
    // The answer is only "Not now": signing in itself goes through the sign-in room.
    this.person.ask(SIGN_IN_KIND, view, () => undefined, withdraw.signal).catch(() => undefined);
  }

  /** Why a server waits for the person, from its status and what a call asked for, if it does. */
  static reasonOf(status: ServerStatus, wantsScope: string | undefined): string | undefined {
    if (status.state === 'needs-sign-in') return status.reason;
    if (wantsScope !== undefined && status.state !== 'disabled')
      return `a call needs more access (scope ${wantsScope}): sign in again to grant it`;
    return undefined;
  }

  list(): SignInRequestView[] {
    return this.person.list(SIGN_IN_KIND).map((item) => ({
      ...(item.view as RequestBody),
      id: item.id,
      askedAt: item.askedAt,
    }));
  }

  /** "Not now": the item leaves the queue; the server itself still waits. */
  dismiss(id: string): void {
    const item = this.person.get(id);
    if (item?.kind !== SIGN_IN_KIND)
      throw new Error(
        'That sign-in request is no longer waiting: the server signed in or was removed.',
      );
    this.person.answer(id, undefined);
  }
}
