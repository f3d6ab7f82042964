/**
 * One queue of everything that waits on the person: a server's elicitation today, consent and
 * sign-in next. Whatever waits is shown in every open dashboard ("Waiting for you") in the order
 * it was asked, answered there once (the first answer wins; a second is told it is too late), and
 * leaves the queue on its own when the call or the server's request that asked ends (withdrawal).
 *
 * The queue knows nothing of what an item means: each kind brings its own view and its own
 * mapping from the person's answer to the result its asker waits for (see ./elicitation.ts).
 */
import type { Clock, Ids } from '../ports.ts';

/** One waiting item as dashboards see it (`view`), with the kind that tells them how to show it. */
export interface Waiting<View> {
  id: string;
  kind: string;
  askedAt: number;
  view: View;
}

/** Why an item left the queue without an answer. */
export class Withdrawn extends Error {
  constructor(readonly kind: string) {
    super('The request was cancelled.');
    this.name = 'Withdrawn';
  }
}

interface Entry {
  item: Waiting<unknown>;
  settle(answer: unknown): void;
  withdraw(): void;
}

export class PersonQueue {
  readonly #waiting = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly ids: Ids,
    /** Told after every change (an item asked, answered or withdrawn): dashboards refetch. */
    private readonly changed: () => void,
    /** Whether the person can answer (`HubOptions.personAnswers`). */
    readonly attended: () => boolean = () => false,
  ) {}

  /**
   * Puts an item in front of the person and settles with `answered(answer)` once they answer. It
   * rejects with `Withdrawn` when `signal` aborts first, and the item leaves every dashboard.
   */
  ask<View, Answer, Result>(
    kind: string,
    view: View,
    answered: (answer: Answer) => Result,
    signal?: AbortSignal,
  ): Promise<Result> {
    const id = this.ids.next();
    return new Promise<Result>((resolve, reject) => {
      const withdraw = (): void => {
        if (!this.#waiting.delete(id)) return;
        this.changed();
        reject(new Withdrawn(kind));
      };
      if (signal?.aborted) return reject(new Withdrawn(kind));
      signal?.addEventListener('abort', withdraw, { once: true });
      this.#waiting.set(id, {
        item: { id, kind, askedAt: this.clock.now(), view },
        settle: (answer) => {
          signal?.removeEventListener('abort', withdraw);
          try {
            resolve(answered(answer as Answer));
          } catch (error) {
            reject(error);
          }
        },
        withdraw,
      });
      this.changed();
    });
  }

  /** What waits, oldest first (Map order is insertion order); `kind` narrows it. */
  list(kind?: string): Waiting<unknown>[] {
    const items = [...this.#waiting.values()].map((entry) => entry.item);
    return kind === undefined ? items : items.filter((item) => item.kind === kind);
  }

  /** The item with this id, while it waits. */
  get(id: string): Waiting<unknown> | undefined {
    return this.#waiting.get(id)?.item;
  }

  /** The person's answer. Throws when the item no longer waits (answered elsewhere, or ended). */
  answer(id: string, answer: unknown): void {
    const entry = this.#waiting.get(id);
    if (!entry) {
      throw new Error('That request is no longer waiting: it was answered elsewhere or ended.');
    }
    this.#waiting.delete(id);
    entry.settle(answer);
    this.changed();
  }

  /** Withdraws everything (the hub is closing). */
  clear(): void {
    for (const entry of [...this.#waiting.values()]) entry.withdraw();
  }
}
