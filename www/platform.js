// Where the page runs and how it starts its workers. This is the hosted (multi-file) version: workers
// loaded from the site's own files. The single-file build (scripts/single_file.mjs) swaps this
// module for scripts/single_file/platform.js in the page and scripts/single_file/platform_in_worker.js
// in workers, which start the same workers from code embedded in the file. Every worker — also a
// worker's nested worker — starts through createWorker() (the single-file build checks this).

import { workerScriptUrl } from './trusted-types.js';

/** True in the single self-contained HTML file (dist/tracematch.html). */
export const SINGLE_FILE = false;

/** The workers, by name: their script and whether it is an ES module. */
const WORKERS = {
  index: { url: () => new URL('./worker.js', import.meta.url), module: true }, // one per capture
  match: { url: () => new URL('./match_worker.js', import.meta.url), module: true }, // one per match run
  analysis: { url: () => new URL('./analysis_worker.js', import.meta.url), module: true }, // statistics, nested in index
  read: { url: () => new URL('./read_worker.js', import.meta.url), module: false }, // File reads, nested
};

/**
 * Starts worker `name` (a key of WORKERS); `options.query` adds search parameters to its URL (the
 * hung-worker test's stall flag). The URL goes through the page's Trusted Types policy.
 */
export function createWorker(name, options = {}) {
  const worker = Object.prototype.hasOwnProperty.call(WORKERS, name) ? WORKERS[name] : null;
  if (!worker) throw new Error(`unknown worker ${name}`);
  const url = worker.url();
  for (const [k, v] of Object.entries(options.query || {})) url.searchParams.set(k, v);
  return new Worker(workerScriptUrl(url), worker.module ? { type: 'module' } : undefined);
}
