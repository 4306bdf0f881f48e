// Indexing progress of one capture: a bar, bytes/packets and rates, and the Cancel button.
import { h, replaceChildren } from '../dom.js';
import { formatBytes, formatCount, formatRate, fractionDone, rates } from '../state.js';

/** Mounts the progress row; `onCancel` is called when the user cancels. */
export function createProgressBar(size, { onCancel }) {
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Indexing progress' });
  const text = h('span', { class: 'progress-text', 'aria-live': 'polite' }, 'Starting…');
  const cancel = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => { cancel.disabled = true; cancel.textContent = 'Cancelling…'; onCancel(); } } }, 'Cancel');
  const element = h('div', { class: 'progress', dataset: { testid: 'progress', state: 'indexing' } }, bar, text, cancel);

  return {
    element,
    /** Shows a progress snapshot ({bytes read, frames, elapsedMs, wasmBytes}). */
    update(progress) {
      bar.value = fractionDone(progress.bytes, size);
      element.dataset.frames = String(progress.frames);
      // The indexer's memory (wasm linear memory), for the benchmark and the curious.
      if (progress.wasmBytes) element.dataset.wasmBytes = String(progress.wasmBytes);
      const r = rates(progress);
      replaceChildren(text,
        `${formatBytes(progress.bytes)} of ${formatBytes(size)} · ${formatCount(progress.frames)} packets · `,
        `${formatRate(r.packetsPerSec, 'packets')} · ${formatRate(r.bytesPerSec, 'B')}`);
    },
    /** Indexing ended: `how` is done | cancelled | damaged | failed; `source` "cache" when restored. */
    end(how, progress, source = 'file') {
      element.dataset.state = how;
      element.dataset.frames = String(progress.frames);
      if (progress.wasmBytes) element.dataset.wasmBytes = String(progress.wasmBytes);
      cancel.hidden = true;
      const r = rates(progress);
      const secs = (progress.elapsedMs / 1000).toFixed(3);
      const verb = { done: 'Indexed', cancelled: 'Cancelled after', damaged: 'Stopped at damage after', failed: 'Failed after' }[how] || 'Indexed';
      if (how === 'done') bar.value = 1;
      element.dataset.source = source;
      if (source === 'cache') {
        replaceChildren(text, `Restored ${formatCount(progress.frames)} packets from cache in ${secs} s`);
        return;
      }
      replaceChildren(text, `${verb} ${formatCount(progress.frames)} packets in ${secs} s`,
        progress.elapsedMs > 0 ? ` (${formatRate(r.packetsPerSec, 'packets')}, ${formatRate(r.bytesPerSec, 'B')})` : '');
    },
  };
}
