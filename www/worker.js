// The indexing worker: one per open capture. It owns the wasm CaptureHandle, streams the File into
// it in big reads (made by a nested read worker while wasm indexes the current chunk), reports
// progress, and answers the page's queries (conversations, frames of a stream, packet rows read back
// from the File, Follow pages, HTTP messages and export objects, sessions; statistics via a nested
// analysis worker).
import init, { CaptureHandle, StatsHandle, lastPanicMessage } from './pkg/tracematch.js';
import { rpcClient, rpcServe, transfer } from './rpc.js';
import { DEFAULT_CHUNK_BYTES } from './state.js';
import { readChunks } from './chunk_reader.js';
import { computeStats } from './stats_feed.js';

/** Minimum time between two progress events. */
const PROGRESS_INTERVAL_MS = 100;

let ready = null;
let wasmExports = null;
let handle = null;
let file = null;
let cancelRequested = false;
const statsByInterval = new Map(); // interval ms → promise of { io, endpoints, expert }

/** Statistics computed by a short-lived nested analysis worker (its memory goes with it). */
async function statsElsewhere(intervalMs) {
  const w = new Worker(new URL('./analysis_worker.js', import.meta.url), { type: 'module' });
  const rpc = rpcClient(w);
  try {
    return await rpc.call('stats', [file, intervalMs]);
  } finally {
    rpc.close();
    w.terminate();
  }
}

/** Runs a wasm call; a Rust panic (a trap) is reported with the panic's own message. */
function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    const panic = typeof lastPanicMessage === 'function' ? lastPanicMessage() : undefined;
    if (panic) throw new Error(`the indexer crashed: ${panic}`);
    throw err;
  }
}

/** Size of the wasm linear memory (it only grows), or 0 before the module is loaded. */
function wasmMemoryBytes() {
  return wasmExports && wasmExports.memory ? wasmExports.memory.buffer.byteLength : 0;
}

function requireHandle() {
  if (!handle) throw new Error('no capture indexed in this worker');
  return handle;
}

const emit = rpcServe(self, {
  /**
   * Indexes `f`; resolves to { summary, elapsedMs, wasmMs } when the file is read, damaged or
   * cancelled (wasmMs: time spent in the indexer itself, the rest is waiting for reads).
   */
  async index(f, chunkBytes = DEFAULT_CHUNK_BYTES) {
    ready = ready || init().catch((err) => {
      throw new Error(`could not load the wasm module (was scripts/build.sh run?): ${err.message}`);
    });
    wasmExports = await ready;
    if (handle) throw new Error('this worker already indexed a capture');
    file = f;
    handle = guarded(() => new CaptureHandle());
    const started = performance.now();
    let lastEmit = started;
    let offset = 0;
    let wasmMs = 0; // time inside handle.push: the rest of elapsedMs is waiting for reads
    // Reads run in a nested read worker, overlapping with the wasm work on this thread.
    for await (const buffer of readChunks(f, chunkBytes)) {
      if (cancelRequested) break;
      offset += buffer.byteLength;
      const pushStarted = performance.now();
      guarded(() => handle.push(new Uint8Array(buffer)));
      wasmMs += performance.now() - pushStarted;
      const now = performance.now();
      const last = offset >= f.size;
      if (now - lastEmit >= PROGRESS_INTERVAL_MS || last) {
        lastEmit = now;
        const p = guarded(() => handle.progress());
        emit('progress', { bytes: offset, frames: p.frames, elapsedMs: now - started, wasmBytes: wasmMemoryBytes() });
        // Damage stops the core; reading the rest of the file would be wasted time.
        if (!last && guarded(() => handle.summary()).error) break;
      }
    }
    guarded(() => (cancelRequested ? handle.cancel() : handle.finish()));
    const summary = guarded(() => handle.summary());
    return { summary, elapsedMs: performance.now() - started, wasmMs };
  },

  /**
   * Benchmark baseline: a plain JavaScript read of `f` on this worker's thread (same slice size as
   * index(), the next read started before the current one is touched) that hands the bytes to
   * nobody. Resolves to { bytes, elapsedMs }: the browser's read ceiling.
   */
  async readCeiling(f, chunkBytes = DEFAULT_CHUNK_BYTES) {
    const started = performance.now();
    let offset = 0;
    let checksum = 0;
    const read = (at) => f.slice(at, Math.min(f.size, at + chunkBytes)).arrayBuffer();
    let next = f.size > 0 ? read(0) : null;
    while (next) {
      const buffer = await next;
      offset += buffer.byteLength;
      next = offset < f.size && buffer.byteLength > 0 ? read(offset) : null;
      // Touch the data once so the read cannot be optimised away.
      checksum = (checksum + new Uint8Array(buffer)[0]) | 0;
    }
    return { bytes: offset, elapsedMs: performance.now() - started, checksum };
  },

  /** Asks the running index() to stop after the current chunk (results so far are kept). */
  cancel() {
    cancelRequested = true;
    return true;
  },

  /** The conversation table for kind ("tcp" | "udp" | "ip"). */
  conversations(kind) {
    return guarded(() => requireHandle().conversations(kind));
  },

  /** Frame numbers of a stream (ip: of the n-th ip row), as a transferred Uint32Array. */
  framesOfStream(kind, stream) {
    const frames = guarded(() => requireHandle().framesOfStream(kind, stream));
    return transfer(frames, [frames.buffer]);
  },

  /** Packet-list rows for the given frame numbers, read back from the File. */
  packetRows(frames) {
    return guarded(() => requireHandle().packetRows(Uint32Array.from(frames), file));
  },

  /** Starts following a TCP/UDP stream (one at a time per capture): its banner. */
  followStart(proto, stream) {
    return guarded(() => requireHandle().followStart(proto, stream, file));
  },

  /** The next page of the followed stream; its bytes (one Uint8Array) are transferred. */
  followNext(maxBytes) {
    const page = guarded(() => requireHandle().followNext(maxBytes, file));
    return transfer(page, [page.bytes.buffer]);
  },

  /** HTTP messages of a TCP stream with decoded bodies (transferred Uint8Arrays). */
  httpMessages(stream) {
    const messages = guarded(() => requireHandle().httpMessages(stream, file));
    return transfer(messages, messages.filter((m) => m.body).map((m) => m.body.buffer));
  },

  /** The TLS handshake summary of a TCP stream, or null. */
  tlsSummary(stream) {
    return guarded(() => requireHandle().tlsSummary(stream, file));
  },

  /** Export objects of the whole capture (no bodies). */
  exportObjects() {
    return guarded(() => requireHandle().exportObjects(file));
  },

  /** One export object's decoded body. */
  exportObjectBody(stream, frame) {
    const body = guarded(() => requireHandle().exportObjectBody(stream, frame, file));
    return transfer(body, [body.buffer]);
  },

  /**
   * IO graph rows for `intervalMs`, endpoints and Expert Info: one more read of the File, in a
   * nested analysis worker so this worker keeps answering (here if that worker cannot start).
   */
  stats(intervalMs = 1000) {
    if (!file) throw new Error('no capture indexed in this worker');
    if (!statsByInterval.has(intervalMs)) {
      statsByInterval.set(intervalMs, statsElsewhere(intervalMs).catch(
        () => computeStats(file, intervalMs, DEFAULT_CHUNK_BYTES, StatsHandle, guarded)));
    }
    return statsByInterval.get(intervalMs);
  },

  /**
   * Session details and ladder of TCP stream `stream` (null when it has no packets), from the
   * stream's own frames read back through the index.
   */
  session(stream) {
    return guarded(() => requireHandle().session(stream, file));
  },
});
