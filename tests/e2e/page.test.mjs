// End-to-end tests of the real page in headless Chromium (playwright-core, /usr/bin/chromium):
// captures go in through the file input, results are read from the test hooks (data-testid) and
// compared with tshark's oracle files; every request any page makes is recorded and must stay on
// the page's own origin. Needs the build (scripts/build.sh): www/pkg/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  foreignRequests, publicCaptures, oracle, openPage, captureLocator, waitIndexed, renderedRows, writeSyntheticPcap, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'files' });
const { pageUrl } = suite;

/** Loads one capture, waits for the end of indexing, returns { page, capture, packets }. */
async function load(file, query = '') {
  const page = await openPage(suite.browser.context, pageUrl(query), [file]);
  const capture = captureLocator(page, path.basename(file));
  const packets = await waitIndexed(capture);
  return { page, capture, packets };
}

/** Shows the `kind` conversation table; returns it and its data-rows. */
async function convTable(capture, kind) {
  await capture.locator(`[data-testid="conv-tab"][data-kind="${kind}"]`).click();
  const table = capture.locator(`[data-testid="conv-table"][data-kind="${kind}"]`);
  await table.waitFor({ timeout: 20000 });
  return { table, rows: Number(await table.getAttribute('data-rows')) };
}

/** Clicks the conversation row with data-stream `stream` (rendered) and returns the packet list. */
async function openConversation(capture, table, stream) {
  await table.locator(`[data-testid="conv-row"][data-stream="${stream}"]`).first().click();
  const list = capture.locator('[data-testid="packet-list"]');
  await list.waitFor({ timeout: 20000 });
  return list;
}

