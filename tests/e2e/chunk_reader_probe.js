// Test-only module worker for tests/e2e/chunk_reader.test.mjs: reads the File it is sent through
// www/chunk_reader.js (so the read worker is a nested worker, as in the indexing worker) and answers
// with the chunk lengths and an FNV-1a hash of the bytes in the order they arrived.
import { readChunks } from '../../www/chunk_reader.js';

self.onmessage = async (e) => {
  const { file, chunkBytes, nested, stopAfter, workerUrl } = e.data;
  try {
    const lengths = [];
    let hash = 0x811c9dc5;
    for await (const chunk of readChunks(file, chunkBytes, { nested, workerUrl })) {
      const bytes = new Uint8Array(chunk);
      for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
      lengths.push(bytes.length);
      if (stopAfter && lengths.length >= stopAfter) break;
    }
    self.postMessage({ lengths, hash });
  } catch (err) {
    self.postMessage({ error: String(err && err.message) });
  }
};
