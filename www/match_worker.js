// The match worker: one per match run. It streams each File into the wasm MatchHandle in big slices
// (read by a nested read worker while this thread pushes the current one), emits progress, and
// returns the matcher's report (the same object as `tracematch match --json --flow`). The handle
// of the last run stays alive so that `packetDiff` can list one match's packets side by side on
// demand (the view terminates the worker when it starts another run or closes). All matching
// happens in the core.
import init, { MatchHandle, lastPanicMessage } from './pkg/tracematch.js';
import { rpcServe } from './rpc.js';
import { closeChildren } from './worker_children.js';
import { DEFAULT_CHUNK_BYTES } from './state.js';
import { readChunks } from './chunk_reader.js';

/** Minimum time between two progress events. */
const PROGRESS_INTERVAL_MS = 100;

let ready = null;
/** The MatchHandle of the last successful run (kept for packetDiff). */
let lastHandle = null;

/** Runs a wasm call; a Rust panic (a trap) is reported with the panic's own message. */
function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    const panic = typeof lastPanicMessage === 'function' ? lastPanicMessage() : undefined;
    if (panic) throw new Error(`the matcher crashed: ${panic}`);
    throw err;
  }
}

const emit = rpcServe(self, {
  /** Before this worker is terminated: its read workers close first (worker_children.js). */
  closeChildren: () => closeChildren(),
  /**
   * Matches `captures` ([{ file, label }], in order; at least two). Resolves to
   * { report, elapsedMs }.
   */
  async match(captures, chunkBytes = DEFAULT_CHUNK_BYTES) {
    ready = ready || init().catch((err) => {
      throw new Error(`could not load the wasm module (was scripts/build.sh run?): ${err.message}`);
    });
    await ready;
    if (lastHandle) {
      lastHandle.free();
      lastHandle = null;
    }
    const handle = guarded(() => new MatchHandle());
    const started = performance.now();
    try {
      let lastEmit = started;
      for (const [index, { file, label }] of captures.entries()) {
        guarded(() => handle.begin(file.name, label));
        let offset = 0;
        for await (const buffer of readChunks(file, chunkBytes)) {
          offset += buffer.byteLength;
          guarded(() => handle.push(new Uint8Array(buffer)));
          const now = performance.now();
          if (now - lastEmit >= PROGRESS_INTERVAL_MS || offset >= file.size) {
            lastEmit = now;
            emit('progress', { index, bytes: offset, size: file.size });
          }
        }
        guarded(() => handle.endCapture());
      }
      emit('progress', { phase: 'matching' });
      const report = guarded(() => handle.run());
      lastHandle = handle;
      return { report, elapsedMs: performance.now() - started };
    } finally {
      if (lastHandle !== handle) handle.free();
    }
  },

  /**
   * The per-packet diff of one match of the last run: pair index (the report's pair order),
   * proto, A stream, B stream. Resolves to { proto, a_stream, b_stream, rows, truncated } or null
   * when the match is not packet level.
   */
  packetDiff(pair, proto, aStream, bStream) {
    if (!lastHandle) throw new Error('no match run yet');
    return guarded(() => lastHandle.packetDiff(pair, proto, aStream, bStream));
  },
});
