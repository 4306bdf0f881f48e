// End-to-end test of the TCP stream graphs (Session view), the protocol hierarchy and the ESP charts (statistics
// panel) on a real corpus capture: the numbers the page shows are checked against tshark's
// (tests/expected/tcp_analysis_extra: tshark -2 per-frame tcp.seq / tcp.ack / ack_rtt / window,
// the oracle's packets.tsv and esp.tsv, tests/expected/phs: tshark -z io,phs). Skips when the
// shared corpus is absent. Needs scripts/build.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import {
  REPO_ROOT, foreignRequests, publicCaptures, oracle, readTsv, openPage, captureLocator, waitIndexed, pageSuite,
} from './helpers.mjs';

const CAPTURE = 'arkime__wireshark-retrans.pcap'; // one TCP session with retransmissions over 30 s
const STREAM = 0;
const corpus = publicCaptures();
const suite = pageSuite();

/** tshark -2 values per frame (tests/expected/tcp_analysis_extra), joined with packets.tsv. */
function tsharkFrames() {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(REPO_ROOT, 'tests', 'expected', 'tcp_analysis_extra', `${CAPTURE}.tsv.gz`))).toString('utf8');
  const [head, ...lines] = text.split('\n').filter((l) => l.length > 0);
  const cols = head.split('\t');
  const extra = new Map(lines.map((l) => {
    const cells = l.split('\t');
    const row = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
    return [row['frame.number'], row];
  }));
  const packets = readTsv(path.join(corpus, 'oracle', CAPTURE, 'packets.tsv'));
  return packets.filter((p) => p['tcp.stream'] === String(STREAM)).map((p) => ({ ...p, ...extra.get(p['frame.number']), src: `${p['ip.src']}:${p['tcp.srcport']}` }));
}

/** tshark's io,phs tree: path → { frames, bytes }. */
function tsharkPhs() {
  const out = new Map();
  const stack = [];
  for (const line of fs.readFileSync(path.join(REPO_ROOT, 'tests', 'expected', 'phs', `${CAPTURE}.txt`), 'utf8').split('\n')) {
    const m = /^( *)(\S+)\s+frames:(\d+) bytes:(\d+)$/.exec(line);
    if (!m) continue;
    stack.length = m[1].length / 2;
    stack.push(m[2]);
    out.set(stack.join(':'), { frames: Number(m[3]), bytes: Number(m[4]) });
  }
  return out;
}

async function graphState(graph, kind, node) {
  await graph.locator('[data-testid="tcp-graph-kind"]').selectOption(kind);
  await graph.locator('[data-testid="tcp-graph-node"]').selectOption(String(node));
  await graph.page().waitForFunction(([k, n]) => {
    const g = document.querySelector('[data-testid="tcp-graph"]');
    return g && g.dataset.kind === k && g.dataset.node === String(n) && g.dataset.status === 'done';
  }, [kind, node], { timeout: 30000 });
  const keys = await graph.locator('.tcp-graph-key').evaluateAll((ks) => ks.map((k) => ({ line: k.dataset.line, points: Number(k.dataset.points), last: k.dataset.last === undefined ? null : Number(k.dataset.last) })));
  return { points: Number(await graph.getAttribute('data-points')), lines: Object.fromEntries(keys.map((k) => [k.line, k])) };
}

