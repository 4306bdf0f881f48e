// A virtualised, sortable, keyboard-navigable table: only the rows in view exist in the DOM.
// The caller supplies the row count and two callbacks (row attributes, cell text); cells are text
// nodes only. Layout: one scroll viewport holding a sticky header and a canvas as tall as all rows;
// rows are absolutely placed inside it (positions set through the CSSOM, which the CSP allows).
import { h, replaceChildren } from '../dom.js';
import { visibleRange } from '../state.js';
import { canvasHeight, scrollTopFor, virtualTop } from '../virtual_scroll.js';

/** Row height in px; must match --row-height in styles/table.css. */
export const ROW_HEIGHT = 22;
/** Header height in px (styles/table.css .vt-head). */
const HEADER_HEIGHT = 24;
/** Rows of height an almost empty table still has, and room for a horizontal scrollbar. */
const MIN_VISIBLE_ROWS = 3;
const SCROLLBAR_ALLOWANCE = 16;

/**
 * Creates a table. Options:
 *  - testid, rowTestid: data-testid of the table and of each row
 *  - columns: [{ key, label, numeric, rem, grow }]: a column is `rem` wide; with `grow` it also takes
 *    that share of the spare width. Widths never depend on content, so all rows line up.
 *  - rowAttrs(i) → dataset object for row i (in display order)
 *  - cellText(i, column) → string for the cell (may be '' while loading)
 *  - onSort(key) (optional): header clicked; onSelect(i) (optional): row chosen
 *  - onRange(first, end) (optional): the rendered range changed (to load rows on demand)
 *  - label: accessible name; maxHeight: the viewport's height in px when there are many rows
 */
