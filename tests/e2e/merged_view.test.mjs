// End-to-end test of the Merged view (www/components/MergedView.js): three captures open at once
// (the demo pair `tracematch synth demo` writes, and a copy of the first, so that every packet of
// it ties with one of the copy's) are listed in one time-ordered list whose (capture, frame) order
// equals `tracematch merge A B A2 -w OUT --order`'s, at the top and after scrolling to the end;
// choosing a row selects that packet in its capture's packet list. Needs scripts/build.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { captureLocator, waitIndexed, CLI, pageSuite } from './helpers.mjs';

const suite = pageSuite({ tmp: 'merged', cli: true });

/** `tracematch merge FILES -w OUT --order`: [{ capture (1-based), frame }] in merged order. */
function cliOrder(files, out) {
  const text = execFileSync(CLI, ['merge', ...files, '-w', out, '--order'], { encoding: 'utf8' });
  return text.trim().split('\n').map((line) => {
    const [capture, frame] = line.split('\t').map(Number);
    return { capture, frame };
  });
}

/** The merged rows in the DOM, in list order, once their packet rows have arrived. */
async function shownRows(view) {
  const list = view.locator('[data-testid="merged-list"]');
  await view.page().waitForFunction((el) => {
    const rows = el.querySelectorAll('[data-testid="merged-row"]');
    return rows.length > 0 && [...rows].every((r) => r.lastChild.textContent !== '…');
  }, await list.elementHandle(), { timeout: 20000 });
  const rows = await list.locator('[data-testid="merged-row"]').evaluateAll((els) => els.map((r) => ({
    index: Number(r.dataset.index),
    capture: Number(r.dataset.capture),
    frame: Number(r.dataset.frame),
    cells: [...r.children].map((c) => c.textContent),
  })));
  return rows.sort((a, b) => a.index - b.index);
}

test('the merged view lists every packet of the open captures in tracematch merge order; a row opens its packet', async () => {
  const dir = suite.tmp;
  execFileSync(CLI, ['synth', 'demo', dir]);
  const demo = fs.readdirSync(dir).filter((n) => /\.pcap(ng)?$/.test(n)).sort();
  assert.ok(demo.length >= 2, `synth demo wrote two captures (${demo.join(', ')})`);
  const copyName = `copy-of-${demo[0]}`;
  fs.copyFileSync(path.join(dir, demo[0]), path.join(dir, copyName));
  const names = [demo[0], demo[1], copyName];
  const files = names.map((n) => path.join(dir, n));
  const expected = cliOrder(files, path.join(dir, 'merged.pcapng'));
  // Capture 1 and its copy tie on every packet: the copy's packet comes first (mergecap's rule).
  assert.ok(expected.length > 100, `${expected.length} merged packets`);

  const page = await suite.browser.context.newPage();
  await page.goto(suite.pageUrl(), { waitUntil: 'load' });
  const openButton = page.locator('[data-testid="merged-open"]');
  assert.equal(await openButton.isDisabled(), true, 'no merged view before two captures are open');
  await page.setInputFiles('[data-testid="file-input"]', files);
  const packets = [];
  for (const name of names) packets.push(await waitIndexed(captureLocator(page, name)));
  assert.equal(packets.reduce((a, b) => a + b, 0), expected.length, 'the CLI merged every packet the page indexed');

  await openButton.click();
  const view = page.locator('[data-testid="merged-view"]');
  await view.locator('xpath=self::*[@data-state="ready"]').waitFor({ state: 'attached', timeout: 30000 });
  const list = view.locator('[data-testid="merged-list"]');
  assert.equal(Number(await list.getAttribute('data-rows')), expected.length);

  // The top of the list.
  const top = await shownRows(view);
  assert.equal(top[0].index, 0);
  assert.ok(top.length >= 10, `${top.length} rows shown`);
  assert.deepEqual(top.map((r) => ({ capture: r.capture, frame: r.frame })), expected.slice(0, top.length), 'first rows: capture and frame');
  for (const r of top) {
    assert.equal(r.cells[0], names[r.capture - 1], 'Capture cell: the capture\'s name');
    assert.equal(r.cells[1], String(r.frame), 'No. cell: the frame number in its capture');
  }
  assert.equal(top[0].cells[2], '0.000000', 'Time: relative to the first merged packet');
  const ties = top.filter((r, i) => i > 0 && r.cells[2] === top[i - 1].cells[2] && r.capture !== top[i - 1].capture);
  assert.ok(ties.length > 0, 'equal times from different captures are shown');

  // The end of the list.
  await list.locator('.vt-viewport').evaluate((v) => { v.scrollTop = v.scrollHeight; });
  await list.locator(`[data-testid="merged-row"][data-index="${expected.length - 1}"]`).waitFor({ state: 'attached', timeout: 10000 });
  const end = await shownRows(view);
  assert.equal(end[end.length - 1].index, expected.length - 1);
  assert.deepEqual(end.map((r) => ({ capture: r.capture, frame: r.frame })), expected.slice(end[0].index), 'last rows: capture and frame');

  // Choosing a row of the second capture selects that packet in its capture's list.
  const target = end.find((r) => r.capture === 2) || top.find((r) => r.capture === 2);
  assert.ok(target, 'a row of the second capture is shown');
  if (!end.includes(target)) await list.locator('.vt-viewport').evaluate((v) => { v.scrollTop = 0; });
  await list.locator(`[data-testid="merged-row"][data-index="${target.index}"]`).click();
  const pane = captureLocator(page, names[1]).locator('[data-testid="packet-pane"]');
  await pane.locator(`xpath=self::*[@data-selected="${target.frame}"]`).waitFor({ state: 'attached', timeout: 10000 });
  const selectedRow = pane.locator(`[data-testid="packet-row"][data-frame="${target.frame}"]`);
  assert.equal(await selectedRow.getAttribute('aria-selected'), 'true');
  await selectedRow.waitFor({ state: 'visible' });
  assert.equal(await captureLocator(page, names[0]).locator('[data-testid="packet-pane"]').getAttribute('data-selected'), null, 'the other captures keep their selection');

  // Closing the copy: the two captures left are merged again, in their own merge order.
  const pair = cliOrder(files.slice(0, 2), path.join(dir, 'pair.pcapng'));
  await captureLocator(page, copyName).getByRole('button', { name: `Close ${copyName}` }).click();
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="merged-view"]');
    return el && el.dataset.state === 'ready' && Number(el.querySelector('[data-testid="merged-list"]').dataset.rows) === n;
  }, pair.length, { timeout: 30000 });
  const again = await shownRows(view);
  assert.equal(again[0].index, 0);
  assert.deepEqual(again.map((r) => ({ capture: r.capture, frame: r.frame })), pair.slice(0, again.length), 'after a close: first rows');

  // One capture left: nothing to merge, and the view says so.
  await captureLocator(page, names[1]).getByRole('button', { name: `Close ${names[1]}` }).click();
  await view.locator('xpath=self::*[@data-state="few"]').waitFor({ state: 'attached', timeout: 10000 });
  assert.equal(Number(await list.getAttribute('data-rows')), 0);
  assert.match(await view.locator('[data-testid="merged-status"]').textContent(), /two or more captures/);
  await page.close();
});

