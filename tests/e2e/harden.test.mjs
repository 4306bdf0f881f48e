// End-to-end tests of the page's hardening: Trusted Types enforced (a string never reaches an HTML
// sink; the page's workers and the uPlot graph work under the policy), a hung worker is reported and
// can be restarted, closing captures frees their workers and memory, and cancelling at once keeps
// a partial, usable result. Needs the build (scripts/build.sh): www/pkg/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  pageSuite, foreignRequests, openPage, captureLocator, waitIndexed,
  writeSyntheticPcap,
} from './helpers.mjs';

// Every CSP / Trusted Types violation of every page is recorded before the page's scripts run.
const recordViolations = (suite) => suite.browser.context.addInitScript(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(`${e.effectiveDirective}: ${e.blockedURI || ''} ${e.sample || ''}`.trim());
  });
});
const suite = pageSuite({ tmp: 'harden', setup: recordViolations });
const pageUrl = (query) => suite.pageUrl(query);
const violations = (page) => page.evaluate(() => window.__violations.slice());

test('Trusted Types are required: a string assigned to innerHTML throws; workers and the IO graph run under the policy', async () => {
  const file = path.join(suite.tmp, 'tt.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 20, udpFlows: 5 });
  const page = await openPage(suite.browser.context, pageUrl(), [file]);
  try {
    const capture = captureLocator(page, path.basename(file));
    assert.equal(await waitIndexed(capture), made.packets, 'the indexing worker started through the policy');
    // The IO graph (vendored uPlot) draws under the policy.
    await capture.locator('.uplot canvas').first().waitFor({ state: 'attached', timeout: 30000 });
    assert.deepEqual(await violations(page), [], 'no violation while the page works');
    const outcome = await page.evaluate(() => {
      const div = document.createElement('div');
      const tried = {};
      for (const [sink, run] of [
        ['innerHTML', () => { div.innerHTML = '<img src=x onerror="window.__pwned=1">'; }],
        ['outerHTML', () => { document.body.appendChild(div); div.outerHTML = '<b>x</b>'; }],
        ['insertAdjacentHTML', () => { div.insertAdjacentHTML('beforeend', '<b>x</b>'); }],
        ['script.src', () => { document.createElement('script').src = 'data:text/javascript,window.__pwned=2'; }],
        ['Worker(string)', () => { new Worker('www/worker.js', { type: 'module' }); }],
      ]) {
        try { run(); tried[sink] = 'assigned'; } catch (e) { tried[sink] = e.name; }
      }
      div.remove();
      return { tried, html: div.innerHTML, pwned: window.__pwned };
    });
    assert.deepEqual(outcome.tried, {
      innerHTML: 'TypeError', outerHTML: 'TypeError', insertAdjacentHTML: 'TypeError', 'script.src': 'TypeError', 'Worker(string)': 'TypeError',
    });
    assert.equal(outcome.html, '');
    assert.equal(outcome.pwned, undefined);
    const after = await violations(page);
    assert.ok(after.length >= 5 && after.every((v) => v.startsWith('require-trusted-types-for')), after.join('\n'));
  } finally {
    await page.close();
  }
});

/** The capture workers of `page` (each capture's www/worker.js; nested read/analysis workers aside). */
const captureWorkers = (page) => page.workers().filter((w) => /\/www\/worker\.js(\?|$)/.test(w.url()));

test('a hung worker is reported as not responding; Restart starts a new worker that indexes the file', async () => {
  const file = path.join(suite.tmp, 'hang.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 50, udpFlows: 10 });
  // test-stall-worker: the first worker blocks after its first chunk; hang-ms: report after 6 s.
  const page = await openPage(suite.browser.context, pageUrl('?test-stall-worker=1&hang-ms=6000'), [file]);
  try {
    const capture = captureLocator(page, path.basename(file));
    const notice = capture.locator('[data-testid="worker-hung"]');
    await notice.waitFor({ state: 'visible', timeout: 30000 });
    assert.match(await notice.textContent(), /not responding/i);
    assert.equal(await capture.getAttribute('data-status'), 'indexing');
    assert.equal(await capture.getAttribute('data-worker'), 'hung');
    assert.equal(captureWorkers(page).length, 1, 'the stalled worker is still there');
    await notice.getByRole('button', { name: 'Restart' }).click();
    assert.equal(await waitIndexed(capture), made.packets);
    assert.equal(await capture.getAttribute('data-status'), 'done');
    assert.equal(await notice.count(), 0, 'the notice is gone after the restart');
    // Termination is asynchronous (the stalled worker and its nested workers): up to 30 s.
    for (let i = 0; i < 300 && captureWorkers(page).length !== 1; i++) await page.waitForTimeout(100);
    assert.equal(captureWorkers(page).length, 1, 'the stalled worker was terminated, one new worker runs');
    // The restarted worker answers queries: the TCP conversation table lists every flow.
    const rows = capture.locator('[data-testid="conv-tab"][data-kind="tcp"] .count');
    assert.equal(Number((await rows.textContent()).replace(/\D/g, '')), made.tcpFlows);
  } finally {
    await page.close();
  }
});

test('loading and closing 20 captures frees their workers and the page\'s memory', async () => {
  const file = path.join(suite.tmp, 'many-flows.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 3000, udpFlows: 300, dataPackets: 2, payloadBytes: 40 });
  const page = await openPage(suite.browser.context, pageUrl());
  const cdp = await suite.browser.context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    return metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  };
  const cycle = async () => {
    await page.setInputFiles('[data-testid="file-input"]', [file]);
    const capture = captureLocator(page, path.basename(file));
    assert.equal(await waitIndexed(capture), made.packets);
    // Load the conversation table too, so each capture holds real data in the page.
    await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
    const table = capture.locator('[data-testid="conv-table"][data-kind="tcp"]');
    await table.waitFor({ timeout: 30000 });
    assert.equal(Number(await table.getAttribute('data-rows')), made.tcpFlows);
    // A closed capture's worker goes away asynchronously (with its nested workers): let it settle
    // (up to 30 s on a loaded machine; a leaked worker stays and fails here or at the end).
    for (let i = 0; i < 300 && captureWorkers(page).length !== 1; i++) await page.waitForTimeout(100);
    assert.equal(captureWorkers(page).length, 1, `one capture worker: ${page.workers().map((w) => w.url()).join(', ')}`);
    await capture.getByRole('button', { name: `Close ${path.basename(file)}` }).click();
    await capture.waitFor({ state: 'detached' });
  };
  try {
    await cycle(); // warm-up: modules, wasm compiled, caches
    const workersGone = () => page.workers().length === 0;
    for (let i = 0; i < 50 && !workersGone(); i++) await page.waitForTimeout(100);
    const baseline = await heap();
    for (let i = 0; i < 20; i++) await cycle();
    for (let i = 0; i < 300 && !workersGone(); i++) await page.waitForTimeout(100);
    assert.equal(page.workers().length, 0, 'every closed capture\'s worker (and its wasm memory) is gone');
    const end = await heap();
    const growth = end - baseline;
    // One capture's conversation rows alone are ~1 MB of JS heap: 20 leaked captures would add
    // far more than this bound.
    assert.ok(growth < 3 * 1024 * 1024, `JS heap grew by ${(growth / 1048576).toFixed(2)} MiB over 20 captures (baseline ${(baseline / 1048576).toFixed(1)} MiB)`);
    assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  } finally {
    await cdp.detach();
    await page.close();
  }
});

test('cancel at once keeps what was indexed, marked partial, and the views work', async () => {
  const file = path.join(suite.tmp, 'cancel-at-once.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 3000, udpFlows: 500, dataPackets: 8, payloadBytes: 200 });
  const page = await openPage(suite.browser.context, pageUrl('?chunk=4096'), [file]);
  try {
    const capture = captureLocator(page, path.basename(file));
    // Cancel before the first progress report.
    await capture.locator('[data-testid="progress"]').getByRole('button', { name: 'Cancel' }).click();
    const packets = await waitIndexed(capture);
    assert.equal(await capture.getAttribute('data-status'), 'cancelled');
    assert.ok(packets < made.packets, `partial: ${packets} of ${made.packets}`);
    const summary = capture.locator('[data-testid="summary"]');
    assert.match(await summary.textContent(), /partial \(cancelled\)/);
    assert.equal(await capture.locator('[data-testid="error"]').isVisible(), false);
    // The partial index answers queries: the TCP tab counts the streams read so far.
    const tab = capture.locator('[data-testid="conv-tab"][data-kind="tcp"] .count');
    const streams = Number((await tab.textContent()).replace(/\D/g, ''));
    assert.ok(streams <= made.tcpFlows, `tcp streams ${streams}`);
  } finally {
    await page.close();
  }
});

test('no request left the page\'s origin, and no page error happened', () => {
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
