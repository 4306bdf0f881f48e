// The indexing worker: one per open capture. It owns the wasm CaptureHandle, streams the File into
// it in big reads (the next read runs while wasm indexes the current chunk), reports progress, and
// answers the page's queries (conversations, frames of a stream, packet rows read back from the File,
// Follow pages, HTTP messages and export objects, sessions and statistics, pcap/pcapng exports).
import init, { CaptureHandle, ExportHandle, GeoHandle, SessionHandle, StatsHandle, lastPanicMessage } from './pkg/tracematch.js';
import { rpcServe, transfer } from './rpc.js';
import { DEFAULT_CHUNK_BYTES } from './state.js';

/** Minimum time between two progress events. */
const PROGRESS_INTERVAL_MS = 100;

let ready = null;
let handle = null;
let file = null;
let cancelRequested = false;
const statsByInterval = new Map(); // interval ms → promise of { io, endpoints, expert }
let geo = null; // promise of { handle: GeoHandle, source } — the open GeoIP database

/** The site's bundled open GeoIP database (copied to www/geo/ by scripts/build.sh). */
const BUNDLED_GEO_DB = new URL('./geo/geo-whois-asn-country.mmdb', import.meta.url);

/** Feeds the whole indexed File into a wasm analysis handle (StatsHandle / SessionHandle / ExportHandle). */
async function feedFile(target, chunkBytes = DEFAULT_CHUNK_BYTES) {
  if (!file) throw new Error('no capture indexed in this worker');
  let offset = 0;
  const read = (at) => file.slice(at, Math.min(file.size, at + chunkBytes)).arrayBuffer();
  let next = file.size > 0 ? read(0) : null;
  while (next) {
    const buffer = await next;
    offset += buffer.byteLength;
    next = offset < file.size && buffer.byteLength > 0 ? read(offset) : null;
    guarded(() => target.push(new Uint8Array(buffer)));
  }
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

function requireHandle() {
  if (!handle) throw new Error('no capture indexed in this worker');
  return handle;
}

const emit = rpcServe(self, {
  /** Indexes `f`; resolves to { summary, elapsedMs } when the file is read, damaged or cancelled. */
  async index(f, chunkBytes = DEFAULT_CHUNK_BYTES) {
    ready = ready || init().catch((err) => {
      throw new Error(`could not load the wasm module (was scripts/build.sh run?): ${err.message}`);
    });
    await ready;
    if (handle) throw new Error('this worker already indexed a capture');
    file = f;
    handle = guarded(() => new CaptureHandle());
    const started = performance.now();
    let lastEmit = started;
    let offset = 0;
    const read = (at) => f.slice(at, Math.min(f.size, at + chunkBytes)).arrayBuffer();
    let next = f.size > 0 ? read(0) : null;
    while (next) {
      const buffer = await next;
      if (cancelRequested) break;
      offset += buffer.byteLength;
      // Start the next read before indexing this chunk so the two overlap.
      next = offset < f.size && buffer.byteLength > 0 ? read(offset) : null;
      guarded(() => handle.push(new Uint8Array(buffer)));
      const now = performance.now();
      if (now - lastEmit >= PROGRESS_INTERVAL_MS || !next) {
        lastEmit = now;
        const p = guarded(() => handle.progress());
        emit('progress', { bytes: offset, frames: p.frames, elapsedMs: now - started });
        // Damage stops the core; reading the rest of the file would be wasted time.
        if (next && guarded(() => handle.summary()).error) next = null;
      }
    }
    guarded(() => (cancelRequested ? handle.cancel() : handle.finish()));
    const summary = guarded(() => handle.summary());
    return { summary, elapsedMs: performance.now() - started };
  },

  /**
   * Benchmark baseline: reads `f` exactly as index() does (same slice size, overlapped reads) but
   * hands the bytes to nobody. Resolves to { bytes, elapsedMs }: the browser's read ceiling.
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

  /** IO graph rows for `intervalMs`, endpoints and Expert Info (one more read of the File). */
  stats(intervalMs = 1000) {
    if (!statsByInterval.has(intervalMs)) {
      statsByInterval.set(intervalMs, (async () => {
        const h = guarded(() => new StatsHandle(intervalMs));
        try {
          await feedFile(h);
          return { io: guarded(() => h.ioRows()), endpoints: guarded(() => h.endpoints()), expert: guarded(() => h.expert()) };
        } finally {
          h.free();
        }
      })());
    }
    return statsByInterval.get(intervalMs);
  },

  /** Session details and ladder of TCP stream `stream` (null when it has no packets). */
  async session(stream) {
    const h = guarded(() => new SessionHandle(stream));
    try {
      await feedFile(h);
      return guarded(() => h.result());
    } finally {
      h.free();
    }
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
        const response = await fetch(BUNDLED_GEO_DB);
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
