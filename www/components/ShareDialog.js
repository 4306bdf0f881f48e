// The share dialog: the page's URL with the view state in its fragment (url_state.js), and the same
// link without the display filter, since a filter may hold addresses or other values from the
// capture. Links carry view settings only, never packet bytes or payload.
import { h } from '../dom.js';

/** Creates the dialog for `urlState`; returns { element, open() }. */
export function createShareDialog(urlState) {
  const full = h('input', { type: 'text', readonly: true, class: 'share-link', dataset: { testid: 'share-link' }, 'aria-label': 'Link to this view' });
  const clean = h('input', { type: 'text', readonly: true, class: 'share-link', dataset: { testid: 'share-link-nofilter' }, 'aria-label': 'Link to this view without the display filter' });
  const status = h('p', { class: 'pane-hint', role: 'status', dataset: { testid: 'share-status' } });
  const filterNote = h('p', { class: 'share-warning', dataset: { testid: 'share-filter-warning' } },
    'A display filter may contain IP addresses, host names or other values from your capture. ',
    'Use the link without the filter when that matters.');
  const copy = (input) => async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      status.textContent = 'Copied.';
    } catch {
      input.focus();
      input.select();
      status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
    }
  };
  const closeButton = h('button', { type: 'button', class: 'btn', on: { click: () => element.close() } }, 'Close');
  const element = h('dialog', { class: 'share-dialog', dataset: { testid: 'share-dialog' }, 'aria-labelledby': 'share-title' },
    h('h2', { id: 'share-title' }, 'Share this view'),
    h('p', {}, 'The link holds view settings only: the capture file name, the open tab and view, stream numbers, the time range and the display filter. ',
      'It never holds packet bytes or payload, and nothing is uploaded: whoever opens it sees this view after opening the same capture file themselves.'),
    filterNote,
    h('label', { class: 'share-row' }, h('span', {}, 'Link'), full,
      h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'share-copy' }, on: { click: copy(full) } }, 'Copy')),
    h('label', { class: 'share-row' }, h('span', {}, 'Without filter'), clean,
      h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'share-copy-nofilter' }, on: { click: copy(clean) } }, 'Copy')),
    status,
    h('div', { class: 'share-actions' }, closeButton));

  return {
    element,
    /** Fills in the current links and shows the dialog (modal: focus stays inside until closed). */
    open() {
      full.value = urlState.link();
      clean.value = urlState.link({ withSensitive: false });
      element.dataset.hasFilter = urlState.hasSensitive() ? 'true' : 'false';
      filterNote.classList.toggle('strong', urlState.hasSensitive());
      status.textContent = '';
      if (!element.isConnected) document.body.append(element);
      element.showModal();
      full.focus();
      full.select();
    },
  };
}
