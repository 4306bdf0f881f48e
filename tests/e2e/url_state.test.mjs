// End-to-end test of the view state in the URL fragment (www/url_state.js, www/capture_url.js) and
// the share dialog: a view built by hand (conversation tab, IO graph time range, selected stream,
// Follow open) is written to the fragment; a new page opened on that URL, given the same capture
// file, shows the same view and ends with the same fragment. The fragment only ever holds view
// settings (checked key by key), never payload; the share dialog offers a link without the filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CLI, pageSuite, foreignRequests, captureLocator, waitIndexed } from './helpers.mjs';

let client;
const suite = pageSuite({
  tmp: 'url',
  cli: true,
  setup: ({ tmp }) => {
    execFileSync(CLI, ['synth', 'demo', tmp]);
    client = path.join(tmp, 'client.pcap');
  },
});

/** What each fragment key may hold: view settings only. */
const ALLOWED = {
  capture: (v) => v === 'client.pcap',
  conv: (v) => /^(tcp|udp|ip)$/.test(v),
  range: (v) => /^\d+(\.\d+)?-\d+(\.\d+)?$/.test(v),
  stream: (v) => /^\d+$/.test(v),
  view: (v) => v === 'follow',
  packet: (v) => /^[1-9]\d*$/.test(v),
  match: (v) => v === '1',
  filter: (v) => typeof v === 'string',
};

const fragmentOf = (page) => page.evaluate(() => location.hash);

/** The shown state of the client capture, for comparing two pages. */
async function viewOf(page) {
  const capture = captureLocator(page, 'client.pcap');
  return {
    tab: await capture.locator('[data-testid="conv-tab"][aria-selected="true"]').getAttribute('data-kind'),
    rows: await capture.locator('[data-testid="conv-table"]').getAttribute('data-rows'),
    range: await capture.locator('[data-testid="io-graph"]').getAttribute('data-range'),
    selected: await capture.locator('[data-testid="conv-row"][aria-selected="true"]').getAttribute('data-stream'),
    packets: await capture.locator('[data-testid="packet-list"]').getAttribute('data-rows'),
    follow: await capture.locator('[data-testid="follow"]').evaluate((e) => `${e.dataset.proto}:${e.dataset.stream}`),
    followVisible: await capture.locator('[data-testid="follow-pane"]').isVisible(),
  };
}

