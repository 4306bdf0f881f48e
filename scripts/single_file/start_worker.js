// Starting an embedded worker in the single-file build, in the page or inside a worker: a classic
// worker from a blob: URL of its code (a module worker from blob: fails silently under file://),
// the URL made once per code, and allowed by a Trusted Types policy that accepts only those URLs
// (the file's CSP requires Trusted Types and names this one policy).

/** The message a started worker gets first (read by worker_env.js). */
export const ENV_MESSAGE = 'tracematchEnv';

const urls = new Map(); // name → blob: URL of that worker's code
let policy;

function trustedScriptUrl(url) {
  if (policy === undefined) {
    policy = globalThis.trustedTypes
      ? globalThis.trustedTypes.createPolicy('tracematch-workers', {
        createScriptURL(candidate) {
          if (![...urls.values()].includes(candidate)) throw new TypeError('not an embedded tracematch worker');
          return candidate;
        },
      })
      : null;
  }
  return policy ? policy.createScriptURL(url) : url;
}

/**
 * Starts worker `name` from `source` (its bundled code) and posts it `env` once `env` (a promise of
 * { module, sources } or an Error) settles: the compiled wasm and the code of the workers it may
 * start itself.
 */
export function startEmbeddedWorker(name, source, env) {
  if (typeof source !== 'string') throw new Error(`unknown worker ${name}`);
  if (!urls.has(name)) urls.set(name, URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  const worker = new Worker(trustedScriptUrl(urls.get(name)));
  Promise.resolve(env).then(
    ({ module, sources }) => worker.postMessage({ [ENV_MESSAGE]: { module, sources } }),
    (err) => worker.postMessage({ [ENV_MESSAGE]: { error: String((err && err.message) || err) } }),
  );
  return worker;
}
