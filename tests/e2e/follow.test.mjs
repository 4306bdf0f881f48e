// End-to-end tests of Follow stream and Follow HTTP in the real page (headless Chromium):
// (a) a real capture's TCP stream against tshark's `-z follow,tcp,raw,N` oracle: the turns
//     (data-node, data-bytes) and the shown bytes, read in small pages (?followpage=) so turns span
//     pages; gap markers where tshark writes its gap text; the TLS handshake summary; the saved
//     file equals the shown side's bytes; find;
// (b) the project's hostile capture (tracematch synth hostile): nothing in it executes (no
//     window.__pwned, no dialog, no request off the page's origin, no element made from it), and its
//     markup is visible as text in the Follow view and the HTTP view; images only as blob: <img>.
// Needs the build (scripts/build.sh): www/pkg/ and target/release/tracematch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  REPO_ROOT, foreignRequests, publicCaptures, openPage, captureLocator, waitIndexed, readTsv, CLI, pageSuite,
} from './helpers.mjs';

const suite = pageSuite({ tmp: 'follow' });
const { pageUrl } = suite;

/** Loads one capture; returns { page, capture }. */
async function load(file, query = '') {
  const page = await openPage(suite.browser.context, pageUrl(query), [file]);
  const capture = captureLocator(page, path.basename(file));
  await waitIndexed(capture);
  return { page, capture };
}

/** Selects the `kind` conversation with data-stream `stream` and opens Follow on it. */
async function openFollow(capture, kind, stream) {
  await capture.locator(`[data-testid="conv-tab"][data-kind="${kind}"]`).click();
  const table = capture.locator(`[data-testid="conv-table"][data-kind="${kind}"]`);
  await table.waitFor({ timeout: 20000 });
  await table.locator(`[data-testid="conv-row"][data-stream="${stream}"]`).first().click();
  await capture.locator('[data-testid="follow-button"]').click();
  const follow = capture.locator(`[data-testid="follow"][data-stream="${stream}"][data-proto="${kind}"]`);
  await follow.waitFor({ state: 'attached', timeout: 20000 });
  return follow;
}

/** Clicks "Load more" until the whole stream is shown. */
async function loadAll(capture, follow) {
  for (let guard = 0; guard < 10000; guard++) {
    const state = await follow.getAttribute('data-state');
    if (state === 'done') return;
    if (state === 'error') throw new Error(await capture.locator('[data-testid="follow-status"]').textContent());
    const more = capture.locator('[data-testid="follow-more"]');
    if (await more.isVisible() && await more.isEnabled()) await more.click().catch(() => {});
    await capture.page().waitForTimeout(20);
  }
  throw new Error('the stream never finished loading');
}

/**
 * tshark's raw follow output as chunks [{node, hex, gap}] (tab-indented lines are node 1). tshark
 * writes a gap as data: the text `[N bytes missing in capture file]` and a NUL; such a line becomes
 * {gap: N} (the page shows a marker there, never bytes).
 */
function parseRaw(text) {
  const chunks = [];
  for (const line of text.split('\n')) {
    const m = /^(\t?)([0-9a-f]+)$/.exec(line);
    if (!m) continue;
    const gap = /^\[(\d+) bytes missing in capture file\]\0$/.exec(Buffer.from(m[2], 'hex').toString('latin1'));
    chunks.push({ node: m[1] ? 1 : 0, hex: gap ? '' : m[2], gap: gap ? Number(gap[1]) : null });
  }
  return chunks;
}

/** Chunks grouped into turns: [{node, bytes, hexLines, gaps}] (gap markers are not bytes). */
function turnsOf(chunks) {
  const turns = [];
  for (const c of chunks) {
    let last = turns[turns.length - 1];
    if (!last || last.node !== c.node) {
      last = { node: c.node, bytes: 0, hexLines: [], gaps: [] };
      turns.push(last);
    }
    if (c.gap !== null) last.gaps.push(`[${c.gap} bytes missing in capture file]`);
    else { last.bytes += c.hex.length / 2; last.hexLines.push(c.hex); }
  }
  return turns;
}

