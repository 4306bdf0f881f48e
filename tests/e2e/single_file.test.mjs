// End-to-end test of the single-file build (dist/tracematch.html, made by scripts/build.sh through
// scripts/single_file.mjs): opened from file:// in headless Chromium with no server at all, it
// indexes the demo pair (`tracematch synth demo`; one file dropped, one through the file input)
// and every view works — summary and conversations (checked against the CLI), Follow (against
// `tracematch follow`), Session, and Match (against `tracematch match --json`). The hostile
// capture (`tracematch synth hostile`, markup file name) shows as text there too. Every request
// any page or worker makes must be file:, blob: or data:, and no CSP violation or page error may
// happen under the file's own strict policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, launchBrowser, captureLocator, waitIndexed } from './helpers.mjs';

const CLI = path.join(REPO_ROOT, 'target', 'release', 'tracematch');
const SINGLE = path.join(REPO_ROOT, 'dist', 'tracematch.html');
let browser, tmp, client, server;

before(async () => {
  assert.ok(fs.existsSync(SINGLE), 'dist/tracematch.html is missing: run bash scripts/build.sh first');
  assert.ok(fs.existsSync(CLI), 'target/release/tracematch is missing: run bash scripts/build.sh first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracematch-e2e-single-'));
  execFileSync(CLI, ['synth', 'demo', tmp]);
  client = path.join(tmp, 'client.pcap');
  server = path.join(tmp, 'server.pcap');
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 256 << 20 });

/** "Packets:  521" style fields of `tracematch info`. */
function info(file) {
  const text = cli('info', file);
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)[1]);
  return { packets: field('Packets'), tcp: field('TCP streams'), udp: field('UDP streams') };
}

test('the single file carries its own strict CSP and loads nothing by URL', () => {
  const html = fs.readFileSync(SINGLE, 'utf8');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)[1];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'(;|$)/);
  assert.match(csp, /connect-src 'none'/);
  assert.match(csp, /worker-src blob:(;|$)/);
  assert.match(csp, /require-trusted-types-for 'script'/);
  assert.doesNotMatch(html, /<script[^>]+src=/, 'no external script');
  assert.doesNotMatch(html, /<link rel="stylesheet"/, 'no external stylesheet');
  assert.equal((html.match(/<script type="module">/g) || []).length, 1, 'one inline script');
  const uplotLicense = fs.readFileSync(path.join(REPO_ROOT, 'www', 'vendor', 'uplot', 'LICENSE'), 'utf8').trim();
  assert.ok(html.includes(uplotLicense), 'the bundled uPlot keeps its license');
});