export function createVirtualTable(options) {
  const { columns, rowAttrs, cellText, onSort, onSelect, onRange } = options;
  const maxHeight = options.maxHeight || 320;
  let count = 0;
  let selected = -1;
  let sortState = null;
  let frame = 0;
  let lastRange = { first: -1, end: -1 };
  // Past virtual_scroll.js's canvas cap a scroll position maps onto the whole list; a keyboard
  // move pins the exact offset it asked for while scrollTop stays where it put it.
  let pinned = null; // { scrollTop, top }

  const table = h('div', { class: 'vt', role: 'grid', 'aria-label': options.label || '', 'aria-rowcount': 0, dataset: { testid: options.testid, rows: 0 } });
  table.style.setProperty('--cols', columns.map((c) => (c.grow ? `minmax(${c.rem}rem, ${c.grow}fr)` : `${c.rem}rem`)).join(' '));
  table.style.setProperty('--min-width', `${columns.reduce((sum, c) => sum + c.rem, 0)}rem`);
  const header = h('div', { class: 'vt-head', role: 'row' });
  const canvas = h('div', { class: 'vt-canvas', role: 'rowgroup' });
  const viewport = h('div', { class: 'vt-viewport', tabindex: 0 }, header, canvas);
  const empty = h('div', { class: 'vt-empty', hidden: true }, options.emptyText || 'No rows');
  table.append(viewport, empty);

  function renderHeader() {
    replaceChildren(header, columns.map((col) => {
      const sorted = sortState && sortState.key === col.key ? sortState.dir : null;
      const attrs = { class: `vt-cell${col.numeric ? ' num' : ''}`, role: 'columnheader', 'aria-sort': sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : 'none' };
      if (!onSort) return h('div', attrs, col.label);
      return h('div', attrs, h('button', { type: 'button', class: 'vt-sort', title: `Sort by ${col.label}`, on: { click: () => onSort(col.key) } },
        col.label, h('span', { class: 'vt-arrow', 'aria-hidden': 'true' }, sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '')));
    }));
  }

  function render() {
    frame = 0;
    const height = viewport.clientHeight || 400;
    if (pinned && Math.abs(pinned.scrollTop - viewport.scrollTop) > 1) pinned = null;
    const top = pinned ? pinned.top : virtualTop(viewport.scrollTop, height, count, ROW_HEIGHT);
    const { first, end } = visibleRange(top, height, ROW_HEIGHT, count);
    const rows = [];
    for (let i = first; i < end; i++) {
      const row = h('div', { class: `vt-row${i === selected ? ' selected' : ''}${i % 2 ? ' odd' : ''}`, role: 'row', 'aria-rowindex': i + 2, 'aria-selected': i === selected ? 'true' : 'false', dataset: { testid: options.rowTestid, index: i, ...rowAttrs(i) } },
        columns.map((col) => {
          const text = cellText(i, col);
          // Long text cells show their whole value on hover (a text attribute, never markup).
          return h('div', { class: `vt-cell${col.numeric ? ' num' : ''}`, role: 'gridcell', title: col.grow && text ? text : null }, text);
        }));
      row.style.top = `${viewport.scrollTop + i * ROW_HEIGHT - top}px`;
      rows.push(row);
    }
    replaceChildren(canvas, rows);
    if (onRange && (first !== lastRange.first || end !== lastRange.end)) {
      lastRange = { first, end };
      onRange(first, end);
    }
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  function select(i, scroll = true) {
    if (count === 0) return;
    const next = Math.max(0, Math.min(count - 1, i));
    selected = next;
    if (scroll) scrollIntoView(next);
    render();
    if (onSelect) onSelect(next);
  }

  function scrollIntoView(i) {
    const top = i * ROW_HEIGHT;
    const headerHeight = header.offsetHeight || ROW_HEIGHT;
    const visible = viewport.clientHeight - headerHeight;
    const height = viewport.clientHeight || 400;
    const shown = pinned ? pinned.top : virtualTop(viewport.scrollTop, height, count, ROW_HEIGHT);
    let want = null;
    if (top < shown) want = top;
    else if (top + ROW_HEIGHT > shown + visible) want = top + ROW_HEIGHT - visible;
    if (want === null) return;
    viewport.scrollTop = scrollTopFor(want, height, count, ROW_HEIGHT);
    pinned = canvasHeight(count, ROW_HEIGHT) < count * ROW_HEIGHT ? { scrollTop: viewport.scrollTop, top: want } : null;
  }

  viewport.addEventListener('scroll', schedule, { passive: true });
  canvas.addEventListener('click', (e) => {
    const row = e.target.closest('.vt-row');
    if (row && onSelect) select(Number(row.dataset.index), false);
  });
  viewport.addEventListener('keydown', (e) => {
    if (!onSelect || count === 0) return;
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 2);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) select((selected < 0 ? -1 : selected) + moves[e.key]);
    else if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(count - 1);
    else return;
    e.preventDefault();
  });
  if (typeof ResizeObserver === 'function') new ResizeObserver(schedule).observe(viewport);
  renderHeader();

  return {
    element: table,
    /** Sets the row count (rows in the table as shown) and re-renders. */
    setCount(n, { keepScroll = false } = {}) {
      count = n;
      selected = -1;
      table.dataset.rows = String(n);
      table.setAttribute('aria-rowcount', String(n + 1));
      canvas.style.height = `${canvasHeight(n, ROW_HEIGHT)}px`;
      pinned = null;
      // Short tables shrink to their rows; long ones scroll inside maxHeight.
      const rowsHeight = HEADER_HEIGHT + Math.max(n, MIN_VISIBLE_ROWS) * ROW_HEIGHT + SCROLLBAR_ALLOWANCE;
      viewport.style.height = `${Math.min(maxHeight, rowsHeight)}px`;
      empty.hidden = n > 0;
      if (!keepScroll) viewport.scrollTop = 0;
      lastRange = { first: -1, end: -1 };
      render();
    },
    /** Shows the sort arrow on `key` ({key, dir} or null). */
    setSort(state) {
      sortState = state;
      renderHeader();
    },
    /** Re-renders the rows in view (their data arrived). */
    refresh: schedule,
    /** Selects row i (display order) as if the user chose it. */
    select,
    /** Moves keyboard focus into the table. */
    focus: () => viewport.focus(),
    get selected() { return selected; },
  };
}
