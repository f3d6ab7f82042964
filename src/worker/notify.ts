/**
 * System notifications for what waits for the person while no dashboard is open. A SharedWorker
 * has no `navigator.serviceWorker` (Chromium) and cannot open a window when a notification is
 * clicked, so the hub asks the service worker: a POST to `nexus-notify`, which the service
 * worker answers itself (public/nexus-notify-sw.js) by showing the notification; its click opens
 * or focuses the dashboard at "Waiting for you". Without notification permission, or when no
 * service worker controls the hub (first visit, a private window), the POST is not answered with
 * `{"shown":true}` and the hub falls back to its bounded wait.
 */

/** Where the dashboard shows what waits for the person (src/ui/app/router.svelte.ts). */
const WAITING_PAGE = './#/waiting';

export async function notifyThroughServiceWorker(request: {
  id: string;
  title: string;
  body: string;
}): Promise<boolean> {
  // Asked once, from a click in the dashboard (ConsentPanel): never from here.
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return false;
  const response = await fetch(new URL('nexus-notify', self.location.href), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...request, url: new URL(WAITING_PAGE, self.location.href).href }),
  });
  if (!response.ok) return false;
  const answer = (await response.json().catch(() => undefined)) as { shown?: unknown } | undefined;
  return answer?.shown === true;
}
