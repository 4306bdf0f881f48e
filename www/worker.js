// The indexing worker: one per open capture. It owns the wasm CaptureHandle, streams the File into
// it in big reads (made by a nested read worker while wasm indexes the current chunk), reports
// progress, and answers the page's queries (conversations, frames of a stream, packet rows read back
// from the File, Follow pages, HTTP messages and export objects, sessions, TCP stream graphs,
// pcap/pcapng exports, GeoIP; statistics via a nested analysis worker).
import init, { CaptureHandle, ExportHandle, GeoHandle, GraphHandle, StatsHandle, lastPanicMessage, mergeOrder } from './pkg/tracematch.js';
import { rpcClient, rpcServe, transfer } from './rpc.js';
import { browseHandlers } from './browse_worker.js';
import { DEFAULT_CHUNK_BYTES } from './state.js';
import { readChunks } from './chunk_reader.js';
import { computeStats } from './stats_feed.js';
import { stallIfRequested } from './worker-test-stall.js';
import { SINGLE_FILE, createWorker } from './platform.js';
import { adoptChild, releaseChild, closeChildren } from './worker_children.js';
import { cacheKey, readCached, writeCached, unavailableReason } from './index_cache.js';
import { openColdFile } from './cold_store.js';

/** The index is cached only while wasm memory plus its saved copy stay below this (wasm32: 4 GiB). */
const MAX_WASM_BYTES_TO_SAVE = 3 * 1024 ** 3;

/** Minimum time between two progress events. */
const PROGRESS_INTERVAL_MS = 100;

let ready = null;
let wasmExports = null;
let handle = null;
let file = null;
let cancelRequested = false;
const statsByInterval = new Map(); // 'interval ms\0filter' → promise of { io, talkers, endpoints, expert, phs, esp }
let filteredStatsKey = null; // the one filtered result kept
let appNodes = null; // the protocol hierarchy's http / tls nodes, once computed (appHierarchy)
let graphOf = null; // { stream, handle: promise of the GraphHandle } of the last graphed stream
let geo = null; // promise of { handle: GeoHandle, source } — the open GeoIP database
let coldFile = null; // this capture's OPFS file for the index's cold columns (cold_store.js)

/** Gives `h` an OPFS file for its cold columns past the index budget, or the reason there is none. */
async function attachColdStore(h, disabled) {
  const cold = await openColdFile({ disabled });
  if (cold.access) {
    coldFile = cold;
    guarded(() => h.useColdStore(cold.access));
  } else {
    guarded(() => h.coldStoreUnavailable(cold.unavailable));
  }
}

/**
 * The site's bundled open GeoIP database (copied to www/geo/ by scripts/build.sh). The single
 * file has none (and no module URL to resolve it against): there the person drops a .mmdb.
 */
function bundledGeoDb() {
  if (SINGLE_FILE) throw new Error('the single-file page has no bundled GeoIP database: drop a .mmdb file');
  return new URL('./geo/geo-whois-asn-country.mmdb', import.meta.url);
}

/** Statistics computed by a short-lived nested analysis worker (its memory goes with it). */
async function statsElsewhere(intervalMs, filter) {
  const w = createWorker('analysis');
  const rpc = rpcClient(w);
  try {
    adoptChild(w, () => rpc.call('closeChildren'));
    return await rpc.call('stats', [file, intervalMs, DEFAULT_CHUNK_BYTES, filter]);
  } finally {
    rpc.close();
    w.terminate();
    releaseChild(w);
  }
}

/**
 * The protocol hierarchy's http / tls nodes computed by a short-lived nested analysis worker from a
 * saved copy of the index (transferred to it); null when the index cannot be saved (the caller
 * computes them here then). Fails when the copy would not fit in this worker's memory: a capture
 * that big is not reassembled here either (it could exhaust the memory this worker's views need).
 */