/** All data-frame values of a virtual packet list, scrolling through it. */
async function allFrames(list) {
  const total = Number(await list.getAttribute('data-rows'));
  const seen = new Map();
  const viewport = list.locator('.vt-viewport');
  for (let guard = 0; guard < 10000 && seen.size < total; guard++) {
    for (const row of await list.locator('.vt-row').evaluateAll((rs) => rs.map((r) => [Number(r.dataset.index), Number(r.dataset.frame)]))) seen.set(row[0], row[1]);
    const moved = await viewport.evaluate((v) => { const before = v.scrollTop; v.scrollTop += Math.max(50, v.clientHeight - 60); return v.scrollTop !== before; });
    if (!moved) break;
    await list.page().waitForTimeout(30);
  }
  for (const row of await list.locator('.vt-row').evaluateAll((rs) => rs.map((r) => [Number(r.dataset.index), Number(r.dataset.frame)]))) seen.set(row[0], row[1]);
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

const CORPUS = [
  'arkime__pppoe.pcap',                              // classic pcap, PPPoE
  'tcpdump__tcp-handshake-nano.pcap',                // nanosecond pcap
  'ndpi__http_starting_with_reply.pcapng',           // pcapng with NRB
  'gopacket__be_test202.pcapng',                     // 3 sections, mixed byte order
  'zeek__1000-requests-one-dropped-response.pcap.gz',// gzip
  'arkime__arkime_synthetic.pcap',                   // many protocols, tunnels
  'suricata-verify__fuzz.pcap',                      // damaged: absurd record length
];

test('real captures: frames and TCP/UDP conversations equal tshark 4.0; a TCP conversation lists its frames', async (t) => {
  const dir = publicCaptures();
  if (!dir) {
    console.error('SKIPPED: ../shared/captures not found (nor /work/shared/captures): corpus page test not run');
    t.skip('../shared/captures not found');
    return;
  }
  for (const name of CORPUS) {
    await t.test(name, async () => {
      const want = oracle(dir, name);
      const { page, capture, packets } = await load(path.join(dir, name));
      try {
        assert.equal(packets, want.packets, 'summary data-packets vs packets.tsv rows');
        for (const kind of ['udp', 'tcp']) {
          const { table, rows } = await convTable(capture, kind);
          assert.equal(rows, want[kind].length, `${kind} conversation rows vs ${kind}_streams.tsv`);
          if (rows > 0) {
            const first = await table.locator('[data-testid="conv-row"]').first().getAttribute('data-stream');
            assert.equal(first, want[kind][0].stream, `first ${kind} row's data-stream`);
          }
        }
        if (want.tcp.length > 0) {
          // The TCP table is shown now: open its first conversation.
          const { table } = await convTable(capture, 'tcp');
          const stream = want.tcp[0].stream;
          const list = await openConversation(capture, table, stream);
          const expected = want.framesOfTcpStream(stream);
          assert.equal(Number(await list.getAttribute('data-rows')), expected.length, `packet-list data-rows for tcp.stream ${stream}`);
          assert.deepEqual(await allFrames(list), expected, `frames of tcp.stream ${stream}`);
        }
      } finally {
        await page.close();
      }
    });
  }
});

test('sorting by Packets (descending) puts the busiest TCP conversation first and lists exactly its frames', async (t) => {
  const dir = publicCaptures();
  if (!dir) { console.error('SKIPPED: ../shared/captures not found'); t.skip('no captures'); return; }
  const name = 'ndpi__1kxun.pcap';
  const want = oracle(dir, name);
  const { page, capture } = await load(path.join(dir, name));
  try {
    const { table } = await convTable(capture, 'tcp');
    const header = table.locator('.vt-sort[title="Sort by Packets"]');
    await header.click();
    await header.click();
    const maxFrames = Math.max(...want.tcp.map((r) => Number(r.frames_total)));
    const busiest = want.tcp.find((r) => Number(r.frames_total) === maxFrames).stream;
    const first = await table.locator('[data-testid="conv-row"]').first().getAttribute('data-stream');
    assert.equal(first, busiest);
    assert.equal(await table.locator('[role=columnheader][aria-sort=descending]').count(), 1);
    await table.locator('[data-testid="conv-row"]').first().click();
    const list = capture.locator('[data-testid="packet-list"]');
    await list.waitFor();
    assert.deepEqual(await allFrames(list), want.framesOfTcpStream(busiest));
  } finally {
    await page.close();
  }
});

test('a damaged file shows the error with its offset and keeps the frames read before it', async (t) => {
  const dir = publicCaptures();
  const cases = [];
  if (dir) {
    cases.push(['suricata-verify__fuzz.pcap', path.join(dir, 'suricata-verify__fuzz.pcap'), oracle(dir, 'suricata-verify__fuzz.pcap').packets]);
  } else {
    console.error('SKIPPED: ../shared/captures not found: only the synthetic damaged file is tested');
  }
  // A synthetic capture cut in the middle of its last record.
  const whole = path.join(suite.tmp, 'whole.pcap');
  const made = writeSyntheticPcap(whole, { tcpFlows: 3, udpFlows: 1 });
  const bytes = fs.readFileSync(whole);
  const cut = path.join(suite.tmp, 'cut-short.pcap');
  fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
  cases.push(['cut-short.pcap', cut, made.packets - 1]);

  for (const [name, file, frames] of cases) {
    await t.test(name, async () => {
      const { page, capture, packets } = await load(file);
      try {
        assert.equal(packets, frames, 'frames read before the damage');
        const error = capture.locator('[data-testid="error"]');
        await error.waitFor({ state: 'visible' });
        assert.match(await error.textContent(), /offset \d+/);
        assert.equal(await capture.getAttribute('data-status'), 'damaged');
        const { rows } = await convTable(capture, 'tcp');
        if (name === 'cut-short.pcap') assert.equal(rows, 3);
      } finally {
        await page.close();
      }
    });
  }

  await t.test('not a capture at all', async () => {
    const junk = path.join(suite.tmp, 'notes.txt');
    fs.writeFileSync(junk, 'this is not a capture file\n'.repeat(100));
    const { page, capture, packets } = await load(junk);
    try {
      assert.equal(packets, 0);
      const error = capture.locator('[data-testid="error"]');
      await error.waitFor({ state: 'visible' });
      assert.match(await error.textContent(), /not a capture/i);
      // No empty graphs, tables or filter bar for a file with no packets: the message stands alone.
      for (const hook of ['io-graph', 'conv-tab', 'packet-list', 'filter-input']) {
        assert.equal(await capture.locator(`[data-testid="${hook}"]:visible`).count(), 0, hook);
      }
    } finally {
      await page.close();
    }
  });
});

test('cancel stops indexing and keeps the partial results', async () => {
  const file = path.join(suite.tmp, 'big-for-cancel.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 3000, udpFlows: 500, dataPackets: 8, payloadBytes: 200 });
  // Small reads (?chunk=4096: ~2 ms each) make indexing take seconds, so Cancel lands mid-file.
  const page = await openPage(suite.browser.context, pageUrl('?chunk=4096'), [file]);
  try {
    const capture = captureLocator(page, path.basename(file));
    const progress = capture.locator('[data-testid="progress"]');
    await page.waitForFunction((el) => Number(el.dataset.frames || 0) > 0, await progress.elementHandle(), { timeout: 30000 });
    await progress.getByRole('button', { name: 'Cancel' }).click();
    const packets = await waitIndexed(capture);
    assert.equal(await capture.getAttribute('data-status'), 'cancelled');
    assert.ok(packets > 0 && packets < made.packets, `partial: ${packets} of ${made.packets}`);
    assert.equal(await capture.locator('[data-testid="error"]').isVisible(), false);
    const { table, rows } = await convTable(capture, 'tcp');
    assert.ok(rows > 0 && rows <= made.tcpFlows, `tcp rows ${rows}`);
    const list = await openConversation(capture, table, 0);
    assert.deepEqual(await allFrames(list), made.framesOfTcpStream.get(0));
  } finally {
    await page.close();
  }
});

test('several files at once; a file name with markup is shown as text', async () => {
  const hostile = '<img src=x onerror="window.__pwned=1">"\'&<b>bold<script>window.__pwned=2.pcap';
  const a = path.join(suite.tmp, hostile);
  const b = path.join(suite.tmp, 'plain.pcap');
  const madeA = writeSyntheticPcap(a, { tcpFlows: 2, udpFlows: 2 });
  const madeB = writeSyntheticPcap(b, { tcpFlows: 5, udpFlows: 0 });
  const page = await openPage(suite.browser.context, pageUrl(), [a, b]);
  try {
    const captures = page.locator('[data-testid="capture"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="summary"][data-packets]').length === 2, null, { timeout: 30000 });
    assert.equal(await captures.count(), 2);
    const names = await captures.evaluateAll((els) => els.map((e) => e.dataset.name).sort());
    assert.deepEqual(names, [hostile, 'plain.pcap'].sort());
    const byName = await captures.evaluateAll((els) => Object.fromEntries(els.map((e) => [e.dataset.name, Number(e.querySelector('[data-testid="summary"]').dataset.packets)])));
    assert.equal(byName[hostile], madeA.packets);
    assert.equal(byName['plain.pcap'], madeB.packets);
    const shown = await page.locator('.capture-name').allTextContents();
    assert.ok(shown.includes(hostile), 'the name is shown verbatim as text');
    assert.equal(await page.locator('img, script:not([src])').count(), 0, 'no element came from the name');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
  } finally {
    await page.close();
  }
});

test('dropping a file opens it; the IP tab lists address pairs and their packets', async () => {
  const file = path.join(suite.tmp, 'dropped.pcap');
  const made = writeSyntheticPcap(file, { tcpFlows: 4, udpFlows: 3 });
  const page = await openPage(suite.browser.context, pageUrl());
  try {
    // Build the drop the way a browser does: a DataTransfer holding a File.
    const bytes = [...fs.readFileSync(file)];
    const dataTransfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], 'dropped.pcap'));
      return dt;
    }, bytes);
    await page.dispatchEvent('main', 'dragenter', { dataTransfer });
    await page.dispatchEvent('main', 'dragover', { dataTransfer });
    await page.dispatchEvent('main', 'drop', { dataTransfer });
    const capture = captureLocator(page, 'dropped.pcap');
    assert.equal(await waitIndexed(capture), made.packets);
    assert.equal(await page.locator('#drop-overlay').isVisible(), false);
    const { table, rows } = await convTable(capture, 'ip');
    assert.equal(rows, made.tcpFlows + made.udpFlows, 'one ip conversation per generated address pair');
    assert.equal(await table.locator('[data-testid="conv-row"][data-stream]').count(), 0, 'ip rows carry no stream id');
    // The first ip row is the pair of the first TCP connection: exactly its frames.
    await table.locator('[data-testid="conv-row"]').first().click();
    const list = capture.locator('[data-testid="packet-list"]');
    await list.waitFor();
    assert.deepEqual(await allFrames(list), made.framesOfTcpStream.get(0));
    // Rows are decoded in the worker: the first packet of a connection is its SYN.
    const firstRow = list.locator('[data-testid="packet-row"]').first();
    await page.waitForFunction((row) => row.textContent.includes('[SYN]'), await firstRow.elementHandle(), { timeout: 10000 });
    assert.match(await firstRow.textContent(), /TCP/);
  } finally {
    await page.close();
  }
});

test('no request left the page\'s origin, and no page error or CSP violation happened', () => {
  assert.ok(suite.browser.requests.length > 0, 'requests were recorded');
  assert.ok(suite.browser.requests.some((u) => u.endsWith('/www/pkg/tracematch_bg.wasm')), 'the wasm module was loaded');
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