test('the merged view waits for captures still indexing and appears when indexing ends', async () => {
  const dir = path.join(suite.tmp, 'waiting');
  fs.mkdirSync(dir);
  execFileSync(CLI, ['synth', 'demo', dir]);
  const names = fs.readdirSync(dir).filter((n) => /\.pcap(ng)?$/.test(n)).sort().slice(0, 2);
  const files = names.map((n) => path.join(dir, n));
  const expected = cliOrder(files, path.join(dir, 'merged.pcapng'));
  // Every capture's first worker stalls after its first chunk (worker-test-stall.js) until restarted.
  const page = await suite.browser.context.newPage();
  await page.goto(suite.pageUrl('?test-stall-worker=1&hang-ms=2000'), { waitUntil: 'load' });
  await page.setInputFiles('[data-testid="file-input"]', files);
  await page.locator('[data-testid="merged-open"]').click();
  const view = page.locator('[data-testid="merged-view"]');
  const status = view.locator('[data-testid="merged-status"]');
  await view.locator('xpath=self::*[@data-state="waiting"]').waitFor({ state: 'attached', timeout: 10000 });
  assert.match(await status.textContent(), /appears when indexing ends/);
  for (const name of names) assert.ok((await status.textContent()).includes(name), `the status names ${name}`);
  assert.equal(Number(await view.locator('[data-testid="merged-list"]').getAttribute('data-rows')), 0);

  // The first capture indexes: still waiting, for the second only.
  const first = captureLocator(page, names[0]);
  await first.locator('[data-testid="restart-worker"]').click({ timeout: 30000 });
  await waitIndexed(first);
  await page.waitForFunction((name) => {
    const el = document.querySelector('[data-testid="merged-status"]');
    return el && !el.textContent.includes(name);
  }, names[0], { timeout: 10000 });
  assert.equal(await view.getAttribute('data-state'), 'waiting');
  assert.ok((await status.textContent()).includes(names[1]));

  // The second one too: the merged list appears, in tracematch merge's order.
  const second = captureLocator(page, names[1]);
  await second.locator('[data-testid="restart-worker"]').click({ timeout: 30000 });
  await waitIndexed(second);
  await view.locator('xpath=self::*[@data-state="ready"]').waitFor({ state: 'attached', timeout: 30000 });
  assert.equal(Number(await view.locator('[data-testid="merged-list"]').getAttribute('data-rows')), expected.length);
  const top = await shownRows(view);
  assert.deepEqual(top.map((r) => ({ capture: r.capture, frame: r.frame })), expected.slice(0, top.length));
  await page.close();
});
