// www/chunk_reader.js in headless Chromium: a File read through the nested read worker and through
// same-thread reads yields exactly the file's bytes, in order, in chunks of the requested size
// (including sizes that do not divide the file), breaking out of the loop stops early, and a read
// worker that cannot load falls back to reads on the calling thread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, launchBrowser, openPage } from './helpers.mjs';

let server, browser, tmp, file, expectedHash;

/** FNV-1a over the bytes, as the probe computes it. */
function fnv1a(bytes) {
  let hash = 0x811c9dc5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tracematch-chunks-'));
  file = path.join(tmp, 'random.bin');
  const bytes = crypto.randomBytes(5 * 1024 * 1024 + 12345);
  fs.writeFileSync(file, bytes);
  expectedHash = fnv1a(bytes);
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function readInWorker(options) {
  // A page without the app's CSP: index.html requires Trusted Types for any worker URL.
  const page = await openPage(browser.context, `${server.origin}/tests/e2e/blank.html`);
  await page.evaluate(() => {
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'probe-file';
    document.body.append(input);
  });
  await page.setInputFiles('#probe-file', file);
  const result = await page.evaluate((opts) => new Promise((resolve) => {
    const w = new Worker(new URL('/tests/e2e/chunk_reader_probe.js', document.baseURI), { type: 'module' });
    w.onmessage = (e) => { w.terminate(); resolve(e.data); };
    w.onerror = (e) => resolve({ error: e.message || 'probe failed to start' });
    w.postMessage({ file: document.getElementById('probe-file').files[0], ...opts });
  }), options);
  await page.close();
  return result;
}

const size = () => fs.statSync(file).size;

for (const nested of [true, false]) {
  for (const chunkBytes of [1024 * 1024, 1000003, 64 * 1024 * 1024]) {
    test(`${nested ? 'nested read worker' : 'same-thread reads'}, ${chunkBytes}-byte chunks: every byte in order`, { timeout: 60000 }, async () => {
      const r = await readInWorker({ chunkBytes, nested });
      assert.equal(r.error, undefined);
      assert.equal(r.lengths.reduce((a, b) => a + b, 0), size());
      for (const len of r.lengths.slice(0, -1)) assert.equal(len, Math.min(chunkBytes, size()));
      assert.equal(r.hash, expectedHash);
    });
  }
}

test('breaking out of the loop stops the reader after the chunks taken', { timeout: 60000 }, async () => {
  const r = await readInWorker({ chunkBytes: 1024 * 1024, nested: true, stopAfter: 2 });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.lengths, [1024 * 1024, 1024 * 1024]);
});

test('a read worker that fails to load: reading carries on in the calling thread', { timeout: 60000 }, async () => {
  const r = await readInWorker({ chunkBytes: 1024 * 1024, nested: true, workerUrl: `${server.origin}/no-such-read-worker.js` });
  assert.equal(r.error, undefined);
  assert.equal(r.lengths.reduce((a, b) => a + b, 0), size());
  assert.equal(r.hash, expectedHash);
});
