// The single-file build's replacement for www/platform.js (swapped in by scripts/single_file.mjs).
// dist/tracematch.html carries the workers' code and the wasm inside itself: each worker starts as a
// classic worker from a blob: URL (a module worker from blob: fails silently under file://), and the
// page compiles the embedded wasm once and posts the WebAssembly.Module to every worker it starts.
import { WORKER_SOURCES, WASM_BASE64 } from 'tracematch:embedded';

/** True in the single self-contained HTML file. */
export const SINGLE_FILE = true;

/** The message that carries the compiled module (read by scripts/single_file/wasm_in_worker.js). */
const WASM_MESSAGE = 'tracematchWasmModule';
const WASM_ERROR_MESSAGE = 'tracematchWasmError';

let compiled = null;
const workerUrls = new Map(); // name → blob: URL of that worker's code (made once)

/** Decodes standard base64 into bytes. */
function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The embedded wasm, compiled once for the page's lifetime. */
function wasmModule() {
  if (!compiled) compiled = WebAssembly.compile(decodeBase64(WASM_BASE64));
  return compiled;
}

// Trusted Types (required by the single file's CSP): the only script URLs the page ever creates
// are the blob: URLs of its own embedded workers.
const policy = globalThis.trustedTypes
  ? globalThis.trustedTypes.createPolicy('tracematch-workers', {
    createScriptURL(url) {
      if (![...workerUrls.values()].includes(url)) throw new TypeError('not an embedded tracematch worker');
      return url;
    },
  })
  : null;

/** Starts worker `name` ("index" or "match") from its embedded code and hands it the wasm. */
export function createWorker(name) {
  if (!Object.prototype.hasOwnProperty.call(WORKER_SOURCES, name)) throw new Error(`unknown worker ${name}`);
  if (!workerUrls.has(name)) {
    workerUrls.set(name, URL.createObjectURL(new Blob([WORKER_SOURCES[name]], { type: 'text/javascript' })));
  }
  const url = workerUrls.get(name);
  const worker = new Worker(policy ? policy.createScriptURL(url) : url);
  wasmModule().then(
    (module) => worker.postMessage({ [WASM_MESSAGE]: module }),
    (err) => worker.postMessage({ [WASM_ERROR_MESSAGE]: String((err && err.message) || err) }),
  );
  return worker;
}
