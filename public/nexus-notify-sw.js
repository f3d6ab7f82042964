/*
 * Imported by the service worker (vite.config.ts, workbox.importScripts): shows the hub's
 * notifications and opens the dashboard when one is clicked (src/worker/notify.ts says why the
 * hub cannot do either itself). Plain JavaScript: the service worker loads it as it is.
 */

const NOTIFY_URL = new URL('nexus-notify', self.registration.scope).href;

/** Only this origin's pages may be opened from a notification. */
function dashboardUrl(value) {
  try {
    const url = new URL(String(value), self.registration.scope);
    if (url.origin === self.location.origin) return url.href;
  } catch {
    // fall through: not a URL
  }
  return new URL('./#/waiting', self.registration.scope).href;
}

function answer(shown) {
  return new Response(JSON.stringify({ shown }), {
    headers: { 'content-type': 'application/json' },
  });
}

async function show(request) {
  try {
    const { id, title, body, url } = await request.json();
    if (Notification.permission !== 'granted') return answer(false);
    await self.registration.showNotification(String(title).slice(0, 200), {
      body: String(body).slice(0, 500),
      // One notification per request: a second for the same request replaces the first.
      tag: `nexus-${String(id).slice(0, 100)}`,
      data: { url: dashboardUrl(url) },
    });
    return answer(true);
  } catch {
    return answer(false);
  }
}

self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'POST' || event.request.url !== NOTIFY_URL) return;
  event.respondWith(show(event.request));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = dashboardUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const dashboard = windows.find(
        (client) => new URL(client.url).pathname === new URL(url).pathname,
      );
      if (dashboard) {
        const navigated = await dashboard.navigate(url).catch(() => dashboard);
        return (navigated || dashboard).focus();
      }
      return self.clients.openWindow(url);
    })(),
  );
});
