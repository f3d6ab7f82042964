/**
 * The service worker, seen from the page: registers it (with workbox-window) and knows when a new
 * version of Nexus is installed and waiting. The worker itself (vite.config.ts, `generateSW`)
 * never skips waiting on its own: it takes over only when the person presses Reload here, which
 * sends it SKIP_WAITING; once it controls the page, the page reloads into the new version.
 * Registration is done here, from the app's own bundle, rather than by an injected script: an
 * inline script would break the `script-src 'self'` policy.
 */
import type { Workbox } from 'workbox-window';

/** How often an open dashboard asks for a new version (browsers also check on each navigation). */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

function warnNoServiceWorker(error: unknown): void {
  console.warn('Nexus could not register its service worker, so it will not start offline:', error);
}

export interface AppUpdateOptions {
  /** The service worker script; `undefined` (the dev server has none): do nothing. */
  scriptUrl: string | undefined;
  /** Reloads the page; tests may pass their own. */
  reload?: () => void;
}

export class AppUpdate {
  /** A new version is installed and waits for the person to reload. */
  ready = $state.raw(false);
  /** The person put the notice away (see `dismiss`). */
  dismissed = $state.raw(false);
  /** The person pressed Reload; the page reloads as soon as the new version controls it. */
  applying = $state.raw(false);

  readonly #scriptUrl: string | undefined;
  readonly #reload: () => void;
  #workbox: Workbox | undefined;
  #registration: ServiceWorkerRegistration | undefined;

  constructor(options: AppUpdateOptions) {
    this.#scriptUrl = options.scriptUrl;
    this.#reload = options.reload ?? (() => window.location.reload());
  }

  /** Whether the notice shows. */
  get visible(): boolean {
    return this.ready && !this.dismissed;
  }

  /**
   * Registers the service worker, once the page has loaded (so it never competes with the first
   * render). workbox-window is loaded then too, as a chunk of its own: it is not needed for the
   * first paint. Never throws: without a service worker Nexus still works, only not offline.
   */
  start(): void {
    const scriptUrl = this.#scriptUrl;
    if (scriptUrl === undefined || !('serviceWorker' in navigator)) return;
    import('workbox-window').then(
      ({ Workbox }) => this.#register(new Workbox(scriptUrl, { scope: '/' })),
      warnNoServiceWorker,
    );
  }

  #register(workbox: Workbox): void {
    this.#workbox = workbox;
    // Also fires at registration when a new version was already waiting (installed while the
    // person ignored an earlier notice, or by another tab).
    workbox.addEventListener('waiting', () => {
      this.ready = true;
    });
    workbox.addEventListener('controlling', (event) => {
      // After our SKIP_WAITING: reload into the new version. `isUpdate` without it: another tab
      // applied a new version, and this page's code is now the older one: offer the reload too.
      // Neither: the very first install took control (clientsClaim); nothing to say.
      if (this.applying) this.#reload();
      else if (event.isUpdate) this.ready = true;
    });
    // register() itself waits for the window's load event.
    workbox.register().then((registration) => {
      this.#registration = registration;
      setInterval(() => {
        // Offline, or the server is down: the next check will tell.
        workbox.update().catch(() => undefined);
      }, UPDATE_CHECK_INTERVAL_MS);
    }, warnNoServiceWorker);
  }

  /** Lets the waiting version take over; the page reloads once it controls the page. */
  reload(): void {
    if (this.applying) return;
    if (this.#registration?.waiting && this.#workbox) {
      this.applying = true;
      this.#workbox.messageSkipWaiting();
    } else {
      // Another tab applied the update already: the new version serves this page's next load.
      this.#reload();
    }
  }

  /**
   * Hides the notice for this page. The new version keeps waiting: it takes over once every
   * Nexus tab has closed (a plain reload is not enough), and the next page load offers it again.
   */
  dismiss(): void {
    this.dismissed = true;
  }
}
