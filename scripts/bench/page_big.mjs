// Benchmark helper for big captures: the real page in headless Chromium indexes FILE end to end
// while this script samples, once a second, the indexer's wasm memory (the progress element's
// data-wasm-bytes) and the page's JS heap. Prints one JSON line: time, MB/s, packets, peak wasm
// memory, peak JS heap. usage: node scripts/bench/page_big.mjs URL FILE
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [url, file] = process.argv.slice(2);
const size = fs.statSync(file).size;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tm-bench-big-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--enable-precise-memory-info'],
});
try {
  const page = await ctx.newPage();
  await page.goto(url, { waitUntil: 'load' });
  const samples = [];
  const sample = async () => {
    const s = await page.evaluate(() => {
      const p = document.querySelector('[data-testid="progress"]');
      return {
        wasm: p && p.dataset.wasmBytes ? Number(p.dataset.wasmBytes) : 0,
        frames: p && p.dataset.frames ? Number(p.dataset.frames) : 0,
        heap: performance.memory ? performance.memory.usedJSHeapSize : 0,
      };
    });
    samples.push({ t: Date.now(), ...s });
  };
  const started = Date.now();
  await page.setInputFiles('[data-testid="file-input"]', file);
  let done = false;
  const finished = page.waitForSelector('[data-testid="summary"][data-packets]', { timeout: 3 * 60 * 60 * 1000 })
    .then(() => { done = true; });
  while (!done) {
    await sample();
    await Promise.race([finished, new Promise((r) => setTimeout(r, 1000))]);
  }
  const seconds = (Date.now() - started) / 1000;
  await sample();
  const frames = Number(await page.getAttribute('[data-testid="summary"]', 'data-packets'));
  const max = (k) => Math.max(0, ...samples.map((s) => s[k]));
  console.log(JSON.stringify({
    input_bytes: size,
    frames,
    seconds,
    mb_per_s: size / 1e6 / seconds,
    packets_per_s: frames / seconds,
    peak_wasm_bytes: max('wasm'),
    peak_js_heap_bytes: max('heap'),
    samples: samples.length,
    // wasm memory at 25/50/75/100% of the frames: flat apart from the index means it grows with
    // the packet count (the index), not with the bytes read.
    wasm_by_quarter: [0.25, 0.5, 0.75, 1].map((q) => {
      const s = samples.find((x) => x.frames >= q * frames);
      return s ? { frames: s.frames, wasm_bytes: s.wasm } : null;
    }),
  }));
} finally {
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
