// End-to-end tests of memory limits in the page (issue 8): a tiny index budget (the test-only
// `?test-index-budget=BYTES`) stops indexing with a clear message and a usable partial result; a
// worker whose wasm memory runs out (the test-only `?test-oom=NAME` makes that capture's worker
// exhaust wasm32's 4 GiB after its first chunk) reports it on that capture, and the page and a
// second capture keep working. Needs the build (scripts/build.sh): www/pkg/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  foreignRequests, openPage, captureLocator, waitIndexed, writeSyntheticPcap, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'limits' });
const { pageUrl } = suite;

test('a tiny index budget stops indexing with a message naming packet, offset and budget; the partial result is usable', async () => {
  const file = path.join(suite.tmp, 'budget.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 400, udpFlows: 50, dataPackets: 4, payloadBytes: 100 });
  const page = await openPage(suite.browser.context, pageUrl('?test-index-budget=20480&chunk=4096'), [file]);
  try {
    const capture = captureLocator(page, path.basename(file));
    const packets = await waitIndexed(capture);
    assert.ok(packets > 0 && packets < made.packets, `partial: ${packets} of ${made.packets}`);
    assert.equal(await capture.getAttribute('data-status'), 'partial', 'the badge says partial, not complete');
    assert.match(await capture.locator('[data-testid="summary"]').textContent(), /partial \(memory budget reached\)/);
    const error = capture.locator('[data-testid="error"]');
    assert.equal(await error.isVisible(), true);
    const text = await error.textContent();
    const m = /^Partial index: stopped at packet (\d+) \(offset (\d+)\): the index reached its 20 KiB budget\. /.exec(text);
    assert.ok(m, text);
    assert.equal(Number(m[1]), packets, 'the message names the last packet indexed');
    assert.ok(Number(m[2]) > 0 && Number(m[2]) < fs.statSync(file).size);
    // The partial index answers queries: streams seen so far, and the packet list shows rows.
    const tab = capture.locator('[data-testid="conv-tab"][data-kind="tcp"] .count');
    const streams = Number((await tab.textContent()).replace(/\D/g, ''));
    assert.ok(streams > 0 && streams < made.tcpFlows, `tcp streams ${streams}`);
    const list = capture.locator('[data-testid="packet-list"]');
    await list.locator('[data-testid="packet-row"][data-frame="1"]').waitFor({ timeout: 30000 });
  } finally {
    await page.close();
  }
});

test('wasm running out of memory is reported on that capture; the page and a second capture keep working', async () => {
  const big = path.join(suite.tmp, 'oom.pcap');
  writeSyntheticPcap(big, { tcpFlows: 50, udpFlows: 5 });
  const other = path.join(suite.tmp, 'after-oom.pcap');
  const made = writeSyntheticPcap(other, { tcpFlows: 30, udpFlows: 3 });
  const page = await openPage(suite.browser.context, pageUrl('?test-oom=oom.pcap&chunk=4096'), [big]);
  try {
    const capture = captureLocator(page, 'oom.pcap');
    await capture.locator('xpath=self::*[@data-status="failed"]').waitFor({ state: 'attached', timeout: 60000 });
    const text = await capture.locator('[data-testid="error"]').textContent();
    assert.match(text, /ran out of memory after \d+ packets \(wasm memory \d+ MiB of at most 4096\)/);
    // The page is alive: a second capture indexes whole, and the failed one can be closed.
    await page.setInputFiles('[data-testid="file-input"]', [other]);
    assert.equal(await waitIndexed(captureLocator(page, 'after-oom.pcap')), made.packets);
    await capture.getByRole('button', { name: /close/i }).first().click();
    await capture.waitFor({ state: 'detached', timeout: 30000 });
    assert.equal(await captureLocator(page, 'after-oom.pcap').getAttribute('data-status'), 'done');
  } finally {
    await page.close();
  }
});

test('no request left the page\'s origin, and no page error happened', () => {
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