test('a view round-trips through the URL fragment, and the fragment holds view settings only', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(`${suite.server.origin}/index.html`, { waitUntil: 'load' });
  await page.setInputFiles('[data-testid="file-input"]', [client]);
  const capture = captureLocator(page, 'client.pcap');
  await waitIndexed(capture);

  // Brush the IO graph (filters the conversations), pick a TCP stream, open Follow.
  const graph = capture.locator('[data-testid="io-graph"]');
  const over = graph.locator('.u-over');
  await over.waitFor({ timeout: 30000 });
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  await graph.locator('xpath=self::*[@data-range]').waitFor({ state: 'attached' });
  const table = capture.locator('[data-testid="conv-table"][data-kind="tcp"]');
  await table.waitFor();
  const all = JSON.parse(execFileSync(CLI, ['conv', client, 'tcp', '--json'], { encoding: 'utf8' }));
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid="conv-table"]')?.dataset.rows) < n, all.length);
  const row = table.locator('[data-testid="conv-row"]').nth(2);
  const stream = await row.getAttribute('data-stream');
  await row.click();
  await capture.locator('[data-testid="packet-list"]').waitFor();
  await capture.locator('[data-testid="follow-button"]').click();
  await capture.locator(`[data-testid="follow"][data-stream="${stream}"]`).waitFor({ state: 'attached' });
  await page.waitForFunction(() => location.hash.includes('view=follow'));

  const hash = await fragmentOf(page);
  const params = new URLSearchParams(hash.slice(1));
  assert.deepEqual([...params.keys()].sort(), ['capture', 'conv', 'range', 'stream', 'view']);
  for (const [k, v] of params) assert.ok(ALLOWED[k] && ALLOWED[k](v), `fragment ${k}=${v} is a view setting`);
  assert.equal(params.get('stream'), stream);
  assert.equal(params.get('conv'), 'tcp');
  const before = await viewOf(page);
  assert.equal(before.selected, stream);
  assert.equal(before.followVisible, true);

  // The same URL in a new page: nothing happens until the same file is opened, then the view comes back.
  const again = await suite.browser.context.newPage();
  await again.goto(`${suite.server.origin}/index.html${hash}`, { waitUntil: 'load' });
  assert.equal(await fragmentOf(again), hash, 'the link survives loading with no capture open');
  await again.setInputFiles('[data-testid="file-input"]', [client]);
  const capture2 = captureLocator(again, 'client.pcap');
  await waitIndexed(capture2);
  await capture2.locator(`[data-testid="follow"][data-stream="${stream}"]`).waitFor({ state: 'attached', timeout: 30000 });
  await capture2.locator(`[data-testid="conv-row"][data-stream="${stream}"][aria-selected="true"]`).waitFor({ timeout: 30000 });
  await capture2.locator('[data-testid="io-graph"][data-range]').waitFor({ state: 'attached', timeout: 30000 });
  const after = await viewOf(again);
  const [a0, a1] = before.range.split(',').map(Number);
  const [b0, b1] = after.range.split(',').map(Number);
  assert.ok(Math.abs(a0 - b0) < 1e-6 && Math.abs(a1 - b1) < 1e-6, `same time range (${before.range} vs ${after.range})`);
  assert.deepEqual({ ...after, range: null }, { ...before, range: null });
  assert.equal(await fragmentOf(again), hash, 'the restored page writes the same fragment');

  // Back to the whole-capture list, a display filter applied and one of its packets selected: the
  // link carries both and reopens with the same packets displayed, that packet selected and its
  // details and bytes shown.
  const filter = 'tcp.len > 0';
  const matching = execFileSync(CLI, ['fields', client, '-Y', filter, '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  assert.ok(matching.length >= 2, `the filter matches packets of client.pcap (${matching.length})`);
  const chosen = matching[1];
  await capture2.locator('[data-testid="all-packets"]').click();
  await capture2.locator('[data-testid="filter-input"]').fill(filter);
  await capture2.locator('[data-testid="filter-input"]').press('Enter');
  const pane = capture2.locator('[data-testid="packet-pane"]');
  await pane.locator(`[data-testid="packet-list"][data-filtered="true"][data-rows="${matching.length}"]`).waitFor({ timeout: 30000 });
  await pane.locator('[data-testid="goto-input"]').fill(String(chosen));
  await pane.locator('[data-testid="goto-input"]').press('Enter');
  await pane.locator(`[data-testid="packet-row"][data-frame="${chosen}"][aria-selected="true"]`).waitFor();
  await pane.locator(`[data-testid="details-tree"][data-frame="${chosen}"]`).waitFor({ timeout: 30000 });
  await again.waitForFunction((n) => new URLSearchParams(location.hash.slice(1)).get('packet') === String(n), chosen);
  const withPacket = await fragmentOf(again);
  const params2 = new URLSearchParams(withPacket.slice(1));
  assert.deepEqual([...params2.keys()].sort(), ['capture', 'conv', 'filter', 'packet', 'range']);
  assert.equal(params2.get('filter'), filter);
  for (const [k, v] of params2) assert.ok(ALLOWED[k] && ALLOWED[k](v), `fragment ${k}=${v} is a view setting`);
  const third = await suite.browser.context.newPage();
  await third.goto(`${suite.server.origin}/index.html${withPacket}`, { waitUntil: 'load' });
  await third.setInputFiles('[data-testid="file-input"]', [client]);
  const capture3 = captureLocator(third, 'client.pcap');
  await waitIndexed(capture3);
  const pane3 = capture3.locator(`[data-testid="packet-pane"][data-selected="${chosen}"]`);
  await pane3.locator(`[data-testid="packet-row"][data-frame="${chosen}"][aria-selected="true"]`).waitFor({ timeout: 30000 });
  await pane3.locator(`[data-testid="packet-list"][data-filtered="true"][data-rows="${matching.length}"]`).waitFor();
  await pane3.locator(`[data-testid="details-tree"][data-frame="${chosen}"]`).waitFor({ timeout: 30000 });
  const fieldsOf = (p) => p.locator('[data-testid="details-tree"] [data-field]').evaluateAll((els) => els.map((e) => `${e.dataset.field}=${e.dataset.value}`));
  const bytesOf = (p) => p.locator('[data-testid="bytes-pane"]').textContent();
  assert.deepEqual(await fieldsOf(pane3), await fieldsOf(pane));
  assert.equal(await bytesOf(pane3), await bytesOf(pane));
  assert.equal(await fragmentOf(third), withPacket, 'the restored page writes the same fragment');
  await third.close();
  await again.close();
  await page.close();
});

