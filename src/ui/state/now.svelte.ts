import { createSubscriber } from 'svelte/reactivity';

/**
 * The current time, re-read by effects every `intervalMs` while anything reads it (for relative
 * times like "5 minutes ago"). The timer runs only while subscribed.
 */
export class Now {
  readonly #subscribe: () => void;

  constructor(intervalMs = 15_000) {
    this.#subscribe = createSubscriber((update) => {
      const timer = setInterval(update, intervalMs);
      return () => clearInterval(timer);
    });
  }

  get value(): number {
    this.#subscribe();
    return Date.now();
  }
}
