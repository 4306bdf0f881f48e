// Inside a single-file worker: stands in for www/pkg/tracematch.js (the wasm-bindgen glue). It
// re-exports the glue, but its default export (init) instantiates the WebAssembly.Module that the
// page posts as the worker's first message (scripts/single_file/platform.js) instead of fetching
// tracematch_bg.wasm, which does not exist next to a single file.
import initFromModule from '../../www/pkg/tracematch.js';

export * from '../../www/pkg/tracematch.js';

const moduleArrived = new Promise((resolve, reject) => {
  self.addEventListener('message', function onMessage(e) {
    const data = e.data;
    if (!data || typeof data !== 'object') return;
    if (data.tracematchWasmModule instanceof WebAssembly.Module) {
      self.removeEventListener('message', onMessage);
      resolve(data.tracematchWasmModule);
    } else if (typeof data.tracematchWasmError === 'string') {
      self.removeEventListener('message', onMessage);
      reject(new Error(`the page could not compile the embedded wasm: ${data.tracematchWasmError}`));
    }
  });
});

/** Initialises the wasm from the module the page posted (same contract as the glue's init). */
export default async function init() {
  return initFromModule({ module_or_path: await moduleArrived });
}
