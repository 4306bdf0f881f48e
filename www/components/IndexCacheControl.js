// "Cached indexes" in the top bar: lists the indexes saved in this browser's private storage
// (index_cache.js) with their file's name, size, date and the bytes they use, and forgets one or
// all. Where there is no private storage (file:// pages, private mode) it says why.
import { h, replaceChildren } from '../dom.js';
import { formatBytes, formatCount } from '../state.js';
import { forgetAllCached, forgetCached, listCached } from '../index_cache.js';

/** Creates the control; `element` goes in the top bar. The list is read each time it opens. */
export function createIndexCacheControl() {
  const body = h('div', { class: 'index-cache-body' }, 'Loading…');
  const element = h('details', { class: 'index-cache', dataset: { testid: 'index-cache' } },
    h('summary', { class: 'btn btn-quiet', title: 'Indexes kept in this browser so that reopening a file is instant' }, 'Cached indexes'),
    h('div', { class: 'index-cache-panel', role: 'region', 'aria-label': 'Cached indexes' }, body));
  element.addEventListener('toggle', () => {
    if (element.open) {
      refresh();
    } else {
      run++; // a list still being read is not shown any more
      delete element.dataset.available;
      replaceChildren(body, 'Loading…');
    }
  });

  let run = 0;
  async function refresh() {
    const mine = ++run;
    delete element.dataset.available;
    replaceChildren(body, 'Loading…');
    const { available, reason, entries } = await listCached().catch((err) => ({ available: false, reason: String(err.message || err), entries: [] }));
    if (mine !== run) return;
    element.dataset.available = String(available);
    if (!available) {
      replaceChildren(body, h('p', { class: 'index-cache-note', dataset: { testid: 'index-cache-unavailable' } }, `Cached indexes are ${reason}. Captures are indexed from the file each time.`));
      return;
    }
    if (!entries.length) {
      replaceChildren(body, h('p', { class: 'index-cache-note' }, 'No cached indexes. A capture read completely is cached here; opening the same file again restores it.'));
      return;
    }
    const total = entries.reduce((sum, e) => sum + e.bytes, 0);
    const forget = (fn) => async (event) => {
      event.currentTarget.disabled = true;
      try {
        await fn();
      } finally {
        refresh();
      }
    };
    replaceChildren(body,
      h('table', { class: 'index-cache-table' },
        h('thead', {}, h('tr', {}, ['File', 'Size', 'Packets', 'Cached', 'Uses', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, entries.map((e) => h('tr', { dataset: { testid: 'index-cache-row', id: e.id, name: e.name } },
          h('td', { class: 'index-cache-name', title: e.name }, e.name),
          h('td', {}, formatBytes(e.size)),
          h('td', {}, formatCount(e.frames)),
          h('td', {}, new Date(e.savedAt).toLocaleString()),
          h('td', { dataset: { bytes: e.bytes } }, formatBytes(e.bytes)),
          h('td', {}, h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Forget the cached index of ${e.name}`, on: { click: forget(() => forgetCached(e.id)) } }, 'Forget')))))),
      h('div', { class: 'index-cache-foot' },
        h('span', {}, `${formatCount(entries.length)} cached, ${formatBytes(total)}`),
        h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'index-cache-forget-all' }, on: { click: forget(forgetAllCached) } }, 'Forget all')));
  }

  return { element, refresh };
}
