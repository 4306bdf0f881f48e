// The worker's browsing handlers (imported by worker.js): display-filter runs over the whole
// capture with progress and Cancel, the "Bad TCP" colouring pass, one frame's details tree and
// bytes, and the live view (summary, conversations so far) shown while indexing goes on. Filter
// runs read the File again in big sequential reads (the index keeps no packet bytes) and evaluate
// the core's filter engine in wasm, frame by frame.
import { FilterHandle, checkFilter, badTcpFilter } from './pkg/tracematch.js';
import { transfer } from './rpc.js';

/** Bytes per File read of a filter run (a read costs ~2 ms whatever its size). */
const FILTER_CHUNK_BYTES = 16 * 1024 * 1024;
/** Minimum time between two filter progress events. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Handlers for rpcServe. `ctx` gives the worker's state: handle() (the CaptureHandle or throws),
 * file() (the indexed File or throws), emit(name, data) and guarded(fn) (wasm call wrapper).
 */
export function browseHandlers(ctx) {
  let run = 0; // id of the current filter run; a newer run or filterCancel() stops older ones
  let cancelled = new Set();
  let badTcp = null;

  /**
   * Runs `text` over the File; resolves to { frames: Uint32Array, cancelled } and, with `report`,
   * conversations: { tcp, udp, ip } over the matching frames.
   */
  async function runFilter(text, id, report) {
    const file = ctx.file();
    const h = ctx.guarded(() => new FilterHandle(text));
    try {
      let offset = 0;
      let last = 0;
      const read = (at) => file.slice(at, Math.min(file.size, at + FILTER_CHUNK_BYTES)).arrayBuffer();
      let next = file.size > 0 ? read(0) : null;
      while (next) {
        const buffer = await next;
        if (cancelled.has(id)) return { frames: new Uint32Array(0), cancelled: true };
        offset += buffer.byteLength;
        next = offset < file.size && buffer.byteLength > 0 ? read(offset) : null;
        ctx.guarded(() => h.push(new Uint8Array(buffer)));
        const now = performance.now();
        if (report && (now - last >= PROGRESS_INTERVAL_MS || !next)) {
          last = now;
          ctx.emit('filterProgress', { id, bytes: offset, total: file.size, frames: h.framesRead() });
        }
      }
      ctx.guarded(() => h.finish());
      const frames = ctx.guarded(() => h.matches());
      if (!report) return { frames, cancelled: false };
      const conversations = {};
      for (const kind of ['tcp', 'udp', 'ip']) conversations[kind] = ctx.guarded(() => h.conversations(kind));
      return { frames, conversations, cancelled: false };
    } finally {
      h.free();
    }
  }

  return {
    /** null when `text` compiles, else { message, position, length }. */
    checkFilter(text) {
      return ctx.guarded(() => checkFilter(text));
    },

    /**
     * Filters the whole capture: resolves to { id, frames (transferred Uint32Array), cancelled,
     * conversations: { tcp, udp, ip } limited to the matching frames },
     * or { id, error: { message, position, length } } when the filter does not compile.
     * Progress events: 'filterProgress' { id, bytes, total, frames }.
     */
    async filter(text) {
      const id = ++run;
      for (let i = 1; i < id; i++) cancelled.add(i);
      const problem = ctx.guarded(() => checkFilter(text));
      if (problem) return { id, error: problem };
      const result = await runFilter(text, id, true);
      cancelled.delete(id);
      return transfer({ id, ...result }, [result.frames.buffer]);
    },

    /** Stops the running filter (it resolves with cancelled: true). */
    filterCancel() {
      cancelled.add(run);
      return true;
    },

    /** Frames matching Wireshark's "Bad TCP" colouring rule (computed once). */
    badTcpFrames() {
      if (!badTcp) badTcp = runFilter(ctx.guarded(() => badTcpFilter()), -1, false).then((r) => r.frames);
      return badTcp.then((frames) => frames.slice());
    },

    /**
     * What the page shows while indexing goes on: { summary, conversations (the first `maxRows`
     * rows of `kind`, or null without one), costMs (time this call took here, between two indexed chunks) }. The
     * page spaces its calls by costMs so the preview never takes a noticeable share of indexing.
     */
    liveView(kind = null, maxRows = 200) {
      const started = performance.now();
      const h = ctx.handle();
      const summary = ctx.guarded(() => h.summary());
      const conversations = kind ? ctx.guarded(() => h.conversationsHead(kind, maxRows)) : null;
      return { summary, conversations, costMs: performance.now() - started };
    },

    /** { number, tree, bytes } of frame `number` (bytes transferred), or null. */
    frameDetails(number) {
      const d = ctx.guarded(() => ctx.handle().frameDetails(number, ctx.file()));
      return d ? transfer(d, [d.bytes.buffer]) : null;
    },
  };
}
