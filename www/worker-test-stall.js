// Test-only hook of the indexing worker: a worker started with `?test-stall=1` in its URL (the page
// adds it to the first worker of a capture when the page itself was opened with
// `?test-stall-worker=1`, see worker-supervisor.js) blocks its event loop after the first chunk, as
// a worker stuck in wasm would. The end-to-end test of the hung-worker path uses it; without the
// flag this module does nothing.

/** True when this worker was asked to stall. */
export const stallRequested = new URL(self.location.href).searchParams.get('test-stall') === '1';

/** Blocks (up to 10 minutes; the page terminates the worker long before) when asked to stall. */
export function stallIfRequested() {
  if (!stallRequested) return;
  const until = Date.now() + 10 * 60 * 1000;
  while (Date.now() < until) {
    // Blocked on purpose: no progress, no replies.
  }
}
