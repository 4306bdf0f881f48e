// Whole-capture statistics from a File: feeds it through a wasm StatsHandle chunk by chunk and
// returns the tables. Used by the analysis worker, and by the capture worker itself when no
// analysis worker can be started.
import { readChunks } from './chunk_reader.js';

/**
 * Feeds `file` through a new `Handle(intervalMs)` (a StatsHandle class; with `filter`, counting
 * only the frames that display filter shows) and returns `{ io, talkers, endpoints, expert, phs,
 * esp }`; `run` wraps every wasm call (panic reporting). `readOptions` go to readChunks (the
 * analysis worker reads on its own thread: `{ nested: false }`).
 */
export async function computeStats(file, intervalMs, chunkBytes, Handle, run, readOptions = {}, filter = null) {
  const h = run(() => (filter ? Handle.withDisplayFilter(intervalMs, filter) : new Handle(intervalMs)));
  try {
    for await (const buffer of readChunks(file, chunkBytes, readOptions)) {
      run(() => h.push(new Uint8Array(buffer)));
    }
    run(() => h.finish());
    return {
      io: run(() => h.ioRows()),
      talkers: run(() => h.topTalkers()),
      endpoints: run(() => h.endpoints()),
      expert: run(() => h.expert()),
      phs: run(() => h.protocolHierarchy()),
      esp: run(() => h.espSeries()),
    };
  } finally {
    h.free();
  }
}
