// Benchmark helper: indexes a capture with the wasm build (www/pkg) in Node, from memory, in the
// same chunk size as the page, and prints one JSON line: MB/s, packets/s, wasm memory.
// usage: node scripts/bench/wasm_index.mjs FILE [CHUNK_BYTES]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { initSync, CaptureHandle } = await import(path.join(root, 'www/pkg/tracematch.js'));
const exports = initSync({ module: fs.readFileSync(path.join(root, 'www/pkg/tracematch_bg.wasm')) });

const file = process.argv[2];
const chunk = Number(process.argv[3] || 16 * 1024 * 1024);
// Read the whole file first: this measures the indexer, not the disk.
const size = fs.statSync(file).size;
const chunks = [];
const fd = fs.openSync(file, 'r');
for (let at = 0; at < size; at += chunk) {
  const buf = Buffer.allocUnsafe(Math.min(chunk, size - at));
  fs.readSync(fd, buf, 0, buf.length, at);
  chunks.push(new Uint8Array(buf.buffer, buf.byteOffset, buf.length));
}
fs.closeSync(fd);
const handle = new CaptureHandle();
const started = process.hrtime.bigint();
for (const c of chunks) handle.push(c);
handle.finish();
const secs = Number(process.hrtime.bigint() - started) / 1e9;
const s = handle.summary();
console.log(JSON.stringify({
  frames: s.frames,
  input_bytes: size,
  seconds: secs,
  mb_per_s: size / 1e6 / secs,
  packets_per_s: s.frames / secs,
  index_bytes_per_packet: s.index_bytes_per_packet,
  wasm_memory_bytes: exports.memory.buffer.byteLength,
  error: s.error ?? null,
}));
