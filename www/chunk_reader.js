// Reading a File as a sequence of big chunks, for the workers that feed it to wasm. Reads happen in a
// nested read worker (www/read_worker.js) so they overlap with the caller's wasm work; where nested
// workers are unavailable (none can be made, or the read worker fails to load, e.g. a page whose
// workers are blob: URLs), reads continue on the caller's thread from where the worker stopped,
// the next one started before the current chunk is handed over.
import { createWorker } from './platform.js';
import { adoptChild, releaseChild } from './worker_children.js';

/** Chunks read ahead of the consumer (each DEFAULT_CHUNK_BYTES, 16 MiB): bounds the memory in flight. */
const READ_AHEAD = 2;

/**
 * Yields the bytes of `file` from `start` in order as ArrayBuffers of at most `chunkBytes`.
 * `options.ahead` sets the read-ahead; `options.nested === false` forces reads on this thread;
 * `options.workerUrl` replaces the read worker's URL (a bundle that inlines it).
 * Breaking out of the loop stops the reader.
 */
export async function* readChunks(file, chunkBytes, options = {}) {
  const ahead = options.ahead || READ_AHEAD;
  const nested = options.nested !== false && typeof Worker === 'function';
  let reader = null;
  if (nested) {
    try {
      reader = options.workerUrl ? new Worker(options.workerUrl) : createWorker('read');
      adoptChild(reader); // throws (and terminates it) when this worker is closing
    } catch (err) {
      reader = null; // e.g. a context that forbids nested workers: read on this thread instead
    }
  }
  if (!reader) {
    yield* readOnThisThread(file, chunkBytes, options.start || 0);
    return;
  }
  const queue = [];
  let finished = false;
  let failure = null;
  let workerFailed = false; // the read worker itself died (not a read error): carry on here
  let wake = null;
  const notify = () => {
    if (wake) {
      const w = wake;
      wake = null;
      w();
    }
  };
  reader.onmessage = (e) => {
    const msg = e.data || {};
    if (msg.chunk) queue.push(msg.chunk);
    else if (msg.done) finished = true;
    else if (msg.error) failure = new Error(`reading the file failed: ${msg.error}`);
    notify();
  };
  reader.onerror = (e) => {
    if (e.preventDefault) e.preventDefault();
    workerFailed = true;
    notify();
  };
  let offset = options.start || 0;
  reader.postMessage({ file, start: offset, chunkBytes, ahead });
  try {
    for (;;) {
      while (queue.length === 0 && !finished && !failure && !workerFailed) await new Promise((resolve) => { wake = resolve; });
      if (failure) throw failure;
      if (queue.length === 0) {
        if (workerFailed && !finished) yield* readOnThisThread(file, chunkBytes, offset);
        return;
      }
      const chunk = queue.shift();
      offset += chunk.byteLength;
      reader.postMessage({ credit: 1 });
      yield chunk;
    }
  } finally {
    reader.postMessage({ stop: true });
    reader.terminate();
    releaseChild(reader);
  }
}

async function* readOnThisThread(file, chunkBytes, start) {
  const read = (at) => file.slice(at, Math.min(file.size, at + chunkBytes)).arrayBuffer();
  let offset = start;
  let next = offset < file.size ? read(offset) : null;
  while (next) {
    const buffer = await next;
    offset += buffer.byteLength;
    next = offset < file.size && buffer.byteLength > 0 ? read(offset) : null;
    if (buffer.byteLength === 0) return;
    yield buffer;
  }
}