async function appNodesElsewhere() {
  const h = requireHandle();
  if (wasmMemoryBytes() + guarded(() => h.savedIndexSizeEstimate()) > MAX_WASM_BYTES_TO_SAVE) {
    throw new Error('the capture is too large to reassemble its streams in this page (tracematch phs FILE shows them)');
  }
  let bytes;
  try {
    bytes = guarded(() => h.savedIndex());
  } catch {
    return null;
  }
  const w = createWorker('analysis');
  const rpc = rpcClient(w);
  try {
    adoptChild(w, () => rpc.call('closeChildren'));
    return await rpc.call('appHierarchy', [file, bytes], [bytes.buffer]);
  } finally {
    rpc.close();
    w.terminate();
    releaseChild(w);
  }
}

/** Feeds the whole File into a wasm handle with push/finish (GraphHandle, ExportHandle). */
async function feedFile(target) {
  if (!file) throw new Error('no capture indexed in this worker');
  for await (const buffer of readChunks(file, DEFAULT_CHUNK_BYTES)) guarded(() => target.push(new Uint8Array(buffer)));
  guarded(() => target.finish());
}

/** Runs a wasm call; a Rust panic (a trap) is reported with the panic's own message. */
function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    const panic = typeof lastPanicMessage === 'function' ? lastPanicMessage() : undefined;
    if (panic) throw new Error(`the indexer crashed: ${panic}`);
    throw err;
  }
}

/** Frames indexed when the last chunk was pushed (for the out-of-memory message). */
let indexedFrames = 0;

/**
 * Runs an indexing step like guarded(). A trap with no Rust panic message (an allocation failed:
 * the instance aborts) or a RangeError / "memory access out of bounds" means wasm memory ran out:
 * reported with the packets indexed so far. This worker's wasm instance is unusable afterwards;
 * the capture shows the error, other captures (their own workers) are not affected.
 */
function outOfMemory(fn) {
  try {
    return guarded(fn);
  } catch (err) {
    const trap = err instanceof WebAssembly.RuntimeError && /unreachable|out of bounds/i.test(err.message);
    if (trap || err instanceof RangeError || /memory allocation of \d+ bytes failed/.test(err.message)) {
      const mib = Math.round(wasmMemoryBytes() / (1 << 20));
      handle = null;
      throw new Error(`ran out of memory after ${indexedFrames} packets (wasm memory ${mib} MiB of at most 4096): `
        + 'the capture is too large for this page; use the tracematch CLI, or open a smaller part');
    }
    throw err;
  }
}

/** Size of the wasm linear memory (it only grows), or 0 before the module is loaded. */
function wasmMemoryBytes() {
  return wasmExports && wasmExports.memory ? wasmExports.memory.buffer.byteLength : 0;
}

function requireHandle() {
  if (!handle) throw new Error('no capture indexed in this worker');
  return handle;
}

