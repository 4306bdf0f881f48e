// End-to-end tests of the index's cold columns (issue 7, big captures): past the index budget
// (the test-only `?test-index-budget=BYTES`), the index moves its cold columns (offsets, lengths,
// timestamps) to a file in the Origin Private File System instead of stopping. The capture then
// indexes completely, says so, shows the same packet rows and conversations as the CLI, and the
// file is deleted when the capture closes. Without OPFS (`?test-no-opfs`, as on file:// pages) the
// budget stops indexing as before, saying why. Needs the build (scripts/build.sh): www/pkg/ and
// target/release/tracematch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  CLI, foreignRequests, openPage, captureLocator, waitIndexed, writeSyntheticPcap, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'cold', cli: true });
const { pageUrl } = suite;

/** Elements per index chunk (src/index/chunked_column.rs): only full chunks move out. */
const CHUNK_LEN = 65536;

/** A capture of more than two chunks of frames, and a budget of half its index (30 B/packet). */
let made = null;
function bigCapture() {
  const file = path.join(suite.tmp, 'cold.pcap');
  if (!made) made = writeSyntheticPcap(file, { tcpFlows: 60, udpFlows: 5, dataPackets: 2400, payloadBytes: 8 });
  assert.ok(made.packets > 2 * CHUNK_LEN, `${made.packets} packets`);
  return { file, budget: Math.floor(made.packets * 30 / 2) };
}

/** Names of the files in the page origin's cold-column directory (cold_store.js). */
function coldFiles(page) {
  return page.evaluate(async () => {
    const root = await navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle('index-cold', { create: true });
    const names = [];
    for await (const name of dir.keys()) names.push(name);
    return names;
  });
}

