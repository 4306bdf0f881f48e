// Where the page runs and how it starts its workers. This is the hosted (multi-file) version: module
// workers loaded from the site's own files. The single-file build (scripts/single_file.mjs) swaps
// this module for scripts/single_file/platform.js, which starts the same workers from embedded code.

/** True in the single self-contained HTML file (dist/tracematch.html). */
export const SINGLE_FILE = false;

/** The worker scripts the page starts, by name. */
const WORKER_URLS = {
  index: () => new URL('./worker.js', import.meta.url),
  match: () => new URL('./match_worker.js', import.meta.url),
};

/** Starts worker `name` ("index": one per capture, "match": one per match run). */
export function createWorker(name) {
  const url = WORKER_URLS[name];
  if (!url) throw new Error(`unknown worker ${name}`);
  return new Worker(url(), { type: 'module' });
}
