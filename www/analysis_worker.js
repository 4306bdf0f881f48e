// The analysis worker: a nested worker of a capture's worker that computes whole-capture
// statistics (IO graph intervals, top talkers, endpoints, Expert Info, protocol hierarchy, ESP series) with its
// own wasm instance, reading the File again, and the protocol hierarchy's http / tls nodes from a saved copy
// of the capture's index. Running it here keeps the capture's worker free for what the person is doing
// (following a stream, opening a session) while statistics are computed on the other core.
import init, { CaptureHandle, StatsHandle, lastPanicMessage } from './pkg/tracematch.js';
import { rpcServe } from './rpc.js';
import { closeChildren } from './worker_children.js';
import { computeStats } from './stats_feed.js';
import { DEFAULT_CHUNK_BYTES } from './state.js';

let ready = null;

/** Runs a wasm call; a Rust panic (a trap) is reported with the panic's own message. */
function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    const panic = typeof lastPanicMessage === 'function' ? lastPanicMessage() : undefined;
    if (panic) throw new Error(`the statistics crashed: ${panic}`);
    throw err;
  }
}

rpcServe(self, {
  /** Before this worker is terminated: its read worker closes first (worker_children.js). */
  closeChildren: () => closeChildren(),
  /**
   * `{ io, talkers, endpoints, expert, phs, esp }` of `file` with IO intervals of `intervalMs`;
   * with `filter`, of the frames that display filter shows.
   */
  async stats(file, intervalMs = 1000, chunkBytes = DEFAULT_CHUNK_BYTES, filter = null) {
    ready = ready || init();
    await ready;
    // Reads on this thread: a nested worker of a nested worker is the one tree shape Chromium was
    // seen to leave running when the capture's worker was terminated while this one started it
    // (worker_children.js); statistics run beside the indexer, so their read overlap matters less.
    return computeStats(file, intervalMs, chunkBytes, StatsHandle, guarded, { nested: false }, filter);
  },
  /**
   * The protocol hierarchy's http / tls nodes of `file` (CaptureHandle.appHierarchy) from
   * `indexBytes`, the capture worker's CaptureHandle.savedIndex of the same file.
   */
  async appHierarchy(file, indexBytes) {
    ready = ready || init();
    await ready;
    const handle = guarded(() => CaptureHandle.fromSavedIndex(indexBytes));
    try {
      return guarded(() => handle.appHierarchy(file));
    } finally {
      handle.free();
    }
  },
});