/** The CLI's fields of frame `n`: [number, time_relative, ip.src, ip.dst, frame.len]. */
function cliFields(file) {
  const out = execFileSync(CLI, ['fields', file, '-e', 'frame.number', '-e', 'frame.time_relative',
    '-e', 'ip.src', '-e', 'ip.dst', '-e', 'frame.len'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return out.trim().split('\n').map((l) => l.split('\t'));
}

test('past the index budget the cold columns move to OPFS: the capture indexes whole and agrees with the CLI', async () => {
  const { file, budget } = bigCapture();
  const page = await openPage(suite.browser.context, pageUrl(`?test-index-budget=${budget}`), [file]);
  try {
    const capture = captureLocator(page, 'cold.pcap');
    const packets = await waitIndexed(capture, 180000);
    assert.equal(packets, made.packets, 'every packet indexed');
    assert.equal(await capture.getAttribute('data-index-source'), 'file', 'indexed, not restored from the index cache');
    assert.equal(await capture.getAttribute('data-status'), 'done', 'complete, not partial');
    assert.equal(await capture.locator('[data-testid="error"]').isVisible(), false);
    const spilled = Number(await capture.getAttribute('data-index-spilled'));
    // At least the cold columns of the first full chunk (20 bytes per packet) moved out.
    assert.ok(spilled >= CHUNK_LEN * 20, `spilled ${spilled}`);
    assert.match(await capture.locator('[data-testid="summary"]').textContent(), /moved to local storage \(over the memory budget\)/);
    assert.equal((await coldFiles(page)).length, 1, 'one cold file while the capture is open');

    // Packet rows read back through the spilled offsets, lengths and timestamps equal the CLI's,
    // at the start (spilled chunk), in the middle and at the end (the last, resident chunk).
    const cli = cliFields(file);
    assert.equal(cli.length, made.packets);
    const list = capture.locator('[data-testid="packet-list"]');
    for (const n of [1, CHUNK_LEN - 1, CHUNK_LEN + 7, 2 * CHUNK_LEN + 1, made.packets - 1, made.packets]) {
      await capture.locator('[data-testid="goto-input"]').fill(String(n));
      await capture.locator('[data-testid="goto-input"]').press('Enter');
      await capture.locator(`[data-testid="details-tree"][data-frame="${n}"]`).waitFor({ timeout: 30000 });
      const row = list.locator(`[data-testid="packet-row"][data-frame="${n}"]`);
      await row.locator('.vt-cell').last().filter({ hasNotText: /^…$/ }).waitFor({ timeout: 30000 });
      const cells = await row.locator('.vt-cell').allTextContents();
      const [number, rel, src, dst, len] = cli[n - 1];
      assert.equal(cells[0].trim(), number, `frame ${n}: number`);
      assert.ok(Math.abs(Number(cells[1]) - Number(rel)) < 2e-6, `frame ${n}: time ${cells[1]} vs ${rel}`);
      assert.equal(cells[2].trim(), src, `frame ${n}: source`);
      assert.equal(cells[3].trim(), dst, `frame ${n}: destination`);
      assert.equal(cells[5].trim(), len, `frame ${n}: length`);
    }

    // Conversations: the TCP table equals `tracematch conv` (streams, frames per row).
    const conv = JSON.parse(execFileSync(CLI, ['conv', file, 'tcp', '--json'], { encoding: 'utf8' }));
    assert.equal(conv.length, made.tcpFlows);
    const table = capture.locator(`[data-testid="conv-table"][data-kind="tcp"][data-rows="${conv.length}"]`);
    await table.waitFor();
    const shown = await table.locator('[data-testid="conv-row"]').evaluateAll((rows) => rows.map((r) => ({
      stream: Number(r.dataset.stream),
      cells: [...r.querySelectorAll('.vt-cell')].map((c) => c.textContent.replace(/[\s,]/g, '')),
    })));
    assert.ok(shown.length > 0);
    for (const row of shown) {
      const want = conv.find((c) => c.stream === row.stream);
      assert.ok(want, `stream ${row.stream}`);
      assert.ok(row.cells.includes(String(want.frames)), `stream ${row.stream}: ${want.frames} frames in ${row.cells}`);
      assert.ok(row.cells.includes(String(want.bytes)), `stream ${row.stream}: ${want.bytes} bytes in ${row.cells}`);
    }
    // Closing the capture deletes its cold file.
    await capture.getByRole('button', { name: /close/i }).first().click();
    await capture.waitFor({ state: 'detached', timeout: 30000 });
    await page.waitForFunction(async () => {
      const root = await navigator.storage.getDirectory();
      const dir = await root.getDirectoryHandle('index-cold', { create: true });
      for await (const _ of dir.keys()) return false; // eslint-disable-line no-unused-vars
      return true;
    }, null, { timeout: 30000 });
  } finally {
    await page.close();
  }
});

test('without OPFS (as on file:// pages) the budget stops indexing, marked partial, saying why', async () => {
  const { file: original, budget } = bigCapture();
  // Another name: the first test's complete index is in the index cache under the original's.
  const file = path.join(suite.tmp, 'cold-no-opfs.pcap');
  fs.copyFileSync(original, file);
  const page = await openPage(suite.browser.context, pageUrl(`?test-index-budget=${budget}&test-no-opfs`), [file]);
  try {
    const capture = captureLocator(page, 'cold-no-opfs.pcap');
    const packets = await waitIndexed(capture, 180000);
    assert.equal((await coldFiles(page)).length, 0, 'no cold file');
    assert.ok(packets > 0 && packets < made.packets, `partial: ${packets} of ${made.packets}`);
    assert.equal(await capture.getAttribute('data-status'), 'partial');
    assert.equal(await capture.getAttribute('data-index-spilled'), '0');
    const text = await capture.locator('[data-testid="error"]').textContent();
    const m = /^Partial index: stopped at packet (\d+) \(offset (\d+)\): the index reached its [\d.]+ (?:KiB|MiB) budget and its cold columns could not move to local storage: OPFS unavailable \(disabled by \?test-no-opfs\)\. /.exec(text);
    assert.ok(m, text);
    assert.equal(Number(m[1]), packets);
  } finally {
    await page.close();
  }
});

test('no request left the page\'s origin, and no page error happened', () => {
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
