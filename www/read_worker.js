// The read worker: a nested worker that reads a File front to back in big slices and transfers each
// slice to its parent. Reading here, on its own thread, lets the parent's wasm index one chunk while
// the browser delivers the next (on one thread the two take turns: the read's completion waits for
// the wasm call to return). Flow control: at most `ahead` chunks are in flight; the parent returns a
// credit per chunk it takes, so memory stays bounded at (ahead + 1) × chunk size.
//
// Messages in:  {file, start, chunkBytes, ahead} once, then {credit: 1} per consumed chunk, {stop: true}.
// Messages out: {chunk: ArrayBuffer, offset} (transferred), {done: true}, {error: message}.

let credits = 0;
let stopped = false;
let wake = null;

self.onmessage = (e) => {
  const msg = e.data || {};
  if (msg.file) run(msg);
  else if (msg.credit) credits += msg.credit;
  else if (msg.stop) stopped = true;
  if (wake) {
    const w = wake;
    wake = null;
    w();
  }
};

async function run({ file, start = 0, chunkBytes, ahead = 2 }) {
  credits = Math.max(1, ahead);
  try {
    let offset = start;
    while (offset < file.size && !stopped) {
      while (credits <= 0 && !stopped) await new Promise((resolve) => { wake = resolve; });
      if (stopped) break;
      const end = Math.min(file.size, offset + chunkBytes);
      const chunk = await file.slice(offset, end).arrayBuffer();
      if (chunk.byteLength === 0) break;
      credits -= 1;
      const length = chunk.byteLength; // read before the transfer detaches the buffer
      self.postMessage({ chunk, offset }, [chunk]);
      offset += length;
    }
    self.postMessage({ done: true });
  } catch (err) {
    self.postMessage({ error: String((err && err.message) || err) });
  }
}
