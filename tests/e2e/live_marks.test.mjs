// End-to-end tests of the whole-capture list while and after indexing: (1) packets and
// conversations show while indexing goes on (small reads, ?chunk=4096, make indexing last seconds)
// and the final view equals the complete index; (2) packets marked with Ctrl+M or the Mark button
// and the "displayed / marked / frame range" export: the displayed download equals
// `tracematch export FILE -Y FILTER` byte for byte, the marked and range downloads hold exactly
// the original records of those frames. Synthetic captures only (no corpus needed).
// Needs scripts/build.sh (www/pkg/ and target/release/tracematch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  openPage, captureLocator, waitIndexed, writeSyntheticPcap, CLI, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'live-marks', cli: true });
const { pageUrl } = suite;

/** The records of a little-endian pcap (what writeSyntheticPcap and a pcap export write). */
function pcapRecords(bytes) {
  assert.equal(bytes.readUInt32LE(0), 0xa1b2c3d4, 'a little-endian µs pcap');
  const out = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const caplen = bytes.readUInt32LE(at + 8);
    out.push(bytes.subarray(at, at + 16 + caplen));
    at += 16 + caplen;
  }
  return out;
}

/** Clicks `button` and returns the bytes of the download it starts. */
async function download(page, button) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), button.click()]);
  const file = path.join(suite.tmp, `page-${Math.random().toString(36).slice(2)}-${dl.suggestedFilename()}`);
  await dl.saveAs(file);
  return fs.readFileSync(file);
}

/** What the capture shows right now, read in one go (so status and panes are seen together). */
function snapshot(capture) {
  return capture.evaluate((el) => {
    const list = el.querySelector('[data-testid="packet-list"]');
    const rows = list ? [...list.querySelectorAll('[data-testid="packet-row"]')] : [];
    const loaded = rows.filter((r) => r.lastElementChild && r.lastElementChild.textContent !== '…');
    const tab = el.querySelector('[data-testid="conv-tab"][data-kind="tcp"] .count');
    const table = el.querySelector('[data-testid="conv-table"]');
    return {
      status: el.dataset.status,
      live: list ? list.dataset.live === 'true' : false,
      listRows: list ? Number(list.dataset.rows) : 0,
      loadedRows: loaded.length,
      firstRow: loaded.length ? [...loaded[0].children].slice(2).map((c) => c.textContent) : null,
      firstFrame: loaded.length ? Number(loaded[0].dataset.frame) : null,
      tcpCount: tab ? Number(tab.textContent.replace(/\D/g, '')) : 0,
      tableRows: table ? Number(table.dataset.rows) : 0,
    };
  });
}

