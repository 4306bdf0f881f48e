// End-to-end test of the IO graph's top talkers (www/components/TopTalkers.js) on a real corpus
// capture: the sources, packets and bytes the page lists for one interval (a typed time range, and
// the interval under the mouse) and for the whole capture equal `tracematch stats --top`'s, and
// the CSV export holds the rows shown. Skips when the shared corpus is absent. Needs scripts/build.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  publicCaptures, captureLocator, waitIndexed, CLI, pageSuite,
} from './helpers.mjs';

const CAPTURE = 'ndpi__1kxun.pcap'; // many hosts; several 1 s intervals with more than 10 sources
const SHOWN = 10;
const corpus = publicCaptures();
const suite = pageSuite({ cli: true });

/** The CLI's `stats --top N` rows: start (s) → [{ address, frames, bytes }] in rank order. */
function cliTop(file, n) {
  const lines = execFileSync(CLI, ['stats', file, '--top', String(n)], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(lines[0], 'start,rank,address,frames,bytes');
  const out = new Map();
  for (const line of lines.slice(1)) {
    const [start, rank, address, frames, bytes] = line.split(',');
    if (!rank) continue; // the "other" row of a busy interval
    const key = Number(start);
    if (!out.has(key)) out.set(key, []);
    out.get(key).push({ address, frames: Number(frames), bytes: Number(bytes) });
  }
  return out;
}

async function shownRows(talkers) {
  return talkers.locator('[data-testid="talker-row"]').evaluateAll((rows) => rows.map((r) => ({
    address: r.dataset.addr, frames: Number(r.dataset.packets), bytes: Number(r.dataset.bytes),
  })));
}

test('top talkers of an interval, the mouse\'s interval and the whole capture equal tracematch stats --top', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const file = path.join(corpus, CAPTURE);
  const perInterval = cliTop(file, SHOWN);
  // Every source of every interval (no interval has this many), summed: the whole capture's list.
  const all = new Map();
  for (const list of cliTop(file, 100000).values()) {
    for (const t of list) {
      const s = all.get(t.address) || { address: t.address, frames: 0, bytes: 0 };
      s.frames += t.frames;
      s.bytes += t.bytes;
      all.set(t.address, s);
    }
  }
  const wholeBytes = [...all.values()].map((t) => t.bytes).sort((a, b) => b - a).slice(0, SHOWN);
  const busy = [...perInterval.entries()].find(([, list]) => list.length === SHOWN);
  assert.ok(busy, 'the capture has an interval with at least 10 sources');
  const [start, expected] = busy;

  const page = await suite.browser.context.newPage();
  await page.goto(`${suite.server.origin}/index.html`, { waitUntil: 'load' });
  await page.setInputFiles('[data-testid="file-input"]', [file]);
  const capture = captureLocator(page, CAPTURE);
  await waitIndexed(capture);
  const graph = capture.locator('[data-testid="io-graph"]');
  await graph.locator('.u-over').waitFor({ timeout: 60000 });
  const talkers = graph.locator('[data-testid="top-talkers"]');

  // Whole capture (nothing brushed, mouse away): the same bytes ranking as the CLI's sums.
  await talkers.locator('xpath=self::*[@data-end="Infinity"]').waitFor({ state: 'attached' });
  const whole = await shownRows(talkers);
  assert.deepEqual(whole.map((t) => t.bytes), wholeBytes, 'whole-capture byte ranking');
  for (const t of whole) assert.deepEqual(t, all.get(t.address), `whole capture: ${t.address}`);

  // A typed range covering exactly one interval.
  await graph.locator('[data-testid="io-range-from"]').fill(String(start));
  await graph.locator('[data-testid="io-range-to"]').fill(String(start + 1));
  await graph.locator('[data-testid="io-range-apply"]').click();
  await talkers.locator(`xpath=self::*[@data-start="${start}"][@data-end="${start + 1}"]`).waitFor({ state: 'attached', timeout: 10000 });
  assert.deepEqual(await shownRows(talkers), expected, `interval at ${start} s`);

  // CSV of what is shown.
  const [download] = await Promise.all([page.waitForEvent('download'), talkers.locator('[data-testid="top-talkers-csv"]').click()]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'scope,rank,address,packets,bytes');
  assert.deepEqual(csv.slice(1).map((l) => l.split(',').slice(1)), expected.map((t, i) => [String(i + 1), t.address, String(t.frames), String(t.bytes)]));

  // The interval under the mouse.
  await graph.locator('.u-over').dblclick();
  const box = await graph.locator('.u-over').boundingBox();
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid="top-talkers"]');
    return el && el.dataset.end !== 'Infinity' && Number(el.dataset.end) - Number(el.dataset.start) === 1;
  }, null, { timeout: 10000 });
  const hovered = Number(await talkers.getAttribute('data-start'));
  assert.deepEqual(await shownRows(talkers), perInterval.get(hovered) || [], `interval under the mouse (${hovered} s)`);
  await page.close();
});
