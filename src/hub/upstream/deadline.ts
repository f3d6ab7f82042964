import type { Clock } from '../ports.ts';

/**
 * The SDK's own timeout, set out of reach where the hub keeps time itself (`Deadline`) or leaves
 * it to the other side: the largest delay a timer accepts (2^31 - 1 ms, about 24.8 days).
 */
export const SDK_TIMEOUT_OFF = 2 ** 31 - 1;

/**
 * The timeout of one upstream request, kept by the hub rather than the SDK because it must do two
 * things the SDK's timer cannot: start over when the server reports progress, and stand still
 * while the server waits for an answer from a client or a person (an elicitation a person reads
 * for a minute is not a silent server).
 */
export class Deadline {
  #timer: unknown;
  /** Requests for input the server is waiting on; the clock stands still while any is open. */
  #held = 0;
  #done = false;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
    private readonly onExpired: () => void,
  ) {
    this.#arm();
  }

  /** The server reported progress: it gets the whole timeout again. */
  restart(): void {
    if (this.#held === 0) this.#arm();
  }

  /** Stops the clock until the matching `release()`; returns that release. */
  hold(): () => void {
    this.#held++;
    this.clock.clearTimeout(this.#timer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held--;
      // Answered: the server has the whole timeout again to use the answer.
      if (this.#held === 0) this.#arm();
    };
  }

  /** The request settled; the timeout no longer applies. */
  stop(): void {
    this.#done = true;
    this.clock.clearTimeout(this.#timer);
  }

  #arm(): void {
    this.clock.clearTimeout(this.#timer);
    if (this.#done) return;
    this.#timer = this.clock.setTimeout(() => {
      this.#done = true;
      this.onExpired();
    }, this.ms);
  }
}
