// End-to-end tests of the display filter's paths in the page (issue 7, "runs in the worker over
// the index and decodes only what it must"): on a generated capture, `tcp.stream == N` is
// answered from the index, a mixed filter (`tcp.stream in {..} and tcp.len > 0`) decodes only the
// frames the index pre-selects, a filter on decoded fields decodes every frame; the displayed
// frames equal `tracematch fields FILE -Y FILTER -e frame.number` and the bar says which path ran.
// Cancel stops a pre-selecting run. Needs the build (scripts/build.sh): www/pkg/ and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { openPage, captureLocator, waitIndexed, writeSyntheticPcap, CLI, pageSuite, applyFilter } from './helpers.mjs';

const suite = pageSuite({ tmp: 'filter-paths', cli: true });

/** The CLI's matching frames of `filter` over `file`. */
function cliFrames(file, filter) {
  const out = execFileSync(CLI, ['fields', file, '-Y', filter, '-e', 'frame.number'], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map(Number);
}

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
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

/** Opens `file` in a fresh page and waits for its index. */
async function openCapture(file) {
  const page = await openPage(suite.browser.context, suite.pageUrl(), [file]);
  const capture = captureLocator(page, path.basename(file));
  const packets = await waitIndexed(capture, 120000);
  const list = capture.locator('[data-testid="packet-list"]');
  await list.waitFor({ timeout: 20000 });
  return { page, capture, packets, list };
}

test('each filter path shows the CLI\'s frames and says which path ran', async () => {
  const file = path.join(suite.tmp, 'paths.pcap');
  const written = writeSyntheticPcap(file, { tcpFlows: 400, udpFlows: 20, dataPackets: 4 });
  const { page, capture, packets, list } = await openCapture(file);
  assert.equal(packets, written.packets);
  const note = capture.locator('[data-testid="filter-path"]');
  const cases = [
    // [filter, path, frames decoded (null: any)]
    ['tcp.stream == 7', 'index', null],
    ['tcp.stream in {3..5} and tcp.len > 0', 'preselect', 3 * written.framesOfTcpStream.get(3).length],
    ['frame.number >= 3000 and tcp.flags.fin == 1', 'preselect', packets - 2999],
    ['udp.port == 53', 'full', packets],
  ];
  for (const [filter, kind, decoded] of cases) {
    const want = cliFrames(file, filter);
    assert.ok(want.length > 0, `${filter}: the CLI matches frames`);
    assert.equal(await applyFilter(capture, filter), 'done', filter);
    assert.equal(Number(await list.getAttribute('data-rows')), want.length, `${filter}: rows`);
    assert.deepEqual(await shownFrames(list), want, `${filter}: frames`);
    assert.equal(await note.getAttribute('data-path'), kind, `${filter}: path`);
    const text = await note.textContent();
    const count = (n) => n.toLocaleString('en-US');
    if (kind === 'index') assert.match(text, /^index only/, filter);
    if (kind === 'preselect') assert.equal(text, `decoded ${count(decoded)} of ${count(packets)} frames`, filter);
    if (kind === 'full') assert.equal(text, `decoded all ${count(decoded)} frames`, filter);
  }
  // `tcp.stream == N` shows exactly the stream's frames, with no frame decoded to select them.
  assert.equal(await applyFilter(capture, 'tcp.stream == 7'), 'done');
  assert.deepEqual(await shownFrames(list), written.framesOfTcpStream.get(7));
  // Errors keep their red bar and position.
  assert.equal(await applyFilter(capture, 'tcp.stream == 7 and'), 'error');
  const error = capture.locator('[data-testid="filter-error"]');
  assert.equal(await error.getAttribute('data-position'), '19'); // the end: the value is missing
  assert.equal(await note.textContent(), '');
  await page.close();
});

test('Cancel stops a run that reads frames back', async () => {
  const file = path.join(suite.tmp, 'cancel.pcap');
  writeSyntheticPcap(file, { tcpFlows: 40000, udpFlows: 0, dataPackets: 4 });
  const { page, capture, packets } = await openCapture(file);
  assert.ok(packets > 300000);
  const input = capture.locator('[data-testid="filter-input"]');
  const bar = capture.locator('[data-testid="filter-bar"]');
  await input.fill('frame.number >= 1 and tcp.port == 80');
  await input.press('Enter');
  // The read-back progress line shows; Cancel ends the run as cancelled.
  await capture.locator('[data-testid="filter-progress"]').getByText(/^Reading back:/).waitFor({ timeout: 60000 });
  await capture.locator('[data-testid="filter-cancel"]').click();
  await page.waitForFunction((el) => ['done', 'cancelled'].includes(el.dataset.state), await bar.elementHandle(), { timeout: 60000 });
  assert.equal(await bar.getAttribute('data-state'), 'cancelled');
  assert.equal(await capture.locator('[data-testid="filter-path"]').textContent(), '');
  await page.close();
});