test('TCP stream graphs and protocol hierarchy equal tshark', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const file = path.join(corpus, CAPTURE);
  const o = oracle(corpus, CAPTURE);
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [file]);
  const capture = captureLocator(page, CAPTURE);
  assert.equal(await waitIndexed(capture), o.packets);

  // Protocol hierarchy, once its http / tls rows are in: every row the page shows equals tshark's
  // node; every tshark node made of protocols the decoder knows is shown (what tshark found inside
  // http is application data). The http row is a known difference (tests/phs_corpus.rs
  // KNOWN_DIFFERENCES: tshark's HTTP dissector runs again on the retransmitted frames 42 and 86),
  // checked against tracematch phs in phs_app.test.mjs.
  await capture.locator('[data-testid="phs"][data-app="done"]').waitFor({ state: 'attached', timeout: 60000 });
  const phsRows = capture.locator('[data-testid="phs-row"]');
  const shown = await phsRows.evaluateAll((rs) => rs.map((r) => ({ path: r.dataset.path, proto: r.dataset.proto, frames: Number(r.dataset.frames), bytes: Number(r.dataset.bytes) })));
  const want = tsharkPhs();
  for (const r of shown.filter((x) => x.path !== 'eth:ip:tcp:http')) assert.deepEqual({ frames: r.frames, bytes: r.bytes }, want.get(r.path), `phs ${r.path}`);
  assert.deepEqual(shown.map((r) => r.path), ['eth', 'eth:ip', 'eth:ip:tcp', 'eth:ip:tcp:http']);
  assert.equal(shown[0].frames, o.packets);

  // Session of stream 0 and its graphs.
  await capture.locator('[data-testid="conv-tab"][data-kind="tcp"]').click();
  await capture.locator(`[data-testid="conv-row"][data-stream="${STREAM}"]`).first().click();
  const session = capture.locator(`[data-testid="session"][data-stream="${STREAM}"][data-status="done"]`);
  await session.waitFor({ timeout: 30000 });
  const graph = session.locator(`[data-testid="tcp-graph"][data-stream="${STREAM}"]`);
  await graph.waitFor({ timeout: 30000 });

  const frames = tsharkFrames();
  const node0 = frames[0].src;
  const dir = (node) => (f) => (f.src === node0) === (node === 0);
  const acks = (node) => frames.filter((f) => !dir(node)(f) && (parseInt(f['tcp.flags'], 16) & 0x10));
  const data = (node) => frames.filter((f) => dir(node)(f) && Number(f['tcp.len']) > 0);

  for (const node of [0, 1]) {
    // tcptrace: one bar per data segment, ACK and window lines from the other side's ACKs.
    const tt = await graphState(graph, 'tcptrace', node);
    assert.equal(tt.lines.segment.points, data(node).length, `tcptrace segments node ${node}`);
    assert.equal(tt.lines.ack.points, acks(node).length, `tcptrace acks node ${node}`);
    const lastAck = acks(node).at(-1);
    assert.equal(tt.lines.ack.last, Number(lastAck['tcp.ack']));
    assert.equal(tt.lines.window.last, Number(lastAck['tcp.ack']) + Number(lastAck['tcp.window_size']));
    assert.equal(tt.points, data(node).length + 2 * acks(node).length + tt.lines.sack.points);

    // Stevens: the last segment ends at tshark's tcp.seq + tcp.len.
    const st = await graphState(graph, 'stevens', node);
    const lastData = data(node).at(-1);
    assert.equal(st.points, data(node).length);
    if (lastData) assert.equal(st.lines.seq.last, Number(lastData['tcp.seq']) + Number(lastData['tcp.len']));

    // RTT: one point per ACK of the other side with tshark's tcp.analysis.ack_rtt.
    const rtt = await graphState(graph, 'rtt', node);
    const rtts = frames.filter((f) => !dir(node)(f) && f['tcp.analysis.ack_rtt'] !== '');
    assert.equal(rtt.points, rtts.length, `rtt node ${node}`);
    if (rtts.length) assert.ok(Math.abs(rtt.lines.rtt.last - Number(rtts.at(-1)['tcp.analysis.ack_rtt'])) < 1e-9);

    // Window: the other side's calculated window, this side's bytes in flight.
    const win = await graphState(graph, 'window', node);
    assert.equal(win.lines.window.points, acks(node).length);
    assert.equal(win.lines.window.last, Number(acks(node).at(-1)['tcp.window_size']));
    const bif = frames.filter((f) => dir(node)(f) && f['tcp.analysis.bytes_in_flight'] !== '');
    assert.equal(win.lines.bytes_in_flight.points, bif.length);

    // Throughput: one segment-length point per data segment.
    const tp = await graphState(graph, 'throughput', node);
    assert.equal(tp.lines.segment_length.points, data(node).length);
  }
  await graphState(graph, 'tcptrace', 1);
  await page.waitForTimeout(200);
  fs.writeFileSync(path.join(os.tmpdir(), 'tracematch-tcp-graph.png'), await graph.screenshot());

  // Zoom by dragging over the chart, then reset.
  const over = graph.locator('.u-over');
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();

  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});

const ESP_CAPTURE = 'arkime__wireshark-esp.pcap';

/** Per (SPI, source, destination) totals from tshark's esp.tsv, with the plain definitions. */
function tsharkEsp() {
  const streams = new Map();
  for (const r of readTsv(path.join(corpus, 'oracle', ESP_CAPTURE, 'esp.tsv'))) {
    const src = r['ipv6.src'] || r['ip.src'];
    const dst = r['ipv6.dst'] || r['ip.dst'];
    const key = `${r['esp.spi']} ${src} ${dst}`;
    const seq = Number(r['esp.sequence']);
    let s = streams.get(key);
    if (!s) {
      streams.set(key, { packets: 1, gap: 0, early: 0, late: 0, duplicates: 0, max: seq, seen: new Set([seq]) });
      continue;
    }
    s.packets++;
    if (seq > s.max) {
      if (seq - s.max > 1) { s.gap += seq - s.max - 1; s.early++; }
      s.max = seq;
    } else if (s.seen.has(seq)) s.duplicates++;
    else s.late++;
    s.seen.add(seq);
  }
  return streams;
}

test('ESP charts per SPI equal tshark', { skip: corpus ? false : 'SKIPPED: ../shared/captures not found' }, async () => {
  const page = await openPage(suite.browser.context, `${suite.server.origin}/index.html`, [path.join(corpus, ESP_CAPTURE)]);
  const capture = captureLocator(page, ESP_CAPTURE);
  await waitIndexed(capture);
  const charts = capture.locator('[data-testid="esp-chart"]');
  await charts.first().waitFor({ timeout: 30000 });
  const shown = await charts.evaluateAll((cs) => cs.map((c) => ({ ...c.dataset })));
  const want = tsharkEsp();
  assert.equal(shown.length, want.size);
  for (const c of shown) {
    const w = want.get(`${c.spi} ${c.src} ${c.dst}`);
    assert.ok(w, `ESP stream ${c.spi} ${c.src} → ${c.dst} not in tshark's esp.tsv`);
    assert.deepEqual(
      { packets: Number(c.packets), gap: Number(c.gap), early: Number(c.early), late: Number(c.late), duplicates: Number(c.duplicates) },
      { packets: w.packets, gap: w.gap, early: w.early, late: w.late, duplicates: w.duplicates }, `ESP ${c.spi}`);
  }
  assert.equal(await capture.locator('[data-testid="esp-chart"] canvas').count() >= shown.length, true);
  await page.waitForTimeout(200);
  fs.writeFileSync(path.join(os.tmpdir(), 'tracematch-esp-charts.png'), await capture.locator('[data-testid="esp-charts"]').screenshot());
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