/** The page's turns: [{node, bytes, hexLines}] from the raw view. */
async function shownTurns(follow) {
  return follow.locator('[data-testid="follow-chunk"]').evaluateAll((els) => els.map((el) => ({
    node: Number(el.dataset.node),
    bytes: Number(el.dataset.bytes),
    hexLines: [...el.querySelectorAll('.follow-bytes')].map((s) => s.textContent.replace(/\n$/, '')),
    gaps: [...el.querySelectorAll('[data-testid="follow-gap"]')].map((g) => g.textContent),
  })));
}

test('a real TCP stream: turns and bytes equal tshark\'s raw follow; one side; save', async (t) => {
  const dir = publicCaptures();
  if (!dir) {
    console.error('SKIPPED: ../shared/captures not found (nor /work/shared/captures): follow oracle test not run');
    t.skip('../shared/captures not found');
    return;
  }
  const cases = [
    ['pcapplusplus__http-packets2.pcap', 1, 0], // HTTP, no gap
    ['pcapplusplus__tls2.pcap', 1, 1],          // TLS, bytes missing from the capture
  ];
  for (const [name, stream, minGaps] of cases) {
    await t.test(`${name} tcp.stream ${stream}`, async () => {
      const oracleFile = path.join(dir, 'oracle', name, 'follow', `tcp_${stream}_raw.txt`);
      const want = turnsOf(parseRaw(fs.readFileSync(oracleFile, 'utf8')));
      assert.ok(want.length > 2, 'the oracle stream has several turns');
      // 4 KiB pages: the stream arrives in many pages and turns continue across them.
      const { page, capture } = await load(path.join(dir, name), '?followpage=4096');
      try {
        const follow = await openFollow(capture, 'tcp', stream);
        await capture.locator('[data-testid="follow-view"]').selectOption('raw');
        await loadAll(capture, follow);
        const got = await shownTurns(follow);
        assert.deepEqual(got.map((x) => [x.node, x.bytes]), want.map((x) => [x.node, x.bytes]), 'turns: (data-node, data-bytes)');
        assert.deepEqual(got.map((x) => x.hexLines), want.map((x) => x.hexLines), 'bytes of every chunk (raw view) vs tshark');
        assert.deepEqual(got.map((x) => x.gaps), want.map((x) => x.gaps), 'gap markers where tshark writes them');
        const gaps = want.reduce((n, x) => n + x.gaps.length, 0);
        assert.ok(gaps >= minGaps, `${gaps} gaps`);
        assert.equal(await follow.locator('[data-testid="follow-gap"]').count(), gaps);

        // A TLS stream shows its handshake summary: SNI and cipher suite as tshark saw them
        // (tests/expected/tls/handshakes.tsv, made with tshark 4.0).
        const tls = readTsv(path.join(REPO_ROOT, 'tests', 'expected', 'tls', 'handshakes.tsv'))
          .find((r) => r.capture === name && Number(r.tcp_stream) === stream);
        const box = capture.locator('[data-testid="follow-tls"]');
        if (tls) {
          await box.waitFor({ state: 'visible', timeout: 10000 });
          const facts = await box.textContent();
          assert.ok(facts.includes(tls.sni), `SNI ${tls.sni} in ${facts}`);
          assert.ok(facts.includes(tls.cipher_suite), `cipher suite ${tls.cipher_suite}`);
        } else {
          assert.equal(await box.isVisible(), false, 'no TLS summary for a stream that is not TLS');
        }

        // ASCII view shows the same bytes (printable ones as themselves).
        await capture.locator('[data-testid="follow-view"]').selectOption('ascii');
        const ascii = await follow.locator('[data-testid="follow-chunk"]').first().locator('.follow-bytes').allTextContents().then((t) => t.join(''));
        const firstBytes = Buffer.from(want[0].hexLines.join(''), 'hex');
        assert.equal(ascii, [...firstBytes].map((b) => ((b >= 0x20 && b < 0x7f) || b === 10 || b === 13 || b === 9 ? String.fromCharCode(b) : '.')).join(''));

        // Only node 1: node-0 turns hidden.
        await capture.locator('[data-testid="follow-node"]').selectOption('1');
        const visibleNodes = await follow.locator('[data-testid="follow-chunk"]:visible').evaluateAll((els) => [...new Set(els.map((e) => e.dataset.node))]);
        assert.deepEqual(visibleNodes, ['1']);

        // Save the shown bytes (node 1 only): a blob: download of exactly those bytes.
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          capture.locator('[data-testid="follow-save"]').click(),
        ]);
        assert.match(download.url(), /^blob:/);
        const saved = fs.readFileSync(await download.path());
        const node1 = Buffer.from(want.filter((x) => x.node === 1).flatMap((x) => x.hexLines).join(''), 'hex');
        assert.ok(saved.equals(node1), `saved ${saved.length} bytes, node 1 sent ${node1.length}`);

        // Find: highlights matches in the text and moves between them.
        await capture.locator('[data-testid="follow-node"]').selectOption('both');
        await capture.locator('[data-testid="follow-find"]').fill('HTTP');
        const marks = await follow.locator('mark').count();
        const asciiAll = (await follow.locator('[data-testid="follow-chunk"]').allTextContents()).join('');
        if (asciiAll.toLowerCase().includes('http')) {
          assert.ok(marks > 0, 'matches highlighted');
          assert.equal(await follow.locator('mark.current').count(), 1);
          await capture.locator('[data-testid="follow-find-next"]').click();
          assert.match(await capture.locator('[data-testid="follow-find-count"]').textContent(), new RegExp(`^${Math.min(2, marks)} of ${marks}`));
        }

        // Next / previous stream.
        await capture.locator('[data-testid="follow-next"]').click();
        await capture.locator(`[data-testid="follow"][data-stream="${stream + 1}"][data-proto="tcp"]`).waitFor({ state: 'attached' });
        await capture.locator('[data-testid="follow-prev"]').click();
        const back = capture.locator(`[data-testid="follow"][data-stream="${stream}"][data-proto="tcp"]`);
        await back.waitFor({ state: 'attached' });
        await page.waitForFunction((el) => el.dataset.state !== 'loading', await back.elementHandle());
        assert.equal(await back.locator('[data-testid="follow-chunk"]').first().getAttribute('data-bytes'), String(want[0].bytes));
      } finally {
        await page.close();
      }
    });
  }
});

