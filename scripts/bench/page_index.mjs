// Benchmark helper: the real page in headless Chromium indexes FILE end to end (file input →
// summary shown), then the same worker code reads the same File without indexing (the browser's
// read ceiling). Prints one JSON line. usage: node scripts/bench/page_index.mjs URL FILE
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, file] = process.argv.slice(2);
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
    const w = new Worker(new URL('www/worker.js', document.baseURI), { type: 'module' });
    const rpc = rpcClient(w);
    const r = await rpc.call('readCeiling', [f]);
    w.terminate();
    return r;
  });
  const heap = await page.evaluate(() => (performance.memory ? performance.memory.usedJSHeapSize : null));
  console.log(JSON.stringify({
    frames,
    input_bytes: size,
    page_seconds: pageMs / 1000,
    page_mb_per_s: size / 1e6 / (pageMs / 1000),
    read_ceiling_seconds: ceiling.elapsedMs / 1000,
    read_ceiling_mb_per_s: size / 1e6 / (ceiling.elapsedMs / 1000),
    page_js_heap_bytes: heap,
  }));
} finally {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
