// End-to-end tests of whole-capture browsing (issue 7): the virtualised packet list of every frame,
// the display-filter bar (frames shown compared with tshark's `-Y` results committed in
// tests/expected/filters), its red error bar with the parser's position, the details tree (field
// values and byte ranges compared with tshark's PDML committed in tests/expected/details), the
// bytes pane's marking, apply-as-filter, go-to, keyboard and same-stream navigation, the Time
// column formats and Wireshark's colouring. Needs the build (scripts/build.sh): www/pkg/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT, startServer, launchBrowser, foreignRequests, publicCaptures, oracle, openPage,
  captureLocator, waitIndexed, applyFilter as applyFilterTo,
} from './helpers.mjs';

const CAPTURE = 'arkime__arkime_synthetic.pcap';
let server, browser, dir, session;

/** tshark's -Y results for CAPTURE: filter text → frame numbers (null when tshark rejected it). */
function expectedFilters() {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'tests/expected/filters', `${CAPTURE}.txt`), 'utf8');
  const out = new Map();
  for (const line of text.split('\n').filter((l) => l.length > 0)) {
    const [filter, result] = line.split('\t');
    out.set(filter, result === 'ERROR' ? null : (result ? result.split(',').map(Number) : []));
  }
  return out;
}

/** tshark's PDML fields of one frame of CAPTURE: [{ name, pos, size, show }]. */
function expectedFields(frame) {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'tests/expected/details', `${CAPTURE}.tsv`), 'utf8');
  return text.split('\n').filter((l) => l.startsWith(`${frame}\t`)).map((l) => {
    const [, name, pos, size, show] = l.split('\t');
    return { name, pos: Number(pos), size: Number(size), show };
  });
}

before(async () => {
  assert.ok(fs.existsSync(path.join(REPO_ROOT, 'www', 'pkg', 'tracematch_bg.wasm')),
    'www/pkg is missing: run bash scripts/build.sh first');
  dir = publicCaptures();
  if (!dir) return;
  server = await startServer();
  browser = await launchBrowser();
  const page = await openPage(browser.context, `${server.origin}/index.html`, [path.join(dir, CAPTURE)]);
  const capture = captureLocator(page, CAPTURE);
  const packets = await waitIndexed(capture);
  session = { page, capture, packets, list: capture.locator('[data-testid="packet-list"]') };
  await session.list.waitFor({ timeout: 20000 });
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
});

