// Hung-worker detection and restart for a capture's indexing worker.
//
// `superviseWorker` owns the Worker and hands out one RPC object whose underlying client can be
// replaced: after `restart()` (terminate, start a new worker) every view that holds the RPC keeps
// working with the new worker. `createWatchdog` declares the worker hung when no progress event
// arrived for `timeoutMs` while indexing (the worker reports progress at least every 100 ms of work).
import { rpcClient } from './rpc.js';

/** No progress for this long while indexing = the worker is not responding. */
export const DEFAULT_HANG_MS = 15000;

/**
 * The hang timeout and the test-only stall flag from the page's query string:
 * `?hang-ms=N` (at least 200) shortens the timeout; `?test-stall-worker=1` makes the *first*
 * worker of each capture block after its first chunk (so an end-to-end test can exercise the
 * hung-worker path; a restarted worker never stalls). Neither changes results.
 */
export function supervisionFromQuery(search) {
  const q = new URLSearchParams(search || '');
  const ms = Number(q.get('hang-ms'));
  return {
    hangMs: Number.isFinite(ms) && ms >= 200 ? ms : DEFAULT_HANG_MS,
    stallFirstWorker: q.get('test-stall-worker') === '1',
  };
}

/**
 * A watchdog: `start()` arms it, `beat()` re-arms it, `stop()` disarms it for good. `onHung` is
 * called once when `timeoutMs` passes without a beat.
 */
export function createWatchdog({ timeoutMs, onHung, setTimer = setTimeout, clearTimer = clearTimeout }) {
  let timer = null;
  let stopped = false;
  const clear = () => {
    if (timer !== null) clearTimer(timer);
    timer = null;
  };
  const arm = () => {
    clear();
    if (stopped) return;
    timer = setTimer(() => {
      timer = null;
      if (!stopped) {
        stopped = true;
        onHung();
      }
    }, timeoutMs);
  };
  return {
    start: arm,
    beat: arm,
    stop() {
      stopped = true;
      clear();
    },
  };
}

/** How long a closing worker gets to close its nested workers before it is terminated anyway. */
export const RETIRE_MS = 5000;

/**
 * Terminates `worker` after asking it (through `client`, its rpcClient) to close its nested
 * workers first (worker_children.js) — at most `timeoutMs`, so a hung worker still goes.
 * Outstanding calls reject with `reason` at once. Resolves once the worker is terminated.
 */
export async function retireWorker(worker, client, reason = 'closed', timeoutMs = RETIRE_MS) {
  const asked = client.lastCall('closeChildren', [], reason).catch(() => {});
  await Promise.race([asked, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
  worker.terminate();
  client.close(reason);
}

/**
 * Starts a worker with `makeWorker({ query })` (e.g. platform.js's createWorker) and returns
 * { rpc, restart(), terminate(), attempt }. `stallFirstWorker` passes the test-only stall flag
 * (`query: { 'test-stall': '1' }`) to the first worker.
 */
export function superviseWorker(makeWorker, { stallFirstWorker = false } = {}) {
  const start = (attempt) => makeWorker(stallFirstWorker && attempt === 0 ? { query: { 'test-stall': '1' } } : {});
  let attempt = 0;
  let worker = start(attempt);
  let client = rpcClient(worker);
  const listeners = new Map(); // event name → Set of functions
  const relay = (name) => client.on(name, (data) => {
    for (const fn of listeners.get(name) || []) fn(data);
  });

  const rpc = {
    call: (method, args, transferList) => client.call(method, args, transferList),
    on(name, fn) {
      if (!listeners.has(name)) {
        listeners.set(name, new Set());
        relay(name);
      }
      listeners.get(name).add(fn);
      return () => listeners.get(name).delete(fn);
    },
    close: (reason) => client.close(reason),
  };

  return {
    rpc,
    get attempt() { return attempt; },
    /** Terminates the current worker (outstanding calls reject) and starts a fresh one. */
    restart() {
      worker.terminate();
      client.close('the worker was restarted');
      attempt += 1;
      worker = start(attempt);
      client = rpcClient(worker);
      for (const name of listeners.keys()) relay(name);
    },
    terminate() {
      worker.terminate();
    },
    /** Closes the worker's nested workers, then terminates it (retireWorker); for closing a capture. */
    retire(reason = 'closed') {
      return retireWorker(worker, client, reason);
    },
  };
}
