import type { Clock, Ids } from '../../src/hub/ports.ts';

/** A clock that only moves when the test says so. Timers run in due order. */
export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #next = 1;
  readonly timers = new Map<number, { due: number; fn: () => void; delay: number }>();
  /** Every delay ever scheduled, in order (for asserting a backoff schedule). */
  readonly scheduled: number[] = [];

  now(): number {
    return this.#now;
  }

  /** Moves with `now`: a fake clock has one time line. */
  monotonic(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.timers.set(id, { due: this.#now + ms, fn, delay: ms });
    this.scheduled.push(ms);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by `ms`, running every timer that falls due, and lets promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()]
        .filter(([, timer]) => timer.due <= end)
        .sort((a, b) => a[1].due - b[1].due)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].due);
      due[1].fn();
    }
    this.#now = end;
    await settle();
  }
}

/** Lets pending promise callbacks (and a few rounds of I/O-free async work) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Ids `<prefix>-1`, `<prefix>-2`, …: predictable, so a test can name what it expects. */
export function countingIds(prefix = 'id'): Ids {
  let next = 0;
  return { next: () => `${prefix}-${++next}` };
}