/** All data-frame values of the virtual packet list, scrolling through it. */
async function shownFrames(list) {
  const total = Number(await list.getAttribute('data-rows'));
  const seen = new Map();
  const viewport = list.locator('.vt-viewport');
  await viewport.evaluate((v) => { v.scrollTop = 0; });
  for (let guard = 0; guard < 10000 && seen.size < total; guard++) {
    await list.page().waitForTimeout(30);
    for (const [i, f] of await list.locator('.vt-row').evaluateAll((rs) => rs.map((r) => [Number(r.dataset.index), Number(r.dataset.frame)]))) seen.set(i, f);
    const moved = await viewport.evaluate((v) => { const b = v.scrollTop; v.scrollTop += Math.max(50, v.clientHeight - 60); return v.scrollTop !== b; });
    if (!moved) break;
  }
  for (const [i, f] of await list.locator('.vt-row').evaluateAll((rs) => rs.map((r) => [Number(r.dataset.index), Number(r.dataset.frame)]))) seen.set(i, f);
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

/** Applies `text` to the session's capture (helpers.applyFilter); its end state. */
const applyFilter = (text) => applyFilterTo(session.capture, text, 60000);

/** Selects packet `frame` through the go-to box; waits for its details tree. */
async function gotoFrame(frame) {
  const { capture } = session;
  await capture.locator('[data-testid="goto-input"]').fill(String(frame));
  await capture.locator('[data-testid="goto-input"]').press('Enter');
  await capture.locator(`[data-testid="details-tree"][data-frame="${frame}"]`).waitFor({ timeout: 20000 });
}

test('the packet list shows every frame of the capture, rows decoded in the worker', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const { list, packets } = session;
  const want = oracle(dir, CAPTURE);
  assert.equal(packets, want.packets);
  assert.equal(Number(await list.getAttribute('data-rows')), want.packets);
  assert.equal(await list.getAttribute('data-filtered'), 'false');
  // Only the rows in view exist.
  const rendered = await list.locator('[data-testid="packet-row"]').count();
  assert.ok(rendered > 0 && rendered < want.packets, `virtualised: ${rendered} rows rendered`);
  const first = list.locator('[data-testid="packet-row"][data-frame="1"]');
  await session.page.waitForFunction((row) => row.textContent.includes('[SYN]'), await first.elementHandle(), { timeout: 20000 });
  assert.match(await first.textContent(), /10\.0\.1\.1.*10\.0\.1\.2.*TCP.*54/);
  // Wireshark's colouring: HTTP (tcp.port == 80) comes before TCP SYN/FIN; a SYN on another port is
  // "TCP SYN/FIN".
  assert.equal(await first.getAttribute('data-colour'), 'http');
  const rows = fs.readFileSync(path.join(dir, 'oracle', CAPTURE, 'packets.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  const col = (name) => rows[0].indexOf(name);
  const syn = rows.slice(1).find((c) => c[col('tcp.flags')] === '0x0002' && c[col('tcp.srcport')] !== '80' && c[col('tcp.dstport')] !== '80');
  assert.ok(syn, 'the capture has a SYN off port 80');
  await gotoFrame(Number(syn[0]));
  const synRow = list.locator(`[data-testid="packet-row"][data-frame="${syn[0]}"]`);
  await session.page.waitForFunction((row) => row.textContent.includes('[SYN]'), await synRow.elementHandle(), { timeout: 20000 });
  assert.equal(await synRow.getAttribute('data-colour'), 'tcp-syn-fin');
});

test('filters run in the worker over the whole capture and show tshark\'s frames', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const expected = expectedFilters();
  for (const filter of ['dns', 'tcp.flags.syn == 1 and tcp.flags.ack == 0', 'ip.addr == 192.168.0.0/16', 'ip.proto not in {6, 17}', 'tcp.analysis.flags', 'ip.ttl > 64']) {
    const want = expected.get(filter);
    assert.ok(want, `${filter} is in the expected results`);
    assert.equal(await applyFilter(filter), 'done', filter);
    assert.equal(await session.list.getAttribute('data-filtered'), 'true');
    assert.equal(Number(await session.list.getAttribute('data-rows')), want.length, `${filter}: rows`);
    assert.deepEqual(await shownFrames(session.list), want, `${filter}: frames`);
  }
  // Clearing the filter shows every frame again.
  assert.equal(await applyFilter(''), 'done');
  assert.equal(Number(await session.list.getAttribute('data-rows')), session.packets);
});

test('a filter error shows the red bar at the parser\'s position', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const { capture } = session;
  // tshark: "tcp.port == 80 && foo.bar" → "foo.bar" is neither a field nor a protocol name, at 18.
  assert.equal(await applyFilter('tcp.port == 80 && foo.bar'), 'error');
  const error = capture.locator('[data-testid="filter-error"]');
  assert.ok(await error.isVisible());
  assert.equal(await error.getAttribute('data-position'), '18');
  assert.equal(await error.locator('mark').textContent(), 'foo.bar');
  assert.match(await error.textContent(), /foo\.bar/);
  // A filter missing its value fails at the end.
  assert.equal(await applyFilter('ip.addr =='), 'error');
  assert.equal(await error.getAttribute('data-position'), String('ip.addr =='.length));
  // The list still shows every frame.
  assert.equal(Number(await session.list.getAttribute('data-rows')), session.packets);
  await applyFilter('');
});

