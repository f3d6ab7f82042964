// Sets the theme the person picked (Light or Dark) on <html> before the first paint, so the
// dashboard never flashes the other one. External on purpose: the Content-Security-Policy
// (script-src 'self') forbids inline scripts. No choice stored: the system's colour scheme.
// The key and values are THEME_KEY and Theme in src/ui/state/theme.svelte.ts.
try {
  const theme = localStorage.getItem('nexus-theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // Storage blocked (a privacy setting): the system's scheme applies.
}
