// End-to-end test of the Session view, ladder diagram, IO graph, endpoints and Expert Info on a real
// corpus capture, with every number checked against tshark's oracle files (packets.tsv,
// tcp_streams.tsv, io_1s.txt). Skips when the shared corpus is absent. Needs scripts/build.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  foreignRequests, publicCaptures, oracle, readTsv, openPage, captureLocator, waitIndexed, pageSuite,
} from './helpers.mjs';

const CAPTURE = 'arkime__wireshark-retrans.pcap'; // one TCP session with retransmissions over 30 s
const STREAM = 0;
const corpus = publicCaptures();
const suite = pageSuite();

/** tshark's io,stat rows: start second → { frames, bytes, rst, syn }. */
function ioRows(text) {
  const rows = new Map();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const m = /^([\d.]+)\s*<>/.exec(cells[1] || '');
    if (!m) continue;
    const nums = cells.slice(2).filter((c) => c !== '').map(Number);
    if (nums.length >= 4) rows.set(Math.round(Number(m[1])), { frames: nums[0], bytes: nums[1], rst: nums[2], syn: nums[3] });
  }
  return rows;
}

/** Packet lots from packets.tsv: consecutive payload packets of the stream from the same sender. */
function oracleLots(packets, stream) {
  const lots = [];
  for (const p of packets) {
    if (!p['tcp.stream'].split(',').includes(String(stream)) || !(Number(p['tcp.len']) > 0)) continue;
    const sender = `${p['ip.src'] || p['ipv6.src']}:${p['tcp.srcport']}`;
    const last = lots[lots.length - 1];
    if (last && last.sender === sender) { last.packets++; last.bytes += Number(p['tcp.len']); } else lots.push({ sender, frame: Number(p['frame.number']), packets: 1, bytes: Number(p['tcp.len']) });
  }
  return lots;
}

/** Every data-frame of the ladder, scrolling through its virtualised rows. */
async function ladderFrames(ladder) {
  const seen = new Map();
  const viewport = ladder.locator('.ladder-viewport');
  const grab = async () => {
    for (const [i, f] of await ladder.locator('[data-testid="ladder-arrow"]').evaluateAll((rs) => rs.map((r) => [Number(r.dataset.index), Number(r.dataset.frame)]))) seen.set(i, f);
  };
  for (let guard = 0; guard < 1000; guard++) {
    await grab();
    const moved = await viewport.evaluate((v) => { const b = v.scrollTop; v.scrollTop += v.clientHeight - 40; return v.scrollTop !== b; });
    if (!moved) break;
    await ladder.page().waitForTimeout(40);
  }
  await grab();
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, f]) => f);
}

test('session view, ladder, IO graph and endpoints equal tshark', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const file = path.join(corpus, CAPTURE);
  const o = oracle(corpus, CAPTURE);
  const packets = readTsv(path.join(corpus, 'oracle', CAPTURE, 'packets.tsv'));
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [file]);
  const capture = captureLocator(page, CAPTURE);
  assert.equal(await waitIndexed(capture), o.packets);

  // IO graph: one row per second, each equal to tshark's io,stat row.
  const graph = capture.locator('[data-testid="io-graph"]');
  await graph.waitFor({ timeout: 30000 });
  assert.equal(await graph.getAttribute('data-interval'), '1');
  const want = ioRows(fs.readFileSync(path.join(corpus, 'oracle', CAPTURE, 'io_1s.txt'), 'utf8'));
  const got = await graph.locator('[data-testid="io-row"]').evaluateAll((rs) => rs.map((r) => ({ ...r.dataset })));
  assert.equal(got.length, want.size);
  for (const r of got) {
    const w = want.get(Number(r.start));
    assert.ok(w, `interval ${r.start} not in tshark's table`);
    assert.deepEqual({ frames: Number(r.frames), bytes: Number(r.bytes), rst: Number(r.rst), syn: Number(r.syn) }, w, `interval ${r.start}`);
  }
  await page.waitForTimeout(300);
  fs.writeFileSync(path.join(os.tmpdir(), 'tracematch-io-graph.png'), await graph.screenshot());

  // Endpoints: every address of the TCP stream table.
  const addrs = await capture.locator('[data-testid="endpoint-row"]').evaluateAll((rs) => rs.map((r) => r.dataset.addr));
  for (const s of o.tcp) for (const a of [s.addr_a, s.addr_b]) assert.ok(addrs.includes(a), `endpoint ${a}`);

  // Session of stream 0 from its conversation row.
  await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
  await capture.locator(`[data-testid="conv-row"][data-stream="${STREAM}"]`).first().click();
  const session = capture.locator(`[data-testid="session"][data-stream="${STREAM}"][data-status="done"]`);
  await session.waitFor({ timeout: 30000 });
  const lots = await session.locator('[data-testid="lot-row"]').evaluateAll((rs) => rs.map((r) => ({ frame: Number(r.dataset.frame), packets: Number(r.dataset.packets), bytes: Number(r.dataset.bytes) })));
  const wantLots = oracleLots(packets, STREAM).map(({ frame, packets: n, bytes }) => ({ frame, packets: n, bytes }));
  assert.ok(wantLots.length > 2);
  assert.deepEqual(lots, wantLots);

  const ladder = session.locator('[data-testid="ladder"]');
  const streamFrames = o.framesOfTcpStream(STREAM);
  assert.equal(Number(await ladder.getAttribute('data-arrows')), streamFrames.length);
  const rendered = await ladder.locator('[data-testid="ladder-arrow"]').count();
  assert.ok(rendered > 0 && rendered < streamFrames.length, `only visible arrows are drawn (${rendered})`);
  await page.waitForTimeout(100);
  fs.writeFileSync(path.join(os.tmpdir(), 'tracematch-session.png'), await session.screenshot());
  assert.deepEqual(await ladderFrames(ladder), streamFrames);

  // Clicking an arrow shows that packet.
  const arrow = ladder.locator('[data-testid="ladder-arrow"]').last();
  const frame = await arrow.getAttribute('data-frame');
  await arrow.click();
  await capture.locator(`[data-testid="packet-row"][data-frame="${frame}"]`).waitFor({ timeout: 20000 });

  // Brushing the IO graph filters the conversation list to the streams overlapping the range.
  const over = graph.locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const range = (await graph.getAttribute('data-range')).split(',').map(Number);
  const first = Math.min(...packets.map((p) => Number(p['frame.time_epoch'])));
  const overlapping = o.tcp.filter((s) => Number(s.first_epoch) - first <= range[1] && Number(s.last_epoch) - first >= range[0]).length;
  const table = capture.locator('[data-testid="conv-table"][data-kind="tcp"]');
  await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.dataset.rows === String(n), ['[data-testid="conv-table"][data-kind="tcp"]', overlapping]);
  assert.equal(Number(await table.getAttribute('data-rows')), overlapping);

  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