test('a time range typed from the keyboard zooms the IO graph, filters the conversations and goes in the URL', async () => {
  const page = await suite.browser.context.newPage();
  await page.goto(`${suite.server.origin}/index.html`, { waitUntil: 'load' });
  await page.setInputFiles('[data-testid="file-input"]', [client]);
  const capture = captureLocator(page, 'client.pcap');
  await waitIndexed(capture);
  const graph = capture.locator('[data-testid="io-graph"]');
  await graph.locator('.u-over').waitFor({ timeout: 30000 });
  await capture.locator('[data-testid="conv-table"][data-kind="tcp"]').waitFor();
  const conversations = JSON.parse(execFileSync(CLI, ['conv', client, 'tcp', '--json'], { encoding: 'utf8' }));
  await graph.locator('[data-testid="io-range-from"]').focus();
  await page.keyboard.type('2');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'io-range-to', 'Tab goes from start to end');
  await page.keyboard.type('4.5');
  await page.keyboard.press('Enter');
  await graph.locator('xpath=self::*[@data-range="2,4.5"]').waitFor({ state: 'attached', timeout: 10000 });
  const overlapping = conversations.filter((c) => c.rel_start <= 4.5 && c.rel_start + c.duration >= 2).length;
  assert.ok(overlapping > 0 && overlapping < conversations.length, 'the range means something for this capture');
  await page.waitForFunction((n) => document.querySelector('[data-testid="conv-table"]')?.dataset.rows === String(n), overlapping);
  await page.waitForFunction(() => location.hash.includes('range=2-4.5'));
  await page.close();
});

test('share dialog: the link, a filter-free link, and the warning that a filter may hold addresses', async () => {
  const page = await suite.browser.context.newPage();
  // A filter in the link (kept for the filter bar, which binds "filter" when it exists) and match=1.
  const hash = '#capture=client.pcap&conv=udp&filter=ip.addr+%3D%3D+192.168.10.23&match=1';
  await page.goto(`${suite.server.origin}/index.html${hash}`, { waitUntil: 'load' });
  await page.locator('[data-testid="match-view"]').waitFor({ timeout: 10000 });
  await page.setInputFiles('[data-testid="file-input"]', [client]);
  const capture = captureLocator(page, 'client.pcap');
  await waitIndexed(capture);
  await capture.locator('[data-testid="conv-table"][data-kind="udp"]').waitFor({ timeout: 20000 });

  await page.locator('[data-testid="share-open"]').click();
  const dialog = page.locator('[data-testid="share-dialog"]');
  assert.equal(await dialog.isVisible(), true);
  assert.match(await dialog.locator('[data-testid="share-filter-warning"]').textContent(), /filter may contain IP addresses/);
  assert.equal(await dialog.getAttribute('data-has-filter'), 'true');
  const full = new URL(await dialog.locator('[data-testid="share-link"]').inputValue());
  const clean = new URL(await dialog.locator('[data-testid="share-link-nofilter"]').inputValue());
  assert.equal(full.origin + full.pathname, `${suite.server.origin}/index.html`);
  const fullParams = new URLSearchParams(full.hash.slice(1));
  assert.equal(fullParams.get('filter'), 'ip.addr == 192.168.10.23');
  assert.equal(fullParams.get('match'), '1');
  assert.equal(fullParams.get('conv'), 'udp');
  const cleanParams = new URLSearchParams(clean.hash.slice(1));
  assert.equal(cleanParams.has('filter'), false, 'no filter in the filter-free link');
  assert.deepEqual([...cleanParams.keys()].sort(), ['capture', 'conv', 'match']);
  // The dialog is modal and keyboard-closable.
  await page.keyboard.press('Escape');
  assert.equal(await dialog.isVisible(), false);
  await page.close();
});

test('no request left the page\'s origin, and no page error or CSP violation happened', () => {
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
