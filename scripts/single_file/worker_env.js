// Inside a single-file worker: what its starter posts first (scripts/single_file/start_worker.js) —
// the compiled WebAssembly.Module and the code of the workers this one may start (nested read and
// analysis workers). Listens from the moment the worker's code runs, before anything else.
import { ENV_MESSAGE } from './start_worker.js';

let current = null;

/** Resolves to { module, sources } once the starter's message arrived; rejects on its error. */
export const workerEnv = new Promise((resolve, reject) => {
  self.addEventListener('message', function onMessage(e) {
    const env = e.data && typeof e.data === 'object' ? e.data[ENV_MESSAGE] : undefined;
    if (!env || typeof env !== 'object') return;
    self.removeEventListener('message', onMessage);
    if (typeof env.error === 'string') {
      reject(new Error(`the page could not compile the embedded wasm: ${env.error}`));
    } else if (env.module instanceof WebAssembly.Module) {
      current = { module: env.module, sources: env.sources || {} };
      resolve(current);
    } else {
      reject(new Error('the page sent no wasm module'));
    }
  });
});
workerEnv.catch(() => {}); // reported where it is awaited (init)

/** The environment if it has arrived, else null. */
export function currentEnv() {
  return current;
}