test('packets and conversations show while indexing goes on; the final view is the complete index', async () => {
  const file = path.join(suite.tmp, 'live.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 3000, udpFlows: 500, dataPackets: 8, payloadBytes: 200 });
  const page = await openPage(suite.browser.context, pageUrl('?chunk=4096'), [file]);
  try {
    const capture = captureLocator(page, 'live.pcap');
    const seen = [];
    const deadline = Date.now() + 60000;
    // Poll until two live views with loaded rows were seen while indexing, the second larger.
    while (Date.now() < deadline) {
      const s = await snapshot(capture);
      if (s.status !== 'indexing') break;
      if (s.live && s.loadedRows > 0 && s.tcpCount > 0 && s.tableRows > 0) {
        seen.push(s);
        if (seen.length >= 2 && seen[seen.length - 1].listRows > seen[0].listRows) break;
      }
      await page.waitForTimeout(100);
    }
    assert.ok(seen.length > 0, 'rows and conversations were shown while data-status was "indexing"');
    const first = seen[0];
    assert.ok(first.listRows < made.packets, `the live list is partial (${first.listRows} of ${made.packets})`);
    assert.ok(first.tcpCount <= made.tcpFlows && first.tableRows <= first.tcpCount, 'live counts are counts so far');
    assert.ok(seen.length >= 2 && seen[seen.length - 1].listRows > first.listRows, `the live list grows (${seen.map((s) => s.listRows).join(' → ')})`);

    // The final view equals the complete index, as without the live view.
    const packets = await waitIndexed(capture);
    assert.equal(packets, made.packets);
    const final = await snapshot(capture);
    assert.equal(final.status, 'done');
    assert.equal(final.live, false);
    assert.equal(await capture.locator('[data-live]').count(), 0, 'no live pane is left');
    assert.equal(final.listRows, made.packets);
    assert.equal(final.tcpCount, made.tcpFlows);
    await capture.locator(`[data-testid="conv-table"][data-kind="tcp"][data-rows="${made.tcpFlows}"]`).waitFor();
    const cli = JSON.parse(execFileSync(CLI, ['conv', file, 'tcp', '--json'], { encoding: 'utf8' }));
    assert.equal(cli.length, made.tcpFlows);
    // The live row of a frame shows what the final list shows for it (Source … Info).
    const row = capture.locator(`[data-testid="packet-pane"] [data-testid="packet-row"][data-frame="${first.firstFrame}"]`);
    await row.locator('.vt-cell').last().filter({ hasNotText: /^…$/ }).waitFor();
    const finalCells = (await row.locator('.vt-cell').allTextContents()).slice(2);
    assert.deepEqual(first.firstRow, finalCells);
  } finally {
    await page.close();
  }
});

test('marked packets, displayed packets and a frame range export as the CLI and the original records say', async () => {
  const file = path.join(suite.tmp, 'marks.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 12, udpFlows: 4 });
  const original = pcapRecords(fs.readFileSync(file));
  assert.equal(original.length, made.packets);
  const page = await openPage(suite.browser.context, pageUrl(), [file]);
  try {
    const capture = captureLocator(page, 'marks.pcap');
    await waitIndexed(capture);
    const pane = capture.locator('[data-testid="packet-pane"]');
    const exportButton = capture.locator('[data-testid="export-button"][data-scope="packets"]');
    const format = capture.locator('[data-testid="export-format"]');
    const what = capture.locator('[data-testid="export-what"]');

    // Mark frame 3 with Ctrl+M in the list, 7 and 9 with the toolbar button; then unmark 9.
    const select = async (n) => {
      await pane.locator('[data-testid="goto-input"]').fill(String(n));
      await pane.locator('[data-testid="goto-input"]').press('Enter');
      await pane.locator(`[data-testid="packet-row"][data-frame="${n}"][aria-selected="true"]`).waitFor();
    };
    const markedRows = () => pane.locator('[data-testid="packet-row"][data-marked="true"]').evaluateAll((rs) => rs.map((r) => Number(r.dataset.frame)).sort((a, b) => a - b));
    await select(3);
    await pane.locator('.vt-viewport').focus();
    await page.keyboard.press('Control+m');
    await pane.locator('[data-testid="packet-row"][data-frame="3"][data-marked="true"]').waitFor();
    await select(7);
    await pane.locator('[data-testid="mark-button"]').click();
    await select(9);
    await pane.locator('[data-testid="mark-button"]').click();
    await pane.locator('[data-testid="packet-row"][data-frame="9"][data-marked="true"]').waitFor();
    assert.deepEqual(await markedRows(), [3, 7, 9]);
    assert.equal(await pane.locator('[data-testid="mark-button"]').textContent(), 'Unmark');
    await pane.locator('[data-testid="mark-button"]').click();
    await pane.locator('[data-testid="packet-row"][data-frame="9"]:not([data-marked])').waitFor();
    assert.deepEqual(await markedRows(), [3, 7]);
    assert.equal(await pane.locator('[data-testid="marked-count"]').textContent(), 'Marked: 2');

    // A display filter hides frames 3 and 7 (TCP stream 0); the marks stay. "Displayed" = `tracematch export -Y`.
    const filter = 'udp or tcp.stream in {1, 2}';
    await capture.locator('[data-testid="filter-input"]').fill(filter);
    await capture.locator('[data-testid="filter-input"]').press('Enter');
    await capture.locator('[data-testid="packet-list"][data-filtered="true"]').waitFor();
    const displayed = await capture.locator('[data-testid="packet-list"]').getAttribute('data-rows');
    assert.ok(Number(displayed) > 0 && Number(displayed) < made.packets, `the filter means something (${displayed})`);
    for (const fmt of ['pcap', 'pcapng']) {
      await format.selectOption(fmt);
      await what.selectOption('displayed');
      const bytes = await download(page, exportButton);
      const out = path.join(suite.tmp, `cli-displayed.${fmt}`);
      execFileSync(CLI, ['export', file, '-Y', filter, '-F', fmt, '-w', out]);
      assert.ok(bytes.equals(fs.readFileSync(out)), `displayed ${fmt} equals tracematch export -Y`);
      assert.equal(await exportButton.getAttribute('data-packets'), displayed);
    }

    // Marked: exactly the records of frames 3 and 7 (not displayed, still marked).
    await format.selectOption('pcap');
    await what.selectOption('marked');
    const marked = pcapRecords(await download(page, exportButton));
    assert.deepEqual(marked.map((r) => r.toString('hex')), [original[2], original[6]].map((r) => r.toString('hex')));

    // A frame range: records 10 to 20.
    await what.selectOption('range');
    await capture.locator('[data-testid="export-range-from"]').fill('10');
    await capture.locator('[data-testid="export-range-to"]').fill('20');
    const range = pcapRecords(await download(page, exportButton));
    assert.deepEqual(range.map((r) => r.toString('hex')), original.slice(9, 20).map((r) => r.toString('hex')));

    // Nothing marked: the export says so instead of downloading.
    await pane.locator('[data-testid="unmark-all"]').click();
    await what.selectOption('marked');
    await exportButton.click();
    await capture.locator('[data-testid="export-button"][data-scope="packets"][data-status="failed"]').waitFor();
    assert.match(await capture.locator('.packet-export .export-status').textContent(), /no packet is marked/);
  } finally {
    await page.close();
  }
});