test('file:// single file: demo pair indexes, and summary, conversations, Follow, Session and Match work', async () => {
  const page = await browser.context.newPage();
  await page.goto(pathToFileURL(SINGLE).href, { waitUntil: 'load' });
  assert.equal(await page.locator('#demo-button').isHidden(), true, 'no demo button next to a single file');
  // The client capture is dropped on the page (a DataTransfer holding a File, as a browser builds
  // it), the server capture comes through the file input: A = client, B = server for Match.
  const dataTransfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'client.pcap'));
    return dt;
  }, [...fs.readFileSync(client)]);
  for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('main', type, { dataTransfer });
  await captureLocator(page, 'client.pcap').waitFor({ state: 'attached' });
  await page.setInputFiles('[data-testid="file-input"]', [server]);

  for (const file of [client, server]) {
    const want = info(file);
    const capture = captureLocator(page, path.basename(file));
    assert.equal(await waitIndexed(capture), want.packets, `${path.basename(file)}: packets`);
    const facts = await capture.locator('[data-testid="summary"] dl.facts').evaluate((dl) =>
      Object.fromEntries([...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
    assert.equal(facts['TCP streams'], want.tcp.toLocaleString('en-US'));
    assert.equal(facts['UDP streams'], want.udp.toLocaleString('en-US'));
    const table = capture.locator('[data-testid="conv-table"][data-kind="tcp"]');
    await table.waitFor({ timeout: 20000 });
    assert.equal(Number(await table.getAttribute('data-rows')), JSON.parse(cli('conv', file, 'tcp', '--json')).length);
  }

  // Follow and Session on TCP stream 0 of the client capture.
  const capture = captureLocator(page, 'client.pcap');
  await capture.locator('[data-testid="conv-row"][data-stream="0"]').first().click();
  assert.ok(Number(await capture.locator('[data-testid="packet-list"]').getAttribute('data-rows')) > 0, 'the packet list fills');
  const session = capture.locator('[data-testid="session"][data-stream="0"]');
  await session.locator('xpath=self::*[@data-status="done"]').waitFor({ state: 'attached', timeout: 20000 });
  await capture.locator('[data-testid="follow-button"]').click();
  const follow = capture.locator('[data-testid="follow"][data-stream="0"][data-proto="tcp"]');
  await follow.waitFor({ state: 'attached', timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('[data-testid="follow"][data-stream="0"]')?.dataset.state === 'done', null, { timeout: 20000 });
  await capture.locator('[data-testid="follow-view"]').selectOption('raw');
  await page.waitForFunction(() => document.querySelector('[data-testid="follow"][data-stream="0"]')?.dataset.state === 'done', null, { timeout: 20000 });
  const hex = (await follow.locator('[data-testid="follow-chunk"] .follow-bytes').allTextContents()).join('').replace(/\s+/g, '');
  const rawCli = cli('follow', client, 'tcp', '0', '--format', 'raw').split('\n').filter((l) => /^\t?[0-9a-f]+$/.test(l)).map((l) => l.trim()).join('');
  assert.ok(rawCli.length > 0, 'the CLI followed something');
  assert.equal(hex, rawCli, 'Follow (raw) shows the same bytes as tracematch follow');

  // Match: the same (proto, a, b) set as the CLI.
  const expected = JSON.parse(cli('match', client, server, '--json'));
  await page.locator('[data-testid="match-open"]').click();
  const view = page.locator('[data-testid="match-view"]');
  await view.locator('[data-testid="match-run"]').click();
  const results = view.locator('[data-testid="match-results"]:not([hidden])');
  const failure = view.locator('[data-testid="match-error"]:not([hidden])');
  await results.or(failure).first().waitFor({ timeout: 120000 });
  assert.equal(await failure.count(), 0, `matching failed: ${await failure.textContent().catch(() => '')}`);
  const rows = await view.locator('[data-testid="match-row"]').evaluateAll((els) => els.map((e) => `${e.dataset.proto}:${e.dataset.aStream}:${e.dataset.bStream}`));
  assert.ok(expected.matches.length > 0);
  assert.deepEqual(rows.sort(), expected.matches.map((m) => `${m.proto}:${m.a_stream}:${m.b_stream}`).sort());
  // Only workers were made from blob: URLs so far (no images, no downloads). The page makes one URL
  // per worker kind (index, match); any other is a nested read or analysis worker started inside a
  // worker, so the nested workers run here too (no silent fallback to same-thread work).
  const blobs = new Set(browser.requests.filter((u) => u.startsWith('blob:')));
  assert.ok(blobs.size > 2, `nested workers started from blob: URLs (${blobs.size} blob: workers)`);
  await page.close();
});

test('file:// single file: the hostile capture shows as text, its images as blob: images, nothing runs', async () => {
  const out = path.join(tmp, 'hostile');
  cli('synth', 'hostile', out);
  const named = path.join(tmp, '<img src=x onerror="window.__pwned=\'file\'">.pcap');
  fs.copyFileSync(path.join(out, 'hostile.pcap'), named);
  const page = await browser.context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  await page.goto(pathToFileURL(SINGLE).href, { waitUntil: 'load' });
  await page.setInputFiles('[data-testid="file-input"]', [named]);
  const capture = captureLocator(page, path.basename(named));
  await waitIndexed(capture);
  assert.equal(await capture.locator('.capture-name').textContent(), path.basename(named), 'the file name shows as text');
  await capture.locator('[data-testid="conv-row"][data-stream="0"]').first().click();
  await capture.locator('[data-testid="follow-button"]').click();
  const follow = capture.locator('[data-testid="follow"][data-stream="0"]');
  await follow.waitFor({ state: 'attached', timeout: 20000 });
  await capture.locator('[data-testid="follow-tab"][data-tab="http"]').click();
  const http = capture.locator('[data-testid="follow-http"][data-state="done"]');
  await http.waitFor({ timeout: 20000 });
  assert.ok((await http.textContent()).includes("<script>window.__pwned='script'</script>"), 'markup shown as text');
  await page.waitForFunction(() => {
    const imgs = [...document.querySelectorAll('[data-testid="http-image"]')];
    return imgs.length > 0 && imgs.every((i) => i.complete);
  }, null, { timeout: 10000 });
  const images = await http.locator('img').evaluateAll((els) => els.map((e) => [e.getAttribute('src').slice(0, 5), e.naturalWidth]));
  assert.deepEqual(images.map(([src]) => src), ['blob:', 'blob:']);
  assert.deepEqual(images.map(([, w]) => w).sort((a, b) => a - b), [16, 40], 'both images decoded under img-src blob:');
  assert.equal(await http.locator('script, iframe, a, svg, style, b').count(), 0, 'no element came from the bytes');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, []);
  await page.close();
});

test('nothing but file:, blob: and data: was requested, and no CSP violation or page error happened', () => {
  assert.ok(browser.requests.length > 0, 'the recorder saw the page load');
  assert.ok(browser.requests.some((u) => u.startsWith('blob:')), 'the workers started from blob: URLs');
  assert.deepEqual(browser.requests.filter((u) => !/^(file|blob|data):/.test(u)), []);
  assert.deepEqual(browser.problems, []);
});