test('details tree fields agree with tshark and mark their bytes; apply as filter', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const { capture } = session;
  await gotoFrame(1);
  const tree = capture.locator('[data-testid="details-tree"]');
  const tshark = expectedFields(1);
  for (const name of ['eth.src', 'ip.src', 'ip.ttl', 'tcp.dstport', 'tcp.flags.syn']) {
    const want = tshark.find((f) => f.name === name);
    assert.ok(want, `tshark shows ${name}`);
    const field = tree.locator(`[data-testid="field"][data-field="${name}"]`).first();
    assert.equal(await tree.evaluate((el, n) => { const li = el.querySelector(`[data-field="${n}"]`); return li ? li.dataset.value : null; }, name), want.show, `${name} value`);
    // Open the protocol holding it, select it: the bytes pane marks tshark's range.
    await tree.evaluate((el, n) => { for (let li = el.querySelector(`[data-field="${n}"]`); li; li = li.parentElement.closest('li')) if (li.expand) li.expand(true); }, name);
    await field.locator(':scope > .dt-line').click();
    const bytes = capture.locator('[data-testid="bytes-pane"]');
    assert.equal(await bytes.getAttribute('data-mark-offset'), String(want.pos), `${name} offset`);
    assert.equal(await bytes.getAttribute('data-mark-length'), String(want.size), `${name} length`);
    assert.equal(await bytes.locator('.bx.marked').count(), want.size);
  }
  // The marked bytes of ip.src are 10.0.1.1.
  await tree.locator('[data-field="ip.src"] > .dt-line').click();
  const marked = await capture.locator('[data-testid="bytes-pane"] .bx.marked').allTextContents();
  assert.deepEqual(marked, ['0a', '00', '01', '01']);
  assert.equal(Number(await capture.locator('[data-testid="bytes-pane"]').getAttribute('data-length')), 54);
  // Apply as filter: ip.src == 10.0.1.1, frames as tshark's packets.tsv has them.
  await capture.locator('[data-testid="apply-filter"]').click();
  const input = capture.locator('[data-testid="filter-input"]');
  assert.equal(await input.inputValue(), 'ip.src == 10.0.1.1');
  const bar = capture.locator('[data-testid="filter-bar"]');
  await session.page.waitForFunction((el) => el.dataset.filter === 'ip.src == 10.0.1.1' && el.dataset.state === 'done', await bar.elementHandle(), { timeout: 60000 });
  const packets = fs.readFileSync(path.join(dir, 'oracle', CAPTURE, 'packets.tsv'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split('\t'));
  const want = packets.filter((c) => c[5].split(',').includes('10.0.1.1')).map((c) => Number(c[0]));
  assert.deepEqual(await shownFrames(session.list), want);
  await applyFilter('');
});

test('go to packet, keyboard navigation, same-stream steps, time formats, Bad TCP colour', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const { capture, list, page } = session;
  const want = oracle(dir, CAPTURE);
  await gotoFrame(1);
  // Next packet of tcp.stream 0, twice.
  const stream0 = want.framesOfTcpStream(0);
  await capture.locator('[data-testid="stream-next"]').click();
  await capture.locator(`[data-testid="details-tree"][data-frame="${stream0[1]}"]`).waitFor({ timeout: 20000 });
  await capture.locator('[data-testid="stream-next"]').click();
  await capture.locator(`[data-testid="details-tree"][data-frame="${stream0[2]}"]`).waitFor({ timeout: 20000 });
  await capture.locator('[data-testid="stream-prev"]').click();
  await capture.locator(`[data-testid="details-tree"][data-frame="${stream0[1]}"]`).waitFor({ timeout: 20000 });
  // Follow stream from the details pane follows tcp.stream 0.
  await capture.locator('[data-testid="details-follow"]').click();
  await capture.locator('[data-testid="follow"][data-proto="tcp"][data-stream="0"]').waitFor({ state: 'attached', timeout: 20000 });
  // Keyboard: End selects the last packet, Home the first, ArrowDown the next.
  await list.locator('.vt-viewport').focus();
  await page.keyboard.press('End');
  await capture.locator(`[data-testid="details-tree"][data-frame="${want.packets}"]`).waitFor({ timeout: 20000 });
  await page.keyboard.press('Home');
  await capture.locator('[data-testid="details-tree"][data-frame="1"]').waitFor({ timeout: 20000 });
  await page.keyboard.press('ArrowDown');
  await capture.locator('[data-testid="details-tree"][data-frame="2"]').waitFor({ timeout: 20000 });
  await page.keyboard.press('PageDown');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="details-tree"]').dataset.frame) > 3, null, { timeout: 20000 });
  // Time column: relative (default), delta and absolute UTC of frame 2 (tshark: 0.01 s after frame 1).
  // The rows are redrawn after a format change: wait (up to 20 s) for the text, then compare.
  const shows = (cell, text) => cell.filter({ hasText: text }).waitFor({ timeout: 20000 }).catch(() => {});
  const row2 = () => list.locator('[data-testid="packet-row"][data-frame="2"] .vt-cell').nth(1);
  await page.keyboard.press('Home');
  await row2().waitFor();
  assert.equal(await row2().textContent(), '0.010000');
  await capture.locator('[data-testid="time-format"]').selectOption('delta');
  await shows(row2(), '0.010000');
  assert.equal(await row2().textContent(), '0.010000');
  await capture.locator('[data-testid="time-format"]').selectOption('absolute');
  await shows(row2(), '2023-11-14 22:15:00.020000');
  assert.equal(await row2().textContent(), '2023-11-14 22:15:00.020000');
  await capture.locator('[data-testid="time-format"]').selectOption('relative');
  // Bad TCP: the frame tshark flags (tcp.analysis.flags) is painted black on red once the pass ends.
  const [bad] = expectedFilters().get('tcp.analysis.flags');
  await gotoFrame(bad);
  await page.waitForFunction((n) => { const r = document.querySelector(`[data-testid="packet-row"][data-frame="${n}"]`); return r && r.dataset.colour === 'bad-tcp'; }, bad, { timeout: 30000 });
  // A packet that is not displayed cannot be gone to.
  await applyFilter('dns');
  await capture.locator('[data-testid="goto-input"]').fill('1');
  await capture.locator('[data-testid="goto-input"]').press('Enter');
  assert.match(await capture.locator('[data-testid="packet-notice"]').textContent(), /not displayed/);
  await applyFilter('');
});

