// End-to-end test of the local index cache (issue 7, www/index_cache.js): a capture read whole is
// saved in the Origin Private File System; closing and reopening the same file restores its index
// (data-index-source="cache") with the same summary, conversation tables and packet rows as the
// first time; "Cached indexes" lists the entry, and Forget makes the next open read the file again.
// Needs the build (scripts/build.sh): www/pkg/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  REPO_ROOT, publicCaptures, openPage, captureLocator, waitIndexed, writeSyntheticPcap, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'cache' });

/** What the page shows of a capture once indexed: summary, conversation tables, first packet rows. */
async function snapshot(capture) {
  const packets = await waitIndexed(capture);
  const summary = await capture.locator('[data-testid="summary"]').textContent();
  const tables = {};
  for (const kind of ['tcp', 'udp', 'ip']) {
    const tab = capture.locator(`[data-testid="conv-tab"][data-kind="${kind}"]`);
    await tab.click();
    const rows = capture.locator('[data-testid="conv-row"]');
    await capture.locator('.table-slot .loading').waitFor({ state: 'detached', timeout: 20000 });
    tables[kind] = { tab: await tab.textContent(), rows: await rows.evaluateAll((els) => els.map((e) => e.textContent)) };
  }
  const list = capture.locator('[data-testid="packet-list"]');
  await list.waitFor({ timeout: 20000 });
  // Packet rows are read back from the file in pages: wait until the shown ones are filled in.
  await capture.page().waitForFunction((el) => {
    const rows = [...el.querySelectorAll('[data-testid="packet-row"]')];
    return rows.length > 0 && rows.every((r) => !r.textContent.includes('…'));
  }, await list.elementHandle(), { timeout: 20000 });
  const rows = await list.locator('[data-testid="packet-row"]').evaluateAll((els) => els.slice(0, 30).map((e) => e.textContent));
  return { packets, summary, tables, rows, source: await capture.getAttribute('data-index-source') };
}

async function closeCapture(page, name) {
  await page.getByRole('button', { name: `Close ${name}` }).click();
  await captureLocator(page, name).waitFor({ state: 'detached', timeout: 10000 });
}

/** Opens "Cached indexes" (closing and reopening it re-reads the list); returns its rows. */
async function cacheRows(page) {
  const control = page.locator('[data-testid="index-cache"]');
  if (await control.evaluate((el) => el.open)) {
    await control.locator('summary').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="index-cache"]').dataset.available === undefined, null, { timeout: 10000 });
  }
  await control.locator('summary').click();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="index-cache"]');
    return el.dataset.available !== undefined && !el.textContent.includes('Loading…');
  }, null, { timeout: 10000 });
  return control.locator('[data-testid="index-cache-row"]');
}

async function reopenCycle(file) {
  const name = path.basename(file);
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [file]);
  try {
    const first = await snapshot(captureLocator(page, name));
    assert.equal(first.source, 'file', 'first open reads the file');
    assert.ok(first.packets > 0);
    const rows = await cacheRows(page);
    assert.equal(await rows.count(), 1, 'one cached index listed');
    assert.equal(await rows.first().getAttribute('data-name'), name);
    assert.ok(Number(await rows.first().locator('td[data-bytes]').getAttribute('data-bytes')) > 0, 'bytes used shown');

    await closeCapture(page, name);
    await page.setInputFiles('[data-testid="file-input"]', [file]);
    const capture = captureLocator(page, name);
    const second = await snapshot(capture);
    assert.equal(second.source, 'cache', 'reopening restores the cached index');
    assert.match(await capture.locator('[data-testid="progress"]').textContent(), /from cache/);
    assert.deepEqual({ ...second, source: 'file' }, first, 'same summary, conversations and packet rows');

    // Forget → the next open reads the file again (and caches it anew).
    const listed = await cacheRows(page);
    await listed.first().getByRole('button', { name: /Forget/ }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="index-cache-row"]').length === 0, null, { timeout: 10000 });
    await closeCapture(page, name);
    await page.setInputFiles('[data-testid="file-input"]', [file]);
    const third = await snapshot(captureLocator(page, name));
    assert.equal(third.source, 'file', 'after Forget the file is indexed again');
    assert.deepEqual({ ...third }, first);
    assert.equal(await (await cacheRows(page)).count(), 1, 'cached again after a complete read');
    await page.locator('[data-testid="index-cache-forget-all"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="index-cache-row"]').length === 0, null, { timeout: 10000 });
  } finally {
    await page.close();
  }
}

test('generated capture: reopen restores from the cache with identical results; Forget re-indexes', async () => {
  const file = path.join(suite.tmp, 'cache-synthetic.pcap');
  writeSyntheticPcap(file, { tcpFlows: 40, udpFlows: 12, dataPackets: 6 });
  await reopenCycle(file);
});

test('public capture: reopen restores from the cache with identical results', async (t) => {
  const dir = publicCaptures();
  if (!dir) {
    t.skip('SKIPPED: ../shared/captures not found');
    return;
  }
  await reopenCycle(path.join(dir, 'arkime__arkime_synthetic.pcap'));
});

test('a damaged capture is not cached', async () => {
  const file = path.join(suite.tmp, 'cache-damaged.pcap');
  writeSyntheticPcap(file, { tcpFlows: 5, udpFlows: 2 });
  fs.truncateSync(file, fs.statSync(file).size - 7);
  const name = path.basename(file);
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [file]);
  try {
    await waitIndexed(captureLocator(page, name));
    assert.equal(await captureLocator(page, name).getAttribute('data-status'), 'damaged');
    const rows = await cacheRows(page);
    assert.equal(await rows.evaluateAll((els, n) => els.filter((e) => e.dataset.name === n).length, name), 0);
  } finally {
    await page.close();
  }
});

test('file:// single file: no cache, the control says why, and reopening indexes from the file', async () => {
  const single = path.join(REPO_ROOT, 'dist', 'tracematch.html');
  assert.ok(fs.existsSync(single), 'dist/tracematch.html is missing: run bash scripts/build.sh first');
  const file = path.join(suite.tmp, 'cache-single-file.pcap');
  writeSyntheticPcap(file, { tcpFlows: 6, udpFlows: 3 });
  const name = path.basename(file);
  const page = await openPage(suite.browser.context, pathToFileURL(single).href, [file]);
  try {
    const first = await snapshot(captureLocator(page, name));
    assert.equal(first.source, 'file');
    await cacheRows(page);
    const control = page.locator('[data-testid="index-cache"]');
    assert.equal(await control.getAttribute('data-available'), 'false');
    assert.match(await control.locator('[data-testid="index-cache-unavailable"]').textContent(), /file:\/\//);
    await closeCapture(page, name);
    await page.setInputFiles('[data-testid="file-input"]', [file]);
    const second = await snapshot(captureLocator(page, name));
    assert.deepEqual(second, first, 'indexed from the file again, same results');
  } finally {
    await page.close();
  }
});
