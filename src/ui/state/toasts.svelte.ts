/**
 * Short notices for things that happen while the person looks elsewhere on the page: a server
 * became ready, failed, or needs the person to sign in. Each goes away by itself after a while, or when dismissed. The list
 * is announced politely to screen readers by the component that shows it.
 */
import type { ServerView } from '../../protocol/views.ts';

export interface Toast {
  id: number;
  text: string;
  /** `ask`: the person has something to do (sign in). */
  tone: 'ok' | 'bad' | 'ask';
}

/** How long a notice stays, in ms. */
export const TOAST_MS = 8_000;

export class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 0;
  /** Each server's last state (plain data: nothing renders from it). */
  #known: Record<string, ServerView['status']['state'] | undefined> | undefined;

  constructor(
    private readonly timers: {
      setTimeout(fn: () => void, ms: number): unknown;
    } = globalThis,
  ) {}

  /**
   * Compares a fresh server list with the last one: a server that turned ready, turned to an
   * error or started to need a sign-in gets a notice. `connecting` does not count as a change: a server retrying after a
   * failure passes through it on every attempt, and fails again, which is not news. The first
   * list only sets the baseline (nothing "changed" on page load).
   */
  serversChanged(servers: readonly ServerView[]): void {
    const previous = this.#known;
    const settled = (server: ServerView) =>
      server.status.state === 'connecting' ? previous?.[server.id] : server.status.state;
    this.#known = Object.fromEntries(servers.map((server) => [server.id, settled(server)]));
    if (!previous) return;
    for (const server of servers) {
      const before = previous[server.id];
      const now = server.status;
      if (now.state === 'connecting' || before === now.state) continue;
      if (now.state === 'ready') {
        const tools = server.counts.tools;
        this.push(`${server.name} is ready (${tools === 1 ? '1 tool' : `${tools} tools`}).`, 'ok');
      } else if (now.state === 'error') {
        this.push(`${server.name} failed: ${now.reason}`, 'bad');
      } else if (now.state === 'needs-sign-in') {
        this.push(`${server.name} needs you to sign in: ${now.reason}`, 'ask');
      }
    }
  }

  push(text: string, tone: Toast['tone']): void {
    const toast = { id: this.#next++, text, tone };
    this.items = [...this.items, toast].slice(-5);
    this.timers.setTimeout(() => this.dismiss(toast.id), TOAST_MS);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id);
  }
}
