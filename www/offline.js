// Registers the service worker (sw.js) that lets the hosted site work offline. Only over http(s):
// not under file:// (no service workers there) and not in the single-file build, which needs none.
import { SINGLE_FILE } from './platform.js';
import { workerScriptUrl } from './trusted-types.js';

/** True when this page should register the service worker. */
export function wantsServiceWorker(loc = location, nav = navigator) {
  return !SINGLE_FILE && (loc.protocol === 'http:' || loc.protocol === 'https:') && 'serviceWorker' in nav;
}

if (wantsServiceWorker()) {
  const scope = new URL('../', import.meta.url);
  // The URL goes through the page's Trusted Types policy (register() is a script-URL sink).
  navigator.serviceWorker.register(workerScriptUrl(new URL('../sw.js', import.meta.url)), { scope: scope.pathname }).catch((err) => {
    // Offline use is a convenience: the page works without it (e.g. before scripts/build.sh ran).
    console.warn(`tracematch: offline support unavailable: ${err.message}`);
  });
}
