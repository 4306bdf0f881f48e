// The worker's browsing handlers (imported by worker.js): display-filter runs over the whole
// capture with progress and Cancel, the "Bad TCP" colouring pass, one frame's details tree and
// bytes, and the live view (summary, conversations so far) shown while indexing goes on. A filter
// run over a completely indexed capture asks the core for a plan: the index answers it alone, or
// selects candidate frames that are read back by offset and decoded in batches; otherwise (or
// when a candidate cannot be decoded on its own) it reads the whole File again in big
// sequential reads and evaluates every frame. The result says which path ran.
import { FilterHandle, checkFilter, badTcpFilter } from './pkg/tracematch.js';
import { transfer } from './rpc.js';

/** Bytes per File read of a filter run (a read costs ~2 ms whatever its size). */
const FILTER_CHUNK_BYTES = 16 * 1024 * 1024;
/** Minimum time between two filter progress events. */
const PROGRESS_INTERVAL_MS = 100;
/** Frames read back per wasm call of an indexed run (Cancel is seen between calls). */
const READ_BACK_BATCH = 4096;

/**
 * Handlers for rpcServe. `ctx` gives the worker's state: handle() (the CaptureHandle or throws),
 * file() (the indexed File or throws), emit(name, data) and guarded(fn) (wasm call wrapper).
 */
export function browseHandlers(ctx) {
  let run = 0; // id of the current filter run; a newer run or filterCancel() stops older ones
  let cancelled = new Set();
  let badTcp = null;

  /**
   * Runs `text` over the File; resolves to { frames: Uint32Array, cancelled, path } and, with
   * `report`, conversations: { tcp, udp, ip } over the matching frames. `path` is
   * { kind: 'index' | 'preselect' | 'full', decoded, total } (frames decoded, frames indexed).
   */
  async function runFilter(text, id, report) {
    const file = ctx.file();
    const h = ctx.guarded(() => new FilterHandle(text));
    try {
      let capture = null;
      try { capture = ctx.handle(); } catch { capture = null; }
      let total = 0;
      let kind = capture ? ctx.guarded(() => h.planOver(capture, report)) : 'full';
      let decoded = 0;
      if (kind !== 'full') {
        let last = 0;
        for (;;) {
          const state = ctx.guarded(() => h.readBack(capture, file, READ_BACK_BATCH));
          const p = ctx.guarded(() => h.readBackProgress(capture));
          decoded = p.decoded;
          total = p.frames;
          if (state === 'full') { kind = 'full'; break; }
          const now = performance.now();
          if (report && p.total > 0 && (now - last >= PROGRESS_INTERVAL_MS || state === 'done')) {
            last = now;
            ctx.emit('filterProgress', { id, readBack: true, read: p.read, total: p.total, frames: p.decoded });
          }
          if (state === 'done') break;
          // Let a filterCancel() message in between batches.
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (cancelled.has(id)) return { frames: new Uint32Array(0), cancelled: true };
        }
      }
      if (kind === 'full') {
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
        decoded = ctx.guarded(() => h.framesRead());
      }
      const frames = ctx.guarded(() => h.matches());
      const path = { kind, decoded, total: kind === 'full' ? decoded : total };
      if (!report) return { frames, cancelled: false, path };
      const conversations = {};
      for (const k of ['tcp', 'udp', 'ip']) conversations[k] = ctx.guarded(() => h.conversations(k));
      return { frames, conversations, cancelled: false, path };
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
     * conversations: { tcp, udp, ip } limited to the matching frames, path: { kind, decoded,
     * total } }, or { id, error: { message, position, length } } when the filter does not compile.
     * Progress events: 'filterProgress' { id, bytes, total, frames } while the File is read
     * whole, { id, readBack: true, read, total, frames } while frames are read back.
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
