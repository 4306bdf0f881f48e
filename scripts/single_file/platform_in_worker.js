// The single-file build's replacement for www/platform.js inside workers: a worker starts its nested
// workers (read, analysis) from the code its own starter posted, and hands them the same wasm
// module and code in turn.
import { startEmbeddedWorker } from './start_worker.js';
import { workerEnv, currentEnv } from './worker_env.js';

/** True in the single self-contained HTML file. */
export const SINGLE_FILE = true;

/**
 * Starts nested worker `name`. Workers start theirs only after their wasm is initialised, when
 * the code has arrived; before that this throws (the callers then work on their own thread).
 */
export function createWorker(name) {
  const env = currentEnv();
  if (!env) throw new Error('the embedded workers have not arrived yet');
  return startEmbeddedWorker(name, env.sources[name], workerEnv);
}
