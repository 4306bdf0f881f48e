// Unit tests of www/url_state.js and www/capture_url.js (URL-fragment view state), with a stand-in
// window (location, history, hashchange) instead of a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFragment, formatFragment, createUrlState, MAX_VALUE_LENGTH } from '../../www/url_state.js';
import { bindCaptureUrl, formatRange, parseRange, parseKind, parsePacket, parseStream, parseView } from '../../www/capture_url.js';

/** A window stand-in: replaceState rewrites location.hash; fireHash() simulates a pasted link. */
function fakeWindow(hash = '') {
  const listeners = [];
  const win = {
    location: { pathname: '/index.html', search: '', hash, get href() { return `http://127.0.0.1:1${this.pathname}${this.search}${this.hash}`; } },
    history: {
      state: null,
      writes: 0,
      replaceState(_s, _t, url) {
        this.writes++;
        const i = url.indexOf('#');
        win.location.hash = i >= 0 ? url.slice(i) : '';
      },
    },
    addEventListener: (type, fn) => { if (type === 'hashchange') listeners.push(fn); },
    fireHash(h) { win.location.hash = h; for (const fn of listeners) fn(); },
  };
  return win;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

test('fragments parse and format as URLSearchParams text; bad keys and huge values are dropped', () => {
  const m = parseFragment('#capture=a%20b.pcap&conv=tcp&conv=udp&Bad=1&x=' + 'y'.repeat(MAX_VALUE_LENGTH + 1));
  assert.deepEqual([...m], [['capture', 'a b.pcap'], ['conv', 'tcp']]);
  assert.equal(formatFragment([['capture', 'a b&c.pcap'], ['stream', '3'], ['view', null], ['filter', '']]), '#capture=a+b%26c.pcap&stream=3');
  assert.equal(formatFragment([]), '');
  assert.deepEqual([...parseFragment(formatFragment([['filter', 'ip.addr == 10.0.0.1 && tcp.port in {80 443}']]))],
    [['filter', 'ip.addr == 10.0.0.1 && tcp.port in {80 443}']]);
});

test('capture view values are validated before use', () => {
  assert.equal(parseKind('udp'), 'udp');
  assert.equal(parseKind('javascript:alert(1)'), null);
  assert.equal(parseStream('12'), 12);
  assert.equal(parseStream('-1'), null);
  assert.equal(parseStream('1e3'), null);
  assert.equal(parseView('follow'), 'follow');
  assert.equal(parseView('x'), null);
  assert.equal(parsePacket('1'), 1);
  assert.equal(parsePacket('4294967295'), 4294967295);
  assert.equal(parsePacket('4294967296'), null, 'beyond a u32 frame number');
  assert.equal(parsePacket('0'), null, 'frame numbers start at 1');
  assert.equal(parsePacket('007'), null);
  assert.equal(parsePacket('12a'), null);
  assert.equal(parsePacket(''), null);
  assert.equal(formatRange([1.25, 3.1234567]), '1.25-3.123457');
  assert.deepEqual(parseRange('1.25-3.123457'), [1.25, 3.123457]);
  assert.equal(parseRange('3-1'), null);
  assert.equal(parseRange('1-2-3'), null);
  assert.equal(formatRange(null), null);
});

test('a scope writes its bound values into the fragment when it changes', async () => {
  const win = fakeWindow();
  const u = createUrlState(win);
  const s = u.scope('a.pcap');
  let kind = 'tcp', stream = null;
  s.bind('conv', () => kind, () => {});
  s.bind('stream', () => stream, () => {});
  kind = 'udp'; stream = 4;
  s.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=a.pcap&conv=udp&stream=4');
  stream = null;
  s.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=a.pcap&conv=udp');
  s.dispose();
  await tick();
  assert.equal(win.location.hash, '');
});

test('restoring: the scope of the named capture gets its values in bind order, each set awaited', async () => {
  const win = fakeWindow('#capture=b.pcap&conv=ip&stream=7&view=follow&match=1');
  const u = createUrlState(win);
  const calls = [];
  u.bind('match', () => null, (v) => calls.push(`match=${v}`));
  const other = u.scope('a.pcap');
  other.bind('conv', () => 'tcp', (v) => calls.push(`a:${v}`));
  const s = u.scope('b.pcap');
  let release;
  s.bind('conv', () => 'ip', (v) => new Promise((r) => { release = r; }).then(() => calls.push(`conv=${v}`)));
  s.bind('stream', () => '7', (v) => calls.push(`stream=${v}`));
  await tick();
  assert.deepEqual(calls, ['match=1'], 'stream waits for conv');
  release();
  await u.settled();
  // A key bound later (another component) still gets its value, after the earlier ones.
  s.bind('view', () => 'follow', (v) => calls.push(`view=${v}`));
  await u.settled();
  assert.deepEqual(calls, ['match=1', 'conv=ip', 'stream=7', 'view=follow']);
  // A second capture with the same name gets nothing.
  const again = u.scope('b.pcap');
  again.bind('conv', () => 'tcp', (v) => calls.push(`again:${v}`));
  await u.settled();
  assert.equal(calls.length, 4);
});

test('values for keys nobody bound yet stay in the URL; the filter-free link leaves sensitive keys out', async () => {
  const win = fakeWindow('#capture=c.pcap&filter=ip.addr%3D%3D10.1.2.3&conv=tcp');
  const u = createUrlState(win);
  const s = u.scope('c.pcap');
  s.bind('conv', () => 'udp', () => {});
  s.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=c.pcap&conv=udp&filter=ip.addr%3D%3D10.1.2.3');
  assert.equal(u.hasSensitive(), true);
  assert.equal(u.link({ withSensitive: false }), 'http://127.0.0.1:1/index.html#capture=c.pcap&conv=udp');
  let filter = null;
  s.bind('filter', () => filter, (v) => { filter = v; });
  await u.settled();
  assert.equal(filter, 'ip.addr==10.1.2.3', 'the filter bar gets the restored filter when it binds');
  filter = '';
  s.changed();
  await tick();
  assert.equal(u.hasSensitive(), false);
  assert.equal(u.link(), 'http://127.0.0.1:1/index.html#capture=c.pcap&conv=udp');
  // Component-declared sensitive keys are left out too.
  s.bind('secret', () => 'x', () => {}, { sensitive: true });
  assert.equal(u.link({ withSensitive: false }), 'http://127.0.0.1:1/index.html#capture=c.pcap&conv=udp');
});

test('with no link to restore, the capture opened last is the one a link is about', async () => {
  const win = fakeWindow();
  const u = createUrlState(win);
  const a = u.scope('a.pcap');
  a.bind('conv', () => 'tcp', () => {});
  assert.equal(u.link(), 'http://127.0.0.1:1/index.html#capture=a.pcap&conv=tcp');
  const b = u.scope('b.pcap');
  b.bind('conv', () => 'udp', () => {});
  assert.equal(u.link(), 'http://127.0.0.1:1/index.html#capture=a.pcap&conv=tcp', 'until b changes something');
  b.changed();
  assert.equal(u.link(), 'http://127.0.0.1:1/index.html#capture=b.pcap&conv=udp');
});

test('the link of a capture not opened yet keeps its values; another capture taking the URL drops them', async () => {
  const win = fakeWindow('#capture=z.pcap&stream=2');
  const u = createUrlState(win);
  assert.equal(u.link(), 'http://127.0.0.1:1/index.html#capture=z.pcap&stream=2');
  const a = u.scope('a.pcap');
  a.bind('conv', () => 'tcp', () => {});
  a.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=a.pcap&conv=tcp');
});

test('a pasted link applies to the open capture it names; bad keys throw at bind time', async () => {
  const win = fakeWindow();
  const u = createUrlState(win);
  const s = u.scope('d.pcap');
  const got = [];
  s.bind('stream', () => null, (v) => got.push(v));
  win.fireHash('#capture=d.pcap&stream=9');
  await u.settled();
  assert.deepEqual(got, ['9']);
  assert.throws(() => s.bind('match', () => null, () => {}), /page-wide/);
  assert.throws(() => u.bind('conv', () => null, () => {}), /capture key/);
  assert.throws(() => s.bind('stream', () => null, () => {}), /bound twice/);
  assert.throws(() => s.bind('Capture', () => null, () => {}), /bad key/);
});

test('the selected packet goes in the fragment and comes back after the other capture keys', async () => {
  const win = fakeWindow('#capture=c.pcap&conv=udp&packet=42');
  const u = createUrlState(win);
  const s = u.scope('c.pcap');
  const calls = [];
  let kind = 'tcp', packet = null;
  bindCaptureUrl(s, {
    kind: () => kind, showKind: (k) => { calls.push(`conv=${k}`); kind = k; },
    range: () => null, setRange: (r) => calls.push(`range=${r}`),
    stream: () => null, selectStream: (id) => calls.push(`stream=${id}`),
    followOpen: () => false, openFollow: () => calls.push('follow'),
    packet: () => packet,
    selectPacket: (n) => new Promise((r) => setTimeout(r, 5)).then(() => { calls.push(`packet=${n}`); packet = n; }),
  });
  await u.settled();
  assert.deepEqual(calls, ['conv=udp', 'packet=42']);
  s.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=c.pcap&conv=udp&packet=42');
  packet = 7;
  s.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=c.pcap&conv=udp&packet=7');
  packet = null;
  s.changed();
  await tick();
  assert.equal(win.location.hash, '#capture=c.pcap&conv=udp');
  // A hand-edited value that is no frame number selects nothing.
  win.fireHash('#capture=c.pcap&packet=0');
  await u.settled();
  assert.deepEqual(calls, ['conv=udp', 'packet=42']);
});
