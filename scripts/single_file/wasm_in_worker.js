// Inside a single-file worker: stands in for www/pkg/tracematch.js (the wasm-bindgen glue). It
// re-exports the glue, but its default export (init) instantiates the WebAssembly.Module that the
// worker's starter posts first (worker_env.js) instead of fetching tracematch_bg.wasm, which does
// not exist next to a single file.
import initFromModule from '../../www/pkg/tracematch.js';
import { workerEnv } from './worker_env.js';

export * from '../../www/pkg/tracematch.js';

/** Initialises the wasm from the module the starter posted (same contract as the glue's init). */
export default async function init() {
  const { module } = await workerEnv;
  return initFromModule({ module_or_path: module });
}
