// A plain sortable table for the Match view's result tables (matches, unmatched streams, missing
// SYNs, lost packets), with a CSV download of all its rows. Every row is a real DOM row (the test
// hooks count them), up to MAX_ROWS; beyond that the table says how many are not shown and the CSV
// still has them all. Cells are text nodes only.
import { h, replaceChildren } from '../dom.js';
import { cellText, nextSort, sortRows, toCsv } from '../match_state.js';
import { formatCount } from '../state.js';

/** Rows put in the DOM at most (the CSV has every row). */
export const MAX_ROWS = 5000;

/** Offers `text` as a file download (a Blob URL, revoked afterwards). */
export function downloadText(text, fileName, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Creates a table. Options: title, testid, rowTestid, columns (see match_state.js), csvName,
 * emptyText, rowAttrs(row) → dataset, onSelect(row) (optional: rows become clickable),
 * cellClass(row, column) → extra class name of a cell or null (optional).
 * Returns { element, setRows(rows) }.
 */
export function createDataTable({ title, testid, rowTestid, columns, csvName, emptyText, rowAttrs, onSelect, cellClass }) {
  let rows = [];
  let sort = null;
  let selected = null;

  const count = h('span', { class: 'pane-hint' });
  const csvButton = h('button', {
    type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'csv-export', table: testid },
    title: `Download this table as CSV (${csvName})`, on: { click: () => downloadText(toCsv(columns, sorted()), csvName) },
  }, 'CSV');
  const head = h('thead');
  const body = h('tbody');
  const note = h('div', { class: 'pane-hint', hidden: true });
  const empty = h('div', { class: 'vt-empty', hidden: true }, emptyText || 'No rows');
  const element = h('div', { class: 'pane match-pane', dataset: { testid } },
    h('div', { class: 'pane-head' }, h('h3', {}, title), count, h('span', { class: 'spacer' }), csvButton),
    h('div', { class: 'dt-scroll' }, h('table', { class: `dt${onSelect ? ' dt-select' : ''}` }, head, body)),
    note, empty);

  const sorted = () => sortRows(rows, columns, sort);

  function renderHead() {
    replaceChildren(head, h('tr', {}, columns.map((c) => {
      const dir = sort && sort.key === c.key ? sort.dir : null;
      return h('th', { class: c.numeric ? 'num' : null, 'aria-sort': dir ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' },
        h('button', { type: 'button', class: 'vt-sort', title: `Sort by ${c.label}`, on: { click: () => { sort = nextSort(sort, c.key); render(); } } },
          c.label, h('span', { class: 'vt-arrow', 'aria-hidden': 'true' }, dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '')));
    })));
  }

  function render() {
    renderHead();
    const all = sorted();
    const shown = all.slice(0, MAX_ROWS);
    replaceChildren(body, shown.map((row) => {
      const tr = h('tr', {
        class: row === selected ? 'selected' : null,
        tabindex: onSelect ? 0 : null,
        dataset: { testid: rowTestid, ...(rowAttrs ? rowAttrs(row) : {}) },
      }, columns.map((c) => {
        const text = cellText(row, c);
        const extra = cellClass ? cellClass(row, c) : null;
        const cls = [c.numeric ? 'num' : null, extra].filter(Boolean).join(' ') || null;
        return h('td', { class: cls, title: text.length > 24 ? text : null, dataset: extra ? { col: c.key } : undefined }, text);
      }));
      if (onSelect) {
        const choose = () => {
          selected = row;
          for (const other of body.children) other.classList.toggle('selected', other === tr);
          onSelect(row);
        };
        tr.addEventListener('click', choose);
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); } });
      }
      return tr;
    }));
    count.textContent = formatCount(all.length);
    element.dataset.rows = String(all.length);
    note.hidden = all.length <= MAX_ROWS;
    note.textContent = note.hidden ? '' : `Showing the first ${formatCount(MAX_ROWS)} of ${formatCount(all.length)} rows; the CSV has all of them.`;
    empty.hidden = all.length > 0;
  }

  render();
  return {
    element,
    /** Replaces the rows (keeps the sort). */
    setRows(next) {
      rows = Array.isArray(next) ? next : [];
      selected = null;
      render();
    },
  };
}
