/**
 * The dashboard's pages, addressed by the URL's hash (`#/servers/abc`), so the back button, links
 * and reloads work, and the static host needs no rewrite rules (the service worker serves one
 * `index.html` for every page).
 */

export type Route =
  | { page: 'servers' }
  /** A server's page, at one of its tabs (absent: Overview). */
  | { page: 'server'; id: string; tab?: ServerTab }
  | { page: 'clients' }
  | { page: 'inspector' }
  | { page: 'activity' }
  | { page: 'permissions' }
  | { page: 'audit' }
  /** What waits for the person (a system notification opens this). */
  | { page: 'waiting' }
  | { page: 'playground'; tool?: string };

/** The pages of the sidebar, in its order (the ⌘K palette lists the same ones). */
export const NAV_PAGES: ReadonlyArray<{ label: string; route: Route }> = [
  { label: 'Servers', route: { page: 'servers' } },
  { label: 'Clients', route: { page: 'clients' } },
  { label: 'Playground', route: { page: 'playground' } },
  { label: 'Inspector', route: { page: 'inspector' } },
  { label: 'Activity', route: { page: 'activity' } },
  { label: 'Permissions', route: { page: 'permissions' } },
  { label: 'Audit', route: { page: 'audit' } },
];

/** The tabs of a server's page (UI.md §3). */
export const SERVER_TABS = ['overview', 'tools', 'prompts', 'resources', 'activity'] as const;
export type ServerTab = (typeof SERVER_TABS)[number];

/** The hash for a route; the inverse of `parseRoute`. */
export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'servers':
      return '#/servers';
    case 'server':
      return route.tab && route.tab !== 'overview'
        ? `#/servers/${encodeURIComponent(route.id)}/${route.tab}`
        : `#/servers/${encodeURIComponent(route.id)}`;
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
  const [page, arg, sub] = hash.replace(/^#\/?/, '').split('/', 3);
  const decoded = arg ? safeDecode(arg) : undefined;
  if (page === 'servers' && decoded) {
    const tab = SERVER_TABS.find((name) => name === sub);
    return tab && tab !== 'overview'
      ? { page: 'server', id: decoded, tab }
      : { page: 'server', id: decoded };
  }
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
