// View state in the URL fragment, so that a link reproduces a view for anyone who opens the same
// capture file: which capture, which conversation tab and stream, the open view, the time range,
// the display filter. Only view settings go in the URL — never packet bytes or payload; values are
// short strings that components produce from their own state.
//
// Components join through a small registration API:
//   const scope = urlState.scope(file.name);          // one per open capture
//   scope.bind('conv', () => state.kind, (v) => showKind(v));
//   scope.changed();                                  // after the user changed something bound
//   urlState.bind('match', get, set);                 // page-wide keys (listed in GLOBAL_KEYS)
// `set(value)` is called once, at bind time, when the fragment the page was opened with (or a new
// fragment pasted later) has a value for that key; sets run one after another in bind order, and a
// set may return a promise (the next one waits for it: open the tab before selecting a row in it).
// `set(null)` is never called at bind time. Keys a component has not bound yet keep their value in
// the URL until it binds. Keys marked sensitive (the filter by default) are left out of the
// "link without filter" that the share dialog offers.
//
// Fragment format: URLSearchParams text, `#capture=<file name>&conv=tcp&stream=3&...`.

/** The key that names the capture the capture-scoped keys belong to. */
export const CAPTURE_KEY = 'capture';
/** Keys that belong to the whole page rather than to one capture (urlState.bind takes only these). */
export const GLOBAL_KEYS = new Set(['match', 'merged']);
/** Keys that may hold addresses or other values from a capture (left out of the filter-free link). */
export const SENSITIVE_KEYS = new Set(['filter']);
/** Longest value kept for one key (longer values are dropped, not cut). */
export const MAX_VALUE_LENGTH = 2048;
/** Keys are short lowercase words. */
const KEY_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** Parses a fragment ("#a=1&b=x y" or "a=1") into a Map (first value of a key wins). */
export function parseFragment(hash) {
  const out = new Map();
  const text = String(hash || '').replace(/^#/, '');
  if (!text) return out;
  for (const [key, value] of new URLSearchParams(text)) {
    if (!KEY_PATTERN.test(key) || out.has(key) || value.length > MAX_VALUE_LENGTH) continue;
    out.set(key, value);
  }
  return out;
}

/** Formats entries ([key, value] with string values; null/undefined/'' skipped) as "#k=v&…" or "". */
export function formatFragment(entries) {
  const params = new URLSearchParams();
  for (const [key, value] of entries) {
    if (value === null || value === undefined || value === '') continue;
    const text = String(value);
    if (!KEY_PATTERN.test(key) || text.length > MAX_VALUE_LENGTH) continue;
    params.append(key, text);
  }
  const text = params.toString();
  return text ? `#${text}` : '';
}

/**
 * Creates the registry. `win` supplies location, history and hashchange events (the page's window
 * by default; tests pass a stand-in).
 */
export function createUrlState(win = globalThis.window) {
  const global = makeBindings();
  const scopes = []; // live capture scopes, in creation order
  let restored = parseFragment(win && win.location ? win.location.hash : '');
  let restoredScope = null; // the scope that took the restored capture-scoped values
  let active = null; // the scope whose keys are in the URL
  let writeQueued = false;

  function makeBindings() {
    return { list: [], pending: new Map(), chain: Promise.resolve() };
  }

  function bindIn(target, key, get, set, options = {}) {
    if (!KEY_PATTERN.test(key) || key === CAPTURE_KEY) throw new Error(`url state: bad key ${key}`);
    if ((target === global) !== GLOBAL_KEYS.has(key)) throw new Error(`url state: ${key} is ${GLOBAL_KEYS.has(key) ? 'page-wide' : 'a capture key'}`);
    if (target.list.some((b) => b.key === key)) throw new Error(`url state: ${key} is bound twice`);
    const binding = { key, get, set, sensitive: Boolean(options.sensitive) || SENSITIVE_KEYS.has(key) };
    target.list.push(binding);
    apply(target, binding);
    return () => {
      const i = target.list.indexOf(binding);
      if (i >= 0) target.list.splice(i, 1);
    };
  }

  /** Hands a binding its pending value (if any), after every earlier set has finished. */
  function apply(target, binding) {
    if (!target.pending.has(binding.key)) return;
    const value = target.pending.get(binding.key);
    target.pending.delete(binding.key);
    target.chain = target.chain.then(() => binding.set(value)).catch((err) => {
      console.warn(`tracematch: could not restore ${binding.key} from the link: ${err && err.message}`);
    }).then(() => queueWrite());
  }

  function takeGlobal(values) {
    for (const [key, value] of values) if (GLOBAL_KEYS.has(key)) global.pending.set(key, value);
    for (const b of global.list.slice()) apply(global, b);
  }

  function entries({ withSensitive = true } = {}) {
    const out = [];
    const add = (key, value, sensitive) => {
      if (value === null || value === '') return;
      if (!withSensitive && (sensitive || SENSITIVE_KEYS.has(key))) return;
      if (out.some(([k]) => k === key)) return;
      out.push([key, value]);
    };
    for (const b of global.list) add(b.key, safeGet(b), b.sensitive);
    for (const [key, value] of global.pending) add(key, value, false);
    if (active) {
      out.push([CAPTURE_KEY, active.name]);
      for (const b of active.bindings.list) add(b.key, safeGet(b), b.sensitive);
      for (const [key, value] of active.bindings.pending) add(key, value, false);
    } else if (restored.has(CAPTURE_KEY) && !restoredScope) {
      // The link's capture is not open yet: keep its values for when it is.
      for (const [key, value] of restored) if (!out.some(([k]) => k === key)) out.push([key, value]);
    }
    return out;
  }

  function safeGet(binding) {
    try {
      const v = binding.get();
      return v === null || v === undefined ? null : String(v);
    } catch {
      return null;
    }
  }

  function queueWrite() {
    if (writeQueued) return;
    writeQueued = true;
    queueMicrotask(() => {
      writeQueued = false;
      write();
    });
  }

  function write() {
    if (!win || !win.history || !win.location) return;
    const hash = formatFragment(entries());
    if (hash === (win.location.hash || '')) return;
    const url = `${win.location.pathname}${win.location.search}${hash}`;
    win.history.replaceState(win.history.state, '', url || win.location.pathname);
  }

  /** The capture-scoped values of a fragment (everything but the capture and page-wide keys). */
  function scopedValues(values) {
    const out = new Map();
    for (const [key, value] of values) if (key !== CAPTURE_KEY && !GLOBAL_KEYS.has(key)) out.set(key, value);
    return out;
  }

  function giveRestored(scope) {
    restoredScope = scope;
    active = scope;
    for (const [key, value] of scopedValues(restored)) scope.bindings.pending.set(key, value);
    for (const b of scope.bindings.list.slice()) apply(scope.bindings, b);
  }

  if (win && typeof win.addEventListener === 'function') {
    // A link pasted into the open page: apply it to the capture it names, if that one is open.
    win.addEventListener('hashchange', () => {
      restored = parseFragment(win.location.hash);
      restoredScope = null;
      takeGlobal(restored);
      const name = restored.get(CAPTURE_KEY);
      const scope = scopes.find((s) => s.name === name);
      if (scope) giveRestored(scope);
    });
  }
  takeGlobal(restored);

  return {
    /** Binds a page-wide key; returns an unbind function. */
    bind(key, get, set, options) {
      return bindIn(global, key, get, set, options);
    },

    /** A capture's scope: bind its keys, tell when they changed, dispose when it closes. */
    scope(name) {
      const scope = {
        name: String(name),
        bindings: makeBindings(),
        /** Binds a key of this capture; returns an unbind function. */
        bind(key, get, set, options) {
          return bindIn(scope.bindings, key, get, set, options);
        },
        /** The user changed something bound here: this capture's state goes in the URL. */
        changed() {
          if (active !== scope) {
            // Another capture takes the URL: values restored for the previous one are dropped.
            if (active) active.bindings.pending.clear();
            active = scope;
          }
          queueWrite();
        },
        /** The capture closed. */
        dispose() {
          const i = scopes.indexOf(scope);
          if (i >= 0) scopes.splice(i, 1);
          if (active === scope) {
            active = null;
            queueWrite();
          }
        },
      };
      scopes.push(scope);
      if (!restoredScope && restored.get(CAPTURE_KEY) === scope.name) giveRestored(scope);
      // With no view in the URL yet (and no link waiting for another capture), a link made now is
      // about the capture just opened.
      else if (!active && !(restored.has(CAPTURE_KEY) && !restoredScope)) active = scope;
      return scope;
    },

    /** A page-wide value changed. */
    changed: queueWrite,

    /** The page's URL with the current view state; withSensitive false leaves the filter out. */
    link({ withSensitive = true } = {}) {
      const base = win.location.href.replace(/#.*$/, '');
      return `${base}${formatFragment(entries({ withSensitive }))}`;
    },

    /** True when the current state has a value for a sensitive key (a filter). */
    hasSensitive() {
      const full = entries();
      const without = entries({ withSensitive: false });
      return full.length !== without.length;
    },

    /** Waits until every restore step queued so far has run (tests and the share dialog). */
    settled() {
      return Promise.all([global.chain, ...scopes.map((s) => s.bindings.chain)]).then(() => undefined);
    },
  };
}

/** The page's registry (one per document). */
export const urlState = createUrlState();
