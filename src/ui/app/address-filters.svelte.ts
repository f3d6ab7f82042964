/**
 * A page whose filters live in the address (`#/inspector/client=…`, `#/audit/q=…`), so other
 * pages link to a filtered view and a reload keeps it. The page's filters write the address
 * (replaced, not pushed: a filter is not a page to go back to), and an address the person
 * follows while on the page (a link, or the nav's plain entry, which clears them) sets them.
 * Call during the page's set-up; put the returned handler on `<svelte:window onhashchange>`.
 */
export function filtersInAddress(
  /** The page's hash, e.g. `#/audit`: addresses of other pages are left alone. */
  page: string,
  /** The address the page's filters make now (read inside an effect: reactive). */
  address: () => string,
  /** Sets the filters an address names, when they differ from the page's. */
  follow: (hash: string) => void,
): () => void {
  $effect(() => {
    const wanted = address();
    if (location.hash.startsWith(page) && location.hash !== wanted) {
      history.replaceState(history.state, '', wanted);
    }
  });
  return () => {
    if (location.hash.startsWith(page)) follow(location.hash);
  };
}
