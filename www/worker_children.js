// The nested workers a worker has started (read workers, the analysis worker), so that closing a
// capture takes its worker tree down from the leaves up. Terminating a worker while one of its
// nested workers is itself starting a worker can leave that part of the tree running in Chromium
// (seen with the release build: the closed capture's worker and its analysis worker stayed alive
// until the page closed). So before a worker is terminated its parent asks it to close its own
// children first (`closeChildren`): from then on it starts no new ones (`adoptChild` refuses, and
// the callers carry on without — reads on their own thread), and every child is asked the same,
// then terminated.

const children = new Map(); // Worker → function asking it to close its own children, or null
let closing = false;

/**
 * Records `worker` as a child of this worker; `closeItsChildren` (optional, returns a promise) asks
 * it to close its own nested workers. Throws (and terminates `worker`) once this worker is closing.
 */
export function adoptChild(worker, closeItsChildren = null) {
  if (closing) {
    worker.terminate();
    throw new Error('this worker is closing: it starts no more nested workers');
  }
  children.set(worker, closeItsChildren);
}

/** Forgets `worker` (the caller terminated it). */
export function releaseChild(worker) {
  children.delete(worker);
}

/** True once closeChildren() was called: nothing new should start. */
export function isClosing() {
  return closing;
}

/** Resolves with `promise`, or after `ms` whichever is first (a hung child must not block). */
function within(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
}

/**
 * Stops starting children, asks each child to close its own (at most `timeoutMs`), then terminates
 * every child. Resolves with the number of children terminated.
 */
export async function closeChildren(timeoutMs = 2000) {
  closing = true;
  const all = [...children];
  children.clear();
  await Promise.all(all.map(async ([worker, closeItsChildren]) => {
    if (closeItsChildren) {
      try { await within(Promise.resolve().then(closeItsChildren), timeoutMs); } catch (err) { /* terminated below anyway */ }
    }
    worker.terminate();
  }));
  return all.length;
}
