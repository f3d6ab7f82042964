/**
 * The dashboard's pages, addressed by the URL's hash (`#/servers/abc`), so the back button, links
 * and reloads work, and the static host needs no rewrite rules (the service worker serves one
 * `index.html` for every page).
 */

export type Route =
  | { page: 'servers' }
  | { page: 'server'; id: string }
  | { page: 'clients' }
  | { page: 'inspector' }
  | { page: 'activity' }
  | { page: 'permissions' }
  | { page: 'audit' }
  /** What waits for the person (a system notification opens this). */
  | { page: 'waiting' }
  | { page: 'playground'; tool?: string };

/** The hash for a route; the inverse of `parseRoute`. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'servers':
      return '#/servers';
    case 'server':
      return `#/servers/${encodeURIComponent(route.id)}`;
    case 'clients':
      return '#/clients';
    case 'inspector':
      return '#/inspector';
    case 'activity':
      return '#/activity';
    case 'permissions':
      return '#/permissions';
    case 'audit':
      return '#/audit';
    case 'waiting':
      return '#/waiting';
    case 'playground':
      return route.tool ? `#/playground/${encodeURIComponent(route.tool)}` : '#/playground';
  }
}

/** Reads a hash; anything unknown is the servers page (the home page). */
export function parseRoute(hash: string): Route {
  const [page, arg] = hash.replace(/^#\/?/, '').split('/', 2);
  const decoded = arg ? safeDecode(arg) : undefined;
  if (page === 'servers' && decoded) return { page: 'server', id: decoded };
  if (
    page === 'clients' ||
    page === 'inspector' ||
    page === 'activity' ||
    page === 'permissions' ||
    page === 'audit' ||
    page === 'waiting'
  )
    return { page };
  if (page === 'playground') return decoded ? { page: 'playground', tool: decoded } : { page };
  return { page: 'servers' };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export class Router {
  route = $state.raw<Route>({ page: 'servers' });

  constructor(private readonly window: Window = globalThis.window) {
    this.route = parseRoute(this.window.location.hash);
    this.window.addEventListener('hashchange', () => {
      this.route = parseRoute(this.window.location.hash);
    });
  }

  go(route: Route): void {
    this.window.location.hash = hrefOf(route);
  }
}