const emit = rpcServe(self, {
  /**
   * Before this worker is terminated: its nested workers close, leaves first (worker_children.js),
   * and the capture's cold-column file is deleted.
   */
  closeChildren: async () => {
    if (coldFile) await coldFile.close();
    return closeChildren();
  },
  // Display filters, colouring and packet details (browse_worker.js).
  ...browseHandlers({
    handle: requireHandle,
    file: () => { if (!file) throw new Error('no capture indexed in this worker'); return file; },
    emit: (name, data) => emit(name, data),
    guarded,
  }),

  /**
   * Indexes `f`; resolves to { summary, elapsedMs, wasmMs } when the file is read, damaged or
   * cancelled (wasmMs: time spent in the indexer itself, the rest is waiting for reads).
   */
  async index(f, chunkBytes = DEFAULT_CHUNK_BYTES, { indexBudget = 0, oom = false, noOpfs = false } = {}) {
    ready = ready || init().catch((err) => {
      throw new Error(`could not load the wasm module (was scripts/build.sh run?): ${err.message}`);
    });
    wasmExports = await ready;
    if (handle) throw new Error('this worker already indexed a capture');
    file = f;
    const started = performance.now();
    // The index cache (index_cache.js): a saved index of the same file replaces indexing.
    const key = unavailableReason() ? null : await cacheKey(f).catch(() => null);
    const saved = key ? await readCached(key) : null;
    if (saved) {
      try {
        handle = guarded(() => CaptureHandle.fromSavedIndex(saved));
      } catch {
        handle = null; // an entry this build cannot read: indexed again below, and overwritten
      }
    }
    if (handle) {
      const summary = guarded(() => handle.summary());
      const elapsedMs = performance.now() - started;
      emit('progress', { bytes: f.size, frames: summary.frames, elapsedMs, wasmBytes: wasmMemoryBytes(), source: 'cache' });
      return { summary, elapsedMs, wasmMs: 0, source: 'cache' };
    }
    // Test-only page options: ?test-index-budget=BYTES (0: the page's default), ?test-oom=NAME,
    // ?test-no-opfs (no cold store: the budget stops indexing).
    handle = guarded(() => (indexBudget > 0 ? CaptureHandle.withIndexBudget(indexBudget) : new CaptureHandle()));
    await attachColdStore(handle, noOpfs);
    let lastEmit = started;
    let offset = 0;
    let wasmMs = 0; // time inside handle.push: the rest of elapsedMs is waiting for reads
    // Reads run in a nested read worker, overlapping with the wasm work on this thread.
    for await (const buffer of readChunks(f, chunkBytes)) {
      if (cancelRequested) break;
      offset += buffer.byteLength;
      const pushStarted = performance.now();
      indexedFrames = outOfMemory(() => {
        handle.push(new Uint8Array(buffer));
        if (oom) handle.testExhaustMemory();
        return handle.progress().frames;
      });
      wasmMs += performance.now() - pushStarted;
      stallIfRequested();
      const now = performance.now();
      const last = offset >= f.size;
      if (now - lastEmit >= PROGRESS_INTERVAL_MS || last) {
        lastEmit = now;
        const p = guarded(() => handle.progress());
        emit('progress', { bytes: offset, frames: p.frames, elapsedMs: now - started, wasmBytes: wasmMemoryBytes() });
        // Damage stops the core; reading the rest of the file would be wasted time.
        // A memory budget stops it too (summary.stopped).
        if (!last) {
          const s = guarded(() => handle.summary());
          if (s.error || s.stopped) break;
        }
      }
    }
    outOfMemory(() => (cancelRequested ? handle.cancel() : handle.finish()));
    const summary = guarded(() => handle.summary());
    const elapsedMs = performance.now() - started;
    // Only a complete index is cached (the core refuses cancelled, damaged or compressed ones).
    let cacheNote = key ? null : unavailableReason();
    if (key && summary.complete && !summary.info.gzip) {
      let bytes = null;
      try {
        // Saving copies the index inside wasm memory (at most 4 GiB): skip it when that would not fit.
        const size = guarded(() => handle.savedIndexSizeEstimate());
        if (wasmMemoryBytes() + size > MAX_WASM_BYTES_TO_SAVE) throw new Error('the index is too big to cache in this page\'s memory');
        bytes = guarded(() => handle.savedIndex());
      } catch (err) {
        cacheNote = err.message;
      }
      if (bytes) cacheNote = await writeCached(key, bytes, summary.frames);
    }
    return { summary, elapsedMs, wasmMs, source: 'file', cacheNote };
  },

  /**
   * Benchmark baseline: a plain JavaScript read of `f` on this worker's thread (same slice size as
   * index(), the next read started before the current one is touched) that hands the bytes to
   * nobody. Resolves to { bytes, elapsedMs }: the browser's read ceiling.
   */
  async readCeiling(f, chunkBytes = DEFAULT_CHUNK_BYTES) {
    const started = performance.now();
    let offset = 0;
    let checksum = 0;
    const read = (at) => f.slice(at, Math.min(f.size, at + chunkBytes)).arrayBuffer();
    let next = f.size > 0 ? read(0) : null;
    while (next) {
      const buffer = await next;
      offset += buffer.byteLength;
      next = offset < f.size && buffer.byteLength > 0 ? read(offset) : null;
      // Touch the data once so the read cannot be optimised away.
      checksum = (checksum + new Uint8Array(buffer)[0]) | 0;
    }
    return { bytes: offset, elapsedMs: performance.now() - started, checksum };
  },

  /** Asks the running index() to stop after the current chunk (results so far are kept). */
  cancel() {
    cancelRequested = true;
    return true;
  },

  /** The conversation table for kind ("tcp" | "udp" | "ip"). */
  conversations(kind) {
    return guarded(() => requireHandle().conversations(kind));
  },

  /** Frame numbers of a stream (ip: of the n-th ip row), as a transferred Uint32Array. */
  framesOfStream(kind, stream) {
    const frames = guarded(() => requireHandle().framesOfStream(kind, stream));
    return transfer(frames, [frames.buffer]);
  },

  /** Packet-list rows for the given frame numbers, read back from the File. */
  packetRows(frames) {
    return guarded(() => requireHandle().packetRows(Uint32Array.from(frames), file));
  },

  /**
   * The merged view (MergedView.js): this capture's packet timestamps { ts: BigInt64Array of epoch
   * ns, frames: Uint32Array of their frame numbers or null when packet k is frame k + 1 },
   * transferred (8 bytes per packet).
   */
  mergeColumn() {
    const column = guarded(() => requireHandle().mergeColumn());
    return transfer(column, column.frames ? [column.ts.buffer, column.frames.buffer] : [column.ts.buffer]);
  },

  /**
   * The merged view's order of `columns` (mergeColumn() results, in the captures' order), as
   * `tracematch merge` orders them: a transferred Uint32Array of pairs [input, frame]. Called on a
   * worker started for it alone (no capture indexed), so the wasm memory it takes goes with it.
   */
  async mergeOrder(columns) {
    ready = ready || init();
    wasmExports = await ready;
    const order = guarded(() => mergeOrder(columns.map((c) => c.ts), columns.map((c) => c.frames || null)));
    return transfer(order, [order.buffer]);
  },

  /** Starts following a TCP/UDP stream (one at a time per capture): its banner. */
  followStart(proto, stream) {
    return guarded(() => requireHandle().followStart(proto, stream, file));
  },

  /** The next page of the followed stream; its bytes (one Uint8Array) are transferred. */
  followNext(maxBytes) {
    const page = guarded(() => requireHandle().followNext(maxBytes, file));
    return transfer(page, [page.bytes.buffer]);
  },

  /** HTTP messages of a TCP stream with decoded bodies (transferred Uint8Arrays). */
  httpMessages(stream) {
    const messages = guarded(() => requireHandle().httpMessages(stream, file));
    return transfer(messages, messages.filter((m) => m.body).map((m) => m.body.buffer));
  },

  /** The TLS handshake summary of a TCP stream, or null. */
  tlsSummary(stream) {
    return guarded(() => requireHandle().tlsSummary(stream, file));
  },

  /** Export objects of the whole capture (no bodies). */
  exportObjects() {
    return guarded(() => requireHandle().exportObjects(file));
  },

  /** One export object's decoded body. */
  exportObjectBody(stream, frame) {
    const body = guarded(() => requireHandle().exportObjectBody(stream, frame, file));
    return transfer(body, [body.buffer]);
  },

  /**
   * IO graph rows for `intervalMs`, endpoints, Expert Info, protocol hierarchy and ESP series: one
   * more read of the File, in a nested analysis worker so this worker keeps answering (here if that
   * worker cannot start). With `filter`, of the frames that display filter shows.
   */
  stats(intervalMs = 1000, filter = null) {
    if (!file) throw new Error('no capture indexed in this worker');
    const key = `${intervalMs}\u0000${filter ?? ''}`;
    if (!statsByInterval.has(key)) {
      if (filter) statsByInterval.delete(filteredStatsKey); // one filtered result kept at a time
      const run = statsElsewhere(intervalMs, filter).catch(
        () => computeStats(file, intervalMs, DEFAULT_CHUNK_BYTES, StatsHandle, guarded, {}, filter));
      // A failed run is not kept (a filter that does not compile can be asked again, fixed).
      run.catch(() => statsByInterval.delete(key));
      statsByInterval.set(key, run);
      if (filter) filteredStatsKey = key;
    }
    return statsByInterval.get(key);
  },

  /**
   * The protocol hierarchy's http / tls nodes ([{ parent, proto, frames, bytes }]) that the
   * statistics pass cannot place: every TCP stream reassembled from the File through the index.
   * Computed in a nested analysis worker given a saved copy of the index, so this worker keeps
   * answering; here (calls made meanwhile wait) when the index cannot be saved (a cancelled,
   * damaged or compressed capture). Not at all when a copy of the index would not fit in memory.
   * Kept once computed.
   */
  appHierarchy() {
    if (!appNodes) {
      appNodes = appNodesElsewhere().then((nodes) => nodes || guarded(() => requireHandle().appHierarchy(file)));
      appNodes.catch(() => { appNodes = null; });
    }
    return appNodes;
  },

  /**
   * A TCP stream graph: `kind` (stevens | tcptrace | throughput | rtt | window) of direction `node`
   * (0: that of the stream's first packet). The stream's segments are collected with one read of
   * the File and kept for the next call on the same stream (other kinds, other direction).
   */
  async tcpGraph(stream, kind, node = 0) {
    if (!graphOf || graphOf.stream !== stream) {
      if (graphOf) graphOf.handle.then((h) => h.free(), () => {});
      const h = guarded(() => new GraphHandle(stream));
      graphOf = { stream, handle: feedFile(h).then(() => h, (err) => { h.free(); throw err; }) };
    }
    const mine = graphOf;
    let h;
    try {
      h = await mine.handle;
    } catch (err) {
      if (graphOf === mine) graphOf = null;
      throw err;
    }
    return guarded(() => h.graph(kind, node));
  },

  /**
   * Session details and ladder of TCP stream `stream` (null when it has no packets), from the
   * stream's own frames read back through the index.
   */
  session(stream) {
    return guarded(() => requireHandle().session(stream, file));
  },

  /**
   * The packets `spec` selects ({ stream: 'tcp:N', lot, addr_a, addr_b, start, end, frames, filter })
   * as a pcap / pcapng file, records read back from the File as stored; `keylog` (Uint8Array or
   * null) goes in a Decryption Secrets Block. Resolves to { bytes, packets } (bytes transferred).
   */
  async exportPackets(spec, format, keylog = null) {
    const h = guarded(() => new ExportHandle(JSON.stringify(spec)));
    try {
      await feedFile(h);
      const bytes = guarded(() => h.bytes(file, format, keylog || undefined));
      return transfer({ bytes, packets: h.packets() }, [bytes.buffer]);
    } finally {
      h.free();
    }
  },

  /**
   * Country and AS of endpoint rows ([{ address, packets, bytes }]) from a GeoIP database: `dbBytes`
   * (a .mmdb the user dropped, kept for later calls) or the site's bundled one, read from this
   * site. Lookups happen here, in memory. Resolves to { database, source, rows, countries }.
   */
  async geoLocate(endpoints, dbBytes = null, dbName = null) {
    await ready;
    if (dbBytes) {
      const handle = guarded(() => new GeoHandle(dbBytes));
      if (geo) (await geo.catch(() => null))?.handle.free();
      geo = Promise.resolve({ handle, source: dbName || 'your database' });
    } else if (!geo) {
      geo = (async () => {
        const response = await fetch(bundledGeoDb());
        if (!response.ok) throw new Error('no GeoIP database in this site (www/geo/): drop a .mmdb file');
        const bytes = new Uint8Array(await response.arrayBuffer());
        return { handle: guarded(() => new GeoHandle(bytes)), source: 'bundled' };
      })();
      geo.catch(() => { geo = null; });
    }
    const { handle, source } = await geo;
    const rows = endpoints.map(({ address, packets, bytes }) => ({ address, packets, bytes }));
    const located = guarded(() => handle.locate(JSON.stringify(rows)));
    return { database: handle.databaseType(), source, ...located };
  },
});