/** Writes the hostile capture with the release CLI; null when the CLI is missing. */
function hostileCapture() {
  const cli = path.join(REPO_ROOT, 'target', 'release', 'tracematch');
  assert.ok(fs.existsSync(cli), 'target/release/tracematch is missing: run bash scripts/build.sh first');
  const out = path.join(suite.tmp, 'hostile');
  execFileSync(cli, ['synth', 'hostile', out]);
  // A markup file name too.
  const named = path.join(suite.tmp, '<img src=x onerror="window.__pwned=\'file\'">.pcap');
  fs.copyFileSync(path.join(out, 'hostile.pcap'), named);
  return named;
}

test('hostile capture: nothing executes, the markup shows as text in Follow and Follow HTTP', async () => {
  const file = hostileCapture();
  const dialogs = [];
  const { page, capture } = await load(file);
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  try {
    // Follow TCP stream 0 (ASCII): the request and response markup is there, as text.
    const follow = await openFollow(capture, 'tcp', 0);
    await loadAll(capture, follow);
    const text = (await follow.locator('[data-testid="follow-chunk"]').allTextContents()).join('');
    for (const needle of ["<script>window.__pwned='script'</script>", "<img src=x onerror=\"window.__pwned='img'\">",
      "javascript:window.__pwned='url'", "<svg onload=window.__pwned='name'>.html", "<b>bold</b>"]) {
      assert.ok(text.includes(needle), `follow view shows ${needle} as text`);
    }
    assert.equal(await follow.locator('script, img, a, iframe, svg, style, b').count(), 0, 'no element came from the bytes');
    const nodes = await follow.locator('[data-testid="follow-chunk"]').evaluateAll((els) => els.map((e) => e.dataset.node));
    assert.equal(nodes[0], '0', 'the client spoke first');
    assert.ok(nodes.includes('1'));

    // Follow HTTP: messages with headers and bodies as text; the PNG and the SVG as blob: images.
    await capture.locator('[data-testid="follow-tab"][data-tab="http"]').click();
    const http = capture.locator('[data-testid="follow-http"][data-state="done"]');
    await http.waitFor({ timeout: 20000 });
    assert.equal(Number(await http.getAttribute('data-messages')), 8);
    const httpText = await http.textContent();
    for (const needle of ["<script>window.__pwned='script'</script>", "javascript:window.__pwned='url'",
      "<img src=x onerror=\"window.__pwned='img'\">", 'filename="<svg onload=window.__pwned=\'name\'>.html"']) {
      assert.ok(httpText.includes(needle), `HTTP view shows ${needle} as text`);
    }
    const headerCells = await http.locator('[data-testid="http-headers"] td').allTextContents();
    assert.ok(headerCells.includes("javascript:window.__pwned='url'"), 'Location header value shown verbatim');
    const bodies = await http.locator('[data-testid="http-body"]').evaluateAll((els) => els.map((e) => [e.dataset.as, e.textContent]));
    assert.equal(bodies.filter(([as, t]) => as === 'text' && t.includes("<script>window.__pwned='script'</script>")).length, 2,
      'the HTML body (plain and gzip-decoded) shown as text');
    const images = await http.locator('img').evaluateAll((els) => els.map((e) => ({ src: e.getAttribute('src'), w: e.naturalWidth, testid: e.dataset.testid })));
    assert.equal(images.length, 2, 'image/svg+xml and image/png bodies only');
    for (const img of images) {
      assert.match(img.src, /^blob:/);
      assert.equal(img.testid, 'http-image');
    }
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="http-image"]')].every((i) => i.complete), null, { timeout: 10000 });
    const widths = await http.locator('img').evaluateAll((els) => els.map((e) => e.naturalWidth).sort((a, b) => a - b));
    assert.deepEqual(widths, [16, 40], 'the PNG (16 px) and the SVG (40 px) decoded as images');
    assert.equal(await http.locator('script, iframe, a, svg, style, b').count(), 0, 'no element came from the bytes');

    // Export objects of the capture: the markup file name comes back sanitised, as text.
    await http.locator('[data-testid="export-objects-button"]').click();
    const objects = http.locator('[data-testid="export-objects"]');
    await objects.waitFor({ timeout: 20000 });
    assert.equal(await objects.locator('[data-testid="export-object"]').count(), 4);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      objects.locator('[data-testid="export-object-save"]').nth(2).click(),
    ]);
    assert.match(download.url(), /^blob:/);
    assert.equal(download.suggestedFilename(), 'ok.png');
    const png = fs.readFileSync(await download.path());
    assert.ok(png.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')), 'the saved object is the PNG');

    // UDP stream 0 carries markup too.
    await capture.locator('[data-testid="follow-pane"]').getByRole('button', { name: 'Close' }).click();
    const udp = await openFollow(capture, 'udp', 0);
    await loadAll(capture, udp);
    const udpText = (await udp.locator('[data-testid="follow-chunk"]').allTextContents()).join('');
    assert.ok(udpText.includes("<script>window.__pwned='udp'</script> over UDP"));
    assert.equal(await udp.locator('script, img').count(), 0);

    // The capture's markup name is shown as text.
    assert.ok((await page.locator('.capture-name').allTextContents()).includes(path.basename(file)));

    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no hostile script ran');
    assert.deepEqual(dialogs, [], 'no dialog opened');
  } finally {
    await page.close();
  }
});

test('no request left the page\'s origin, and no page error or CSP violation happened', () => {
  assert.ok(suite.browser.requests.length > 0, 'requests were recorded');
  assert.deepEqual(foreignRequests(suite.browser.requests, suite.server.origin), []);
  assert.deepEqual(suite.browser.problems, []);
});
