// Unit tests for www/worker-supervisor.js (watchdog, query flags, restart keeping the RPC object)
// and www/trusted-types.js (which worker script URLs the page's policy accepts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWatchdog, supervisionFromQuery, superviseWorker, DEFAULT_HANG_MS } from '../../www/worker-supervisor.js';
import { checkWorkerUrl } from '../../www/trusted-types.js';

function fakeTimers() {
  let now = 0;
  const timers = new Map();
  let next = 1;
  return {
    setTimer: (fn, ms) => { timers.set(next, { at: now + ms, fn }); return next++; },
    clearTimer: (id) => timers.delete(id),
    advance(ms) {
      now += ms;
      for (const [id, t] of [...timers]) if (t.at <= now) { timers.delete(id); t.fn(); }
    },
  };
}

test('the watchdog fires once after the timeout without beats, never after stop', () => {
  const t = fakeTimers();
  let hung = 0;
  const dog = createWatchdog({ timeoutMs: 1000, onHung: () => hung++, ...t });
  dog.start();
  t.advance(900); dog.beat();
  t.advance(900); dog.beat();
  t.advance(900);
  assert.equal(hung, 0, 'beats keep it quiet');
  t.advance(200);
  assert.equal(hung, 1);
  dog.beat(); t.advance(5000);
  assert.equal(hung, 1, 'fires once');
  const quiet = createWatchdog({ timeoutMs: 1000, onHung: () => hung++, ...t });
  quiet.start(); quiet.stop(); t.advance(5000);
  assert.equal(hung, 1, 'a stopped watchdog never fires');
});

test('query flags: hang timeout and the test-only stall', () => {
  assert.deepEqual(supervisionFromQuery(''), { hangMs: DEFAULT_HANG_MS, stallFirstWorker: false });
  assert.deepEqual(supervisionFromQuery('?hang-ms=1500&test-stall-worker=1'), { hangMs: 1500, stallFirstWorker: true });
  assert.equal(supervisionFromQuery('?hang-ms=5').hangMs, DEFAULT_HANG_MS, 'too small is ignored');
  assert.equal(supervisionFromQuery('?hang-ms=abc').hangMs, DEFAULT_HANG_MS);
});

/** A fake worker: records its URL, answers calls with `answer(method)`, can emit events. */
function fakeWorkerFactory(answer) {
  const made = [];
  const make = (url) => {
    const listeners = { message: [] };
    const w = {
      url: String(url), terminated: false,
      addEventListener: (type, fn) => { (listeners[type] ||= []).push(fn); },
      postMessage(msg) {
        if (this.terminated || !msg.call) return;
        const value = answer(msg.method, w);
        if (value !== undefined) queueMicrotask(() => listeners.message.forEach((fn) => fn({ data: { reply: true, id: msg.id, ok: true, value } })));
      },
      emit(name, data) { listeners.message.forEach((fn) => fn({ data: { event: name, data } })); },
      terminate() { this.terminated = true; },
    };
    made.push(w);
    return w;
  };
  return { made, make };
}

test('restart terminates the stalled worker, starts a fresh one without the stall flag, keeps the rpc and its listeners', async () => {
  const { made, make } = fakeWorkerFactory((method, w) => (w.url.includes('test-stall') ? undefined : `${method}-ok`));
  // The factory gets the query to add, as platform.js's createWorker does.
  const start = ({ query = {} } = {}) => {
    const url = new URL('http://x/www/worker.js');
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return make(url);
  };
  const sup = superviseWorker(start, { stallFirstWorker: true });
  const seen = [];
  sup.rpc.on('progress', (p) => seen.push(p));
  assert.match(made[0].url, /test-stall=1/);
  const stuck = sup.rpc.call('index');
  made[0].emit('progress', 1);
  sup.restart();
  await assert.rejects(stuck, /restarted/);
  assert.equal(made[0].terminated, true);
  assert.equal(made.length, 2);
  assert.doesNotMatch(made[1].url, /test-stall/);
  assert.equal(await sup.rpc.call('index'), 'index-ok');
  made[1].emit('progress', 2);
  assert.deepEqual(seen, [1, 2], 'listeners follow the new worker');
  assert.equal(sup.attempt, 1);
});

test('the Trusted Types policy accepts only the page\'s own worker modules', () => {
  const base = 'http://127.0.0.1:8000/index.html';
  assert.equal(checkWorkerUrl('http://127.0.0.1:8000/www/worker.js', base), 'http://127.0.0.1:8000/www/worker.js');
  assert.equal(checkWorkerUrl('www/match_worker.js?x=1', base), 'http://127.0.0.1:8000/www/match_worker.js?x=1');
  for (const bad of ['https://evil.example/www/worker.js', 'www/evil.js', 'javascript:alert(1)', 'data:text/javascript,1', '//evil.example/worker.js']) {
    assert.throws(() => checkWorkerUrl(bad, base), TypeError, bad);
  }
});
