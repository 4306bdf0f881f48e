// End-to-end test of the protocol hierarchy's http and tls rows (www/components/ProtocolHierarchy.js,
// the nodes from CaptureHandle.appHierarchy): once the page has added them, every row it shows equals
// `tracematch phs FILE --json`'s (path, protocol, depth, frames, bytes), the http / tls rows among
// them, and the CSV export holds the rows shown. Captures: the demo capture the CLI generates (HTTP),
// the committed TLS lab fixture, a corpus capture with both and a compressed one (skipped when the
// corpus is absent).
// Sibling order may differ from the CLI's (the page adds a node after its parent's other children),
// so rows are compared sorted by path. Needs scripts/build.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  REPO_ROOT, CLI, publicCaptures, openPage, captureLocator, waitIndexed, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'phs-app', cli: true });
const corpus = publicCaptures();
const CORPUS_CAPTURE = 'tcpreplay__test.pcap'; // HTTP and TLS over IPv4 TCP
// Compressed: its index cannot be saved, so the capture's own worker computes the rows (not a
// nested worker given a saved copy of the index).
const GZIP_CAPTURE = 'zeek__1000-requests-one-dropped-response.pcap.gz';

const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** `tracematch phs FILE --json` rows, sorted by path. */
function cliRows(file) {
  const rows = JSON.parse(execFileSync(CLI, ['phs', file, '--json'], { encoding: 'utf8' }));
  return rows.map(({ path: p, proto, depth, frames, bytes }) => ({ path: p, proto, depth, frames, bytes })).sort(byPath);
}

/** The rows the page shows once its http / tls rows were added, in the page's order. */
async function shownRows(capture) {
  const phs = capture.locator('[data-testid="phs"]');
  await phs.locator('xpath=self::*[@data-app="done" or @data-app="error"]').waitFor({ state: 'attached', timeout: 60000 });
  assert.equal(await phs.getAttribute('data-app'), 'done', await phs.locator('[data-testid="phs-app-note"]').textContent());
  assert.equal(await phs.locator('[data-testid="phs-app-note"]').isHidden(), true, 'the note goes once the rows are in');
  return phs.locator('[data-testid="phs-row"]').evaluateAll((rs) => rs.map((r) => ({
    path: r.dataset.path, proto: r.dataset.proto, depth: Number(r.dataset.depth), frames: Number(r.dataset.frames), bytes: Number(r.dataset.bytes),
  })));
}

/** Checks one open capture against the CLI; returns the application protocols shown. */
async function checkCapture(page, file, name) {
  const capture = captureLocator(page, name);
  await waitIndexed(capture);
  const shown = await shownRows(capture);
  const want = cliRows(file);
  assert.deepEqual([...shown].sort(byPath), want, `${name}: page rows equal tracematch phs --json`);
  // Depth first: every row comes after its parent, deeper by one.
  for (const [i, r] of shown.entries()) {
    if (r.depth === 0) continue;
    const parent = shown.slice(0, i).findLast((p) => p.depth === r.depth - 1);
    assert.equal(`${parent.path}:${r.proto}`, r.path, `${name}: ${r.path} is under its parent`);
  }
  // The CSV export holds the rows shown, in their order.
  const [download] = await Promise.all([page.waitForEvent('download'), capture.locator('[data-testid="phs-csv"]').click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'path,proto,depth,frames,bytes');
  assert.deepEqual(csv.slice(1), shown.map((r) => [r.path, r.proto, r.depth, r.frames, r.bytes].join(',')), `${name}: CSV`);
  return new Set(shown.filter((r) => r.proto === 'http' || r.proto === 'tls').map((r) => r.proto));
}

test('http and tls rows of generated and committed captures equal tracematch phs', async () => {
  execFileSync(CLI, ['synth', 'demo', suite.tmp]);
  const demo = path.join(suite.tmp, 'demo-client.pcap');
  fs.renameSync(path.join(suite.tmp, 'client.pcap'), demo);
  const tls = path.join(suite.tmp, 'tls-proxy-client.pcap');
  fs.copyFileSync(path.join(REPO_ROOT, 'tests', 'fixtures', 'lab_tls_proxy', 'client.pcap'), tls);
  const page = await openPage(suite.browser.context, suite.pageUrl(), [demo, tls]);
  assert.deepEqual([...await checkCapture(page, demo, 'demo-client.pcap')], ['http']);
  assert.deepEqual([...await checkCapture(page, tls, 'tls-proxy-client.pcap')], ['tls']);
  await page.close();
});

test('http and tls rows of a corpus capture equal tracematch phs', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const file = path.join(corpus, CORPUS_CAPTURE);
  const page = await openPage(suite.browser.context, suite.pageUrl(), [file]);
  assert.deepEqual([...await checkCapture(page, file, CORPUS_CAPTURE)].sort(), ['http', 'tls']);
  await page.close();
});

test('http rows of a compressed corpus capture (computed in the capture\'s worker) equal tracematch phs', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const file = path.join(corpus, GZIP_CAPTURE);
  const page = await openPage(suite.browser.context, suite.pageUrl(), [file]);
  assert.deepEqual([...await checkCapture(page, file, GZIP_CAPTURE)], ['http']);
  await page.close();
});
