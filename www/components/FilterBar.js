// The display-filter bar: a text field (Enter applies), Apply / Clear, a progress line with Cancel
// while the worker filters the capture, and Wireshark's red bar with the error's position when
// the filter does not compile. Next to the status, which path the worker took: the index alone,
// a pre-selection that decoded some frames, or every frame decoded.
import { h, replaceChildren } from '../dom.js';
import { formatBytes, formatCount, fractionDone } from '../state.js';

/**
 * Mounts the bar. `onApply(text)` returns a promise of { error } | { frames, cancelled } | null
 * (null: superseded); `onCancel()` stops a running filter.
 */
export function createFilterBar({ onApply, onCancel }) {
  const input = h('input', {
    type: 'text', class: 'filter-input', spellcheck: 'false', autocomplete: 'off',
    placeholder: 'Apply a display filter … (Enter)', 'aria-label': 'Display filter',
    dataset: { testid: 'filter-input' },
  });
  const apply = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => run() } }, 'Apply');
  const clear = h('button', { type: 'button', class: 'btn btn-small btn-quiet', title: 'Clear the filter', on: { click: () => { input.value = ''; run(); } } }, 'Clear');
  const bar = h('progress', { max: 1, value: 0, 'aria-label': 'Filtering progress' });
  const progressText = h('span', { class: 'progress-text', 'aria-live': 'polite' });
  const cancel = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'filter-cancel' }, on: { click: () => onCancel() } }, 'Cancel');
  const progress = h('div', { class: 'filter-progress', dataset: { testid: 'filter-progress' }, hidden: true }, bar, progressText, cancel);
  const error = h('div', { class: 'filter-error', role: 'alert', dataset: { testid: 'filter-error' }, hidden: true });
  const status = h('span', { class: 'filter-status', dataset: { testid: 'filter-status' } });
  const pathNote = h('small', { class: 'filter-path', dataset: { testid: 'filter-path' } });
  const element = h('div', { class: 'filter-bar', dataset: { testid: 'filter-bar', state: 'idle' } },
    h('div', { class: 'filter-row' }, input, apply, clear, status, pathNote), progress, error);

  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { e.preventDefault(); run(); }
  });
  input.addEventListener('input', () => {
    input.classList.remove('invalid');
    error.hidden = true;
  });

  function showError(problem, text) {
    input.classList.add('invalid');
    element.dataset.state = 'error';
    error.dataset.position = String(problem.position);
    error.dataset.length = String(problem.length);
    // The filter with the offending characters marked, then the message.
    const chars = [...text];
    const start = Math.min(problem.position, chars.length);
    const end = Math.min(chars.length, start + Math.max(problem.length, 0));
    replaceChildren(error,
      h('span', { class: 'filter-error-message' }, problem.message),
      h('code', { class: 'filter-error-text' },
        chars.slice(0, start).join(''),
        h('mark', {}, end > start ? chars.slice(start, end).join('') : ' '),
        chars.slice(end).join('')),
      h('span', { class: 'filter-error-where' }, ` (at character ${problem.position})`));
    error.hidden = false;
  }

  async function run() {
    const text = input.value.trim();
    error.hidden = true;
    input.classList.remove('invalid');
    element.dataset.state = 'running';
    element.dataset.filter = text;
    progress.hidden = !text;
    replaceChildren(pathNote, '');
    delete pathNote.dataset.path;
    bar.value = 0;
    replaceChildren(progressText, 'Filtering…');
    let result;
    try {
      result = await onApply(text);
    } catch (err) {
      result = { error: { message: err.message, position: 0, length: 0 } };
    }
    if (result === null) return; // a newer run took over
    progress.hidden = true;
    if (result.error) {
      showError(result.error, text);
      return;
    }
    element.dataset.state = result.cancelled ? 'cancelled' : 'done';
    if (result.cancelled) replaceChildren(status, 'Filtering cancelled: showing all packets');
    else replaceChildren(status, text ? `Displayed: ${formatCount(result.frames.length)}` : '');
    if (text && !result.cancelled && result.path) showPath(result.path);
  }

  /** Says which path answered the filter ({ kind, decoded, total } from the worker). */
  function showPath(path) {
    pathNote.dataset.path = path.kind;
    let note;
    if (path.kind === 'index') {
      note = path.decoded > 0
        ? `index only · ${formatCount(path.decoded)} frames decoded for the conversation tables`
        : 'index only';
      pathNote.title = 'The packet index answered this filter: no frame was decoded to select frames.';
    } else if (path.kind === 'preselect') {
      note = `decoded ${formatCount(path.decoded)} of ${formatCount(path.total)} frames`;
      pathNote.title = 'The packet index selected the candidate frames; only those were read back and decoded.';
    } else {
      note = `decoded all ${formatCount(path.decoded)} frames`;
      pathNote.title = 'This filter needed every frame decoded in file order.';
    }
    replaceChildren(pathNote, note);
  }

  return {
    element,
    /** Shows a progress event { bytes, total, frames } or { readBack, read, total, frames }. */
    progress(p) {
      if (p.readBack) {
        bar.value = p.total > 0 ? p.read / p.total : 0;
        replaceChildren(progressText, `Reading back: ${formatCount(p.read)} of ${formatCount(p.total)} frames`);
        return;
      }
      bar.value = fractionDone(p.bytes, p.total);
      replaceChildren(progressText, `Filtering: ${formatBytes(p.bytes)} of ${formatBytes(p.total)} · ${formatCount(p.frames)} packets`);
    },
    /** Puts `text` in the field and applies it (apply as filter). */
    set(text) {
      input.value = text;
      run();
    },
    /** Moves keyboard focus to the field. */
    focus: () => input.focus(),
  };
}
