// Unit tests for www/worker-supervisor.js (watchdog, query flags, restart keeping the RPC object)
// and www/trusted-types.js (which worker script URLs the page's policy accepts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWatchdog, supervisionFromQuery, superviseWorker, retireWorker, DEFAULT_HANG_MS } from '../../www/worker-supervisor.js';
import { rpcClient } from '../../www/rpc.js';
import { adoptChild, closeChildren, isClosing, releaseChild } from '../../www/worker_children.js';
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

test('retire: outstanding calls reject at once, the worker closes its children, then it is terminated', async () => {
  const order = [];
  const { made, make } = fakeWorkerFactory((method, w) => {
    if (method === 'closeChildren') { order.push(`closeChildren while terminated=${w.terminated}`); return 2; }
    return undefined; // every other call stays unanswered (a long stats run)
  });
  const worker = make('http://x/www/worker.js');
  const client = rpcClient(worker);
  const slow = client.call('stats');
  const retired = retireWorker(worker, client, 'capture closed', 1000);
  await assert.rejects(slow, /capture closed/, 'a view\'s pending call rejects at once: no late result reaches a closed view');
  await retired;
  assert.deepEqual(order, ['closeChildren while terminated=false']);
  assert.equal(made[0].terminated, true);
  await assert.rejects(client.call('stats'), /capture closed/, 'later calls reject');
});

test('retire: a worker that never answers is terminated after the timeout', async () => {
  const { made, make } = fakeWorkerFactory(() => undefined);
  const worker = make('http://x/www/worker.js');
  const started = Date.now();
  await retireWorker(worker, rpcClient(worker), 'closed', 50);
  assert.equal(made[0].terminated, true);
  assert.ok(Date.now() - started < 1000);
});

test('worker children: closing asks each child to close its own, terminates them all, and refuses new ones', async () => {
  const child = (name) => ({ name, terminated: false, terminate() { this.terminated = true; } });
  const a = child('analysis');
  const b = child('read');
  const gone = child('released');
  const asked = [];
  adoptChild(a, async () => { asked.push('analysis'); });
  adoptChild(b);
  adoptChild(gone);
  releaseChild(gone);
  const hung = child('hung');
  adoptChild(hung, () => new Promise(() => {})); // never answers: terminated after the timeout
  assert.equal(isClosing(), false);
  assert.equal(await closeChildren(50), 3);
  assert.deepEqual(asked, ['analysis']);
  assert.deepEqual([a.terminated, b.terminated, hung.terminated, gone.terminated], [true, true, true, false]);
  assert.equal(isClosing(), true);
  const late = child('late');
  assert.throws(() => adoptChild(late), /closing/);
  assert.equal(late.terminated, true, 'a child started after closing is terminated at once');
});

test('the Trusted Types policy accepts only the page\'s own worker modules', () => {
  const base = 'http://127.0.0.1:8000/index.html';
  assert.equal(checkWorkerUrl('http://127.0.0.1:8000/www/worker.js', base), 'http://127.0.0.1:8000/www/worker.js');
  assert.equal(checkWorkerUrl('www/match_worker.js?x=1', base), 'http://127.0.0.1:8000/www/match_worker.js?x=1');
  for (const bad of ['https://evil.example/www/worker.js', 'www/evil.js', 'javascript:alert(1)', 'data:text/javascript,1', '//evil.example/worker.js']) {
    assert.throws(() => checkWorkerUrl(bad, base), TypeError, bad);
  }
});
