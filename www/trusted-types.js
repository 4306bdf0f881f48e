// Trusted Types for the page. The CSP requires them for every script sink
// (`require-trusted-types-for 'script'; trusted-types tracematch`), so a string can never become
// markup or script: the page builds DOM with text nodes (dom.js) and creates no TrustedHTML at all.
// The only script URLs the page needs are its own worker modules; this one small policy creates
// them, and refuses anything else (another origin, another file, javascript:/data: URLs).

/** The worker scripts the page may start (www/<name>) and its service worker (sw.js). */
const WORKER_FILES = new Set(['worker.js', 'match_worker.js', 'analysis_worker.js', 'read_worker.js', 'sw.js']);

let policy = null;

/** Checks a worker script URL; returns it as a string or throws a TypeError. */
export function checkWorkerUrl(input, base = globalThis.location ? globalThis.location.href : undefined) {
  const url = new URL(String(input), base);
  const origin = base ? new URL(base).origin : url.origin;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`refused worker script URL ${url.protocol} (only the page's own files)`);
  }
  if (url.origin !== origin) throw new TypeError(`refused worker script from another origin: ${url.origin}`);
  const name = url.pathname.split('/').pop();
  if (!WORKER_FILES.has(name)) throw new TypeError(`refused worker script ${name}: not one of the page's workers`);
  return url.href;
}

/** The page's policy (created once; undefined where the browser has no Trusted Types). */
function getPolicy() {
  if (policy === null) {
    const tt = globalThis.trustedTypes;
    policy = tt && typeof tt.createPolicy === 'function'
      ? tt.createPolicy('tracematch', { createScriptURL: (s) => checkWorkerUrl(s) })
      : undefined;
  }
  return policy;
}

/** A URL for `new Worker(...)`: a TrustedScriptURL when Trusted Types are enforced. */
export function workerScriptUrl(url) {
  const p = getPolicy();
  return p ? p.createScriptURL(String(url)) : checkWorkerUrl(url);
}
