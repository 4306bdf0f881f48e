// Promise RPC over postMessage between the page and a worker (in the spirit of pdf.js's
// message_handler): calls carry an id, replies resolve or reject the matching promise, errors are
// rebuilt as Error objects on the caller's side, and the worker can also emit events (progress).
//
// Messages: {call, id, method, args} → {reply, id, ok, value | error: {name, message}};
//           {event, name, data} from the worker.

/** The page's side: wraps a Worker (or any MessagePort-like object). */
export function rpcClient(port) {
  let nextId = 1;
  const pending = new Map();
  const listeners = new Map();
  let broken = null;

  const failAll = (error) => {
    broken = error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };

  port.addEventListener('message', (e) => {
    const msg = e.data;
    if (!msg || typeof msg !== 'object') return;
    if (msg.reply !== undefined) {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(rebuildError(msg.error));
    } else if (msg.event !== undefined) {
      for (const fn of listeners.get(msg.event) || []) fn(msg.data);
    }
  });
  // A worker that fails to load or dies rejects every outstanding call.
  port.addEventListener('error', (e) => {
    if (e.preventDefault) e.preventDefault();
    failAll(new Error(e.message || 'the worker failed to start'));
  });
  port.addEventListener('messageerror', () => failAll(new Error('a worker message could not be decoded')));
  if (port.start) port.start();

  return {
    /** Calls `method` in the worker; `transfer` lists transferable objects in `args`. */
    call(method, args = [], transfer = []) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        port.postMessage({ call: true, id, method, args }, transfer);
      });
    },
    /** Subscribes to an event emitted by the worker; returns an unsubscribe function. */
    on(name, fn) {
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(fn);
      return () => listeners.get(name).delete(fn);
    },
    /**
     * Rejects outstanding calls with `reason`, as close() does, and makes one last call of `method`
     * (its promise answers; every later call rejects): a closing view's late results never arrive,
     * while the worker still gets to tidy up before it is terminated.
     */
    lastCall(method, args = [], reason = 'closed') {
      failAll(new Error(reason));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        port.postMessage({ call: true, id, method, args });
      });
    },
    /** Rejects outstanding calls (used when the worker is terminated). */
    close(reason = 'closed') {
      failAll(new Error(reason));
    },
  };
}

/**
 * The worker's side: serves `handlers` (method name → function returning a value or a promise).
 * A handler may return `transfer(value, list)` to move buffers instead of copying them.
 * Returns `emit(name, data)` for events.
 */
export function rpcServe(scope, handlers) {
  scope.addEventListener('message', async (e) => {
    const msg = e.data;
    if (!msg || msg.call === undefined) return;
    const { id, method, args } = msg;
    try {
      const fn = Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method] : null;
      if (typeof fn !== 'function') throw new Error(`unknown method ${method}`);
      const result = await fn(...(args || []));
      if (result instanceof Transfer) scope.postMessage({ reply: true, id, ok: true, value: result.value }, result.list);
      else scope.postMessage({ reply: true, id, ok: true, value: result });
    } catch (err) {
      scope.postMessage({ reply: true, id, ok: false, error: serializeError(err) });
    }
  });
  return (name, data) => scope.postMessage({ event: name, data });
}

class Transfer {
  constructor(value, list) {
    this.value = value;
    this.list = list;
  }
}

/** Marks a handler's result for transfer: `return transfer(frames, [frames.buffer])`. */
export function transfer(value, list) {
  return new Transfer(value, list);
}

/** An error as plain data that survives postMessage. */
export function serializeError(err) {
  if (err && typeof err === 'object') return { name: String(err.name || 'Error'), message: String(err.message || err) };
  return { name: 'Error', message: String(err) };
}

/** Rebuilds an Error from serializeError's data. */
export function rebuildError(data) {
  const e = new Error(data && data.message ? data.message : 'unknown error in the worker');
  if (data && data.name) e.name = data.name;
  return e;
}