test('a filter limits the conversation tables to the displayed frames', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const { capture } = session;
  const dns = expectedFilters().get('dns');
  const packets = fs.readFileSync(path.join(dir, 'oracle', CAPTURE, 'packets.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t'));
  const streamsOf = (column) => {
    const col = packets[0].indexOf(column);
    const per = new Map();
    for (const c of packets.slice(1)) {
      if (!dns.includes(Number(c[0])) || c[col] === '') continue;
      const s = c[col].split(',').pop();
      per.set(s, (per.get(s) || 0) + 1);
    }
    return per;
  };
  const perStream = streamsOf('udp.stream');
  const perTcpStream = streamsOf('tcp.stream');
  assert.equal(await applyFilter('dns'), 'done');
  await capture.locator('[data-testid="conv-tab"][data-kind="udp"]').click();
  const table = capture.locator('[data-testid="conv-table"][data-kind="udp"]');
  await session.page.waitForFunction(([el, n]) => el && Number(el.dataset.rows) === n, [await table.elementHandle(), perStream.size], { timeout: 20000 });
  // Every rendered row counts tshark's dns frames of its stream.
  const rendered = await table.locator('[data-testid="conv-row"]').evaluateAll((rows) => rows.map((r) => [r.dataset.stream, r.textContent]));
  assert.ok(rendered.length > 0);
  for (const [stream] of rendered) assert.ok(perStream.has(stream), `udp stream ${stream} has dns frames`);
  await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
  await capture.locator(`[data-testid="conv-table"][data-kind="tcp"][data-rows="${perTcpStream.size}"]`).waitFor({ timeout: 20000 });
  assert.equal(await applyFilter(''), 'done');
  await capture.locator('[data-testid="conv-table"][data-kind="tcp"]').waitFor({ timeout: 20000 });
  assert.equal(Number(await capture.locator('[data-testid="conv-table"][data-kind="tcp"]').getAttribute('data-rows')), oracle(dir, CAPTURE).tcp.length);
});

test('selecting a conversation lists its packets; All packets comes back', async (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  const { capture } = session;
  const want = oracle(dir, CAPTURE);
  await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
  const table = capture.locator('[data-testid="conv-table"][data-kind="tcp"]');
  await table.waitFor({ timeout: 20000 });
  await table.locator('[data-testid="conv-row"][data-stream="0"]').first().click();
  await session.page.waitForFunction((n) => { const l = document.querySelectorAll('[data-testid="packet-list"]'); return l.length === 1 && Number(l[0].dataset.rows) === n; }, want.framesOfTcpStream(0).length, { timeout: 20000 });
  assert.equal(await capture.locator('[data-testid="packet-list"]').count(), 1, 'one packet list at a time');
  await capture.locator('[data-testid="all-packets"]').click();
  await session.page.waitForFunction((n) => { const l = document.querySelectorAll('[data-testid="packet-list"]'); return l.length === 1 && Number(l[0].dataset.rows) === n; }, want.packets, { timeout: 20000 });
});

test('no request left the page\'s origin, and no page error happened', (t) => {
  if (!dir) return t.skip('SKIPPED: ../shared/captures not found');
  assert.deepEqual(foreignRequests(browser.requests, server.origin), []);
  assert.deepEqual(browser.problems, []);
});
