// The single-file build's replacement for www/platform.js in the page (swapped in by
// scripts/single_file.mjs). dist/tracematch.html carries the workers' code and the wasm inside
// itself: the page compiles the embedded wasm once and hands every worker it starts the compiled
// WebAssembly.Module and the code of the workers that one may start itself (start_worker.js).
import { WORKER_SOURCES, NESTED_WORKERS, WASM_BASE64 } from 'tracematch:embedded';
import { startEmbeddedWorker } from './start_worker.js';

/** True in the single self-contained HTML file. */
export const SINGLE_FILE = true;

let env = null;

/** Decodes standard base64 into bytes. */
function decodeBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** { module, sources }: the embedded wasm compiled once, and the nested workers' code. */
function workerEnv() {
  if (!env) {
    const sources = Object.fromEntries(NESTED_WORKERS.map((name) => [name, WORKER_SOURCES[name]]));
    env = WebAssembly.compile(decodeBase64(WASM_BASE64)).then((module) => ({ module, sources }));
  }
  return env;
}

/** Starts worker `name` ("index" or "match" from the page) from its embedded code. */
export function createWorker(name) {
  const source = Object.prototype.hasOwnProperty.call(WORKER_SOURCES, name) ? WORKER_SOURCES[name] : undefined;
  return startEmbeddedWorker(name, source, workerEnv());
}
