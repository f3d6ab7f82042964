/**
 * The app shell's own state: whether the sidebar is open (phones: it is off-canvas), and whether the
 * "Waiting for you" drawer is. One instance per page (the ⌘K palette keeps its own state, in
 * the chunk it loads on demand: ../palette/).
 *
 * The drawer opens by itself when something new waits: what a client or server asks must reach
 * the person wherever they are in the dashboard (before the shell, it showed above every page).
 * Closed by the person, it stays closed until the next new item, not on every refetch.
 */
export class ShellState {
  /** The sidebar on a narrow screen (on a wide one it is always shown). */
  navOpen = $state(false);
  drawerOpen = $state(false);
  /** How many items waited when the drawer last looked. */
  #seen = 0;

  /** Called with the number of items waiting whenever it may have changed. */
  waitingChanged(count: number): void {
    if (count > this.#seen) this.drawerOpen = true;
    if (count === 0) this.drawerOpen = false;
    this.#seen = count;
  }

  toggleDrawer(): void {
    this.drawerOpen = !this.drawerOpen;
  }

  /** A page was chosen: on a phone the sidebar gets out of the way. */
  navigated(): void {
    this.navOpen = false;
  }
}
