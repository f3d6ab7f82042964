/**
 * The keys of a tab list (WAI-ARIA tabs pattern, automatic activation): ←/→ move to the
 * previous/next tab and wrap, Home/End to the first/last. Only the selected tab is in the Tab
 * order (roving tabindex), so Tab leaves the list for the panel.
 */
export function tabAfterKey(current: number, key: string, count: number): number | undefined {
  if (count <= 0) return undefined;
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}
