// The page's light and dark themes follow the system (prefers-color-scheme; colours are CSS
// variables in www/styles/base.css). Canvas drawings (the IO graph) cannot use CSS variables, so
// they read the current values here and redraw when the system switches theme.

/** The current value of CSS variable `name` (e.g. "--text") on the document, or `fallback`. */
export function themeColor(name, fallback = '#888') {
  if (typeof document === 'undefined') return fallback;
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Calls `fn` whenever the system switches between light and dark; returns an unsubscribe function. */
export function onThemeChange(fn) {
  if (typeof matchMedia !== 'function') return () => {};
  const query = matchMedia('(prefers-color-scheme: dark)');
  query.addEventListener('change', fn);
  return () => query.removeEventListener('change', fn);
}
