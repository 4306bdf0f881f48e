// Reading a File as a sequence of big chunks, for the workers that feed it to wasm. Reads happen in a
// nested read worker (www/read_worker.js) so they overlap with the caller's wasm work; where nested
// workers are unavailable, reads happen on the caller's thread, the next one started before the
// current chunk is handed over.

/** Chunks read ahead of the consumer (each DEFAULT_CHUNK_BYTES, 16 MiB): bounds the memory in flight. */
const READ_AHEAD = 2;

/**
 * Yields the bytes of `file` from `start` in order as ArrayBuffers of at most `chunkBytes`.
 * `options.ahead` sets the read-ahead; `options.nested === false` forces reads on this thread.
 * Breaking out of the loop stops the reader.
 */
export async function* readChunks(file, chunkBytes, options = {}) {
  const ahead = options.ahead || READ_AHEAD;
  const nested = options.nested !== false && typeof Worker === 'function';
  let reader = null;
  if (nested) {
    try {
      reader = new Worker(new URL('./read_worker.js', import.meta.url));
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
    failure = new Error(e.message || 'the read worker failed');
    notify();
  };
  reader.postMessage({ file, start: options.start || 0, chunkBytes, ahead });
  try {
    for (;;) {
      while (queue.length === 0 && !finished && !failure) await new Promise((resolve) => { wake = resolve; });
      if (failure) throw failure;
      if (queue.length === 0) return;
      const chunk = queue.shift();
      reader.postMessage({ credit: 1 });
      yield chunk;
    }
  } finally {
    reader.postMessage({ stop: true });
    reader.terminate();
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
