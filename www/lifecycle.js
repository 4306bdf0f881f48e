// Cleanup when a component leaves the page. Some resources outlive their DOM element unless
// released: uPlot keeps every chart in a module-level set (and a window listener) until
// `destroy()`, so a closed capture's IO graph would keep the whole capture view alive.
// `onDetached(element, fn)` calls `fn` once after `element` (already in the page) is removed.
// One MutationObserver serves every registration; each mutation batch checks only the registered
// elements' `isConnected`.

const watched = new Map(); // element → cleanup function
let observer = null;

function check() {
  for (const [element, fn] of watched) {
    if (!element.isConnected) {
      watched.delete(element);
      try { fn(); } catch (err) { console.error('cleanup failed', err); }
    }
  }
  if (watched.size === 0 && observer) {
    observer.disconnect();
    observer = null;
  }
}

/** Calls `fn` once when `element` (connected now) is no longer in the document. */
export function onDetached(element, fn) {
  if (!element.isConnected) return;
  watched.set(element, fn);
  if (!observer) {
    observer = new MutationObserver(check);
    observer.observe(document.documentElement, { childList: true, subtree: true });
  }
}
