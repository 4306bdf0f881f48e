// Benchmark helper: the real page in headless Chromium indexes FILE end to end (file input →
// summary shown), then the same worker code reads the same File without indexing (the browser's
// read ceiling). With STREAM (a TCP stream number, e.g. the largest), also: the page's time to
// first screen of Follow (click → first chunk shown, after sorting the TCP table by bytes so that
// stream is on top) and the wasm follow of the whole stream in a worker (followStart + followNext
// pages until done, reading the File). Prints one JSON line.
// usage: node scripts/bench/page_index.mjs URL FILE [STREAM]
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, file, streamArg] = process.argv.slice(2);
const stream = streamArg === undefined ? null : Number(streamArg);
const size = fs.statSync(file).size;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-bench-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await ctx.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const started = Date.now();
  await page.setInputFiles('[data-testid="file-input"]', file);
  await page.waitForSelector('[data-testid="summary"][data-packets]', { timeout: 30 * 60 * 1000 });
  const pageMs = Date.now() - started;
  const frames = Number(await page.getAttribute('[data-testid="summary"]', 'data-packets'));
  // The read ceiling: the same worker module, the same File, the same slices, no wasm. The page
  // clears its own file input after use, so hand the File over through a separate input.
  await page.evaluate(() => {
    const i = document.createElement('input');
    i.type = 'file';
    i.id = 'bench-file';
    i.hidden = true;
    document.body.append(i);
  });
  await page.setInputFiles('#bench-file', file);
  const ceiling = await page.evaluate(async () => {
    const f = document.getElementById('bench-file').files[0];
    const { rpcClient } = await import(new URL('www/rpc.js', document.baseURI).href);
    // Through the page's own worker factory: the CSP requires Trusted Types for worker URLs.
    const { createWorker } = await import(new URL('www/platform.js', document.baseURI).href);
    const w = createWorker('index');
    const rpc = rpcClient(w);
    const r = await rpc.call('readCeiling', [f]);
    w.terminate();
    return r;
  });
  const heap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null));
  const follow = stream === null ? null : await followFigures(page, stream);
  console.log(JSON.stringify({
    frames,
    input_bytes: size,
    page_seconds: pageMs / 1000,
    page_mb_per_s: size / 1e6 / (pageMs / 1000),
    read_ceiling_seconds: ceiling.elapsedMs / 1000,
    read_ceiling_mb_per_s: size / 1e6 / (ceiling.elapsedMs / 1000),
    page_js_heap_bytes: heap,
    ...(follow || {}),
  }));
} finally {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Follow figures for TCP stream `stream` of the capture the page has indexed: the UI's time to
 * first screen, then a whole-stream wasm follow in a fresh worker (its indexing time excluded,
 * reported apart with the share of it spent in wasm).
 */
async function followFigures(page, stream) {
  await page.click('[data-testid="conv-tab"][data-kind="tcp"]');
  const table = page.locator('[data-testid="conv-table"][data-kind="tcp"]');
  const sortButton = table.locator('button[title="Sort by Bytes"]').first();
  for (let i = 0; i < 3; i++) {
    const sorted = await table.locator('[aria-sort="descending"] button[title="Sort by Bytes"]').count();
    if (sorted) break;
    await sortButton.click();
  }
  const row = table.locator(`[data-testid="conv-row"][data-stream="${stream}"]`).first();
  await row.click({ timeout: 60000 });
  const clicked = Date.now();
  await page.click('[data-testid="follow-button"]');
  await page.waitForSelector('[data-testid="follow-chunk"]', { timeout: 10 * 60 * 1000 });
  const firstScreenMs = Date.now() - clicked;
  const wasm = await page.evaluate(async (n) => {
    const f = document.getElementById('bench-file').files[0];
    const { rpcClient } = await import(new URL('www/rpc.js', document.baseURI).href);
    // Through the page's own worker factory: the CSP requires Trusted Types for worker URLs.
    const { createWorker } = await import(new URL('www/platform.js', document.baseURI).href);
    const w = createWorker('index');
    const rpc = rpcClient(w);
    const indexed = await rpc.call('index', [f]);
    const started = performance.now();
    await rpc.call('followStart', ['tcp', n]);
    let bytes = 0;
    for (;;) {
      const p = await rpc.call('followNext', [16 << 20]);
      bytes += p.bytes.byteLength;
      if (p.done) break;
    }
    const elapsedMs = performance.now() - started;
    w.terminate();
    return { bytes, elapsedMs, indexMs: indexed.elapsedMs, indexWasmMs: indexed.wasmMs };
  }, stream);
  return {
    follow_stream: stream,
    follow_first_screen_seconds: firstScreenMs / 1000,
    follow_wasm_seconds: wasm.elapsedMs / 1000,
    follow_wasm_bytes: wasm.bytes,
    worker_index_seconds: wasm.indexMs / 1000,
    worker_index_wasm_seconds: wasm.indexWasmMs / 1000,
  };
}
