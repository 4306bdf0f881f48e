// The conversation table of one capture (TCP, UDP or IP rows, Wireshark's Conversations columns):
// sortable by any column, virtualised, selecting a row asks for its packets.
import { createVirtualTable } from './VirtualTable.js';
import { conversationColumns, sortConversations, formatCount, formatSeconds } from '../state.js';

/** Column widths in rem; addresses take the spare width. */
const WIDTHS = {
  stream: [5.5], addr_a: [11, 1], port_a: [5], addr_b: [11, 1], port_b: [5], frames: [6.5], bytes: [7.5],
  frames_a_to_b: [8], bytes_a_to_b: [8], frames_b_to_a: [8], bytes_b_to_a: [8], rel_start: [7.5], duration: [7.5],
};

/**
 * Mounts a table for `kind`. `onSelect(row, tableIndex)` receives the conversation object and its
 * index in the table's own order (what framesOfStream needs for ip rows).
 */
export function createConversationTable(kind, rows, { onSelect, onSort }) {
  const columns = conversationColumns(kind).map((c) => ({ ...c, rem: WIDTHS[c.key][0], grow: WIDTHS[c.key][1] }));
  let order = sortConversations(rows, kind, null);

  const table = createVirtualTable({
    testid: 'conv-table',
    rowTestid: 'conv-row',
    label: `${kind.toUpperCase()} conversations`,
    emptyText: `No ${kind.toUpperCase()} conversations in this capture`,
    columns,
    rowAttrs: (i) => (kind === 'ip' ? {} : { stream: order[i].row.stream }),
    cellText: (i, col) => cellText(order[i].row, col),
    onSort,
    onSelect: (i) => onSelect(order[i].row, order[i].index),
  });
  table.element.dataset.kind = kind;
  table.setCount(order.length);

  return {
    element: table.element,
    kind,
    /** Applies a sort ({key, dir} or null); keeps the row count. */
    sort(state) {
      order = sortConversations(rows, kind, state);
      table.setSort(state);
      table.setCount(order.length, { keepScroll: true });
    },
    /** Selects the display row i. */
    select: (i) => table.select(i),
    /** Selects (and scrolls to) the first row for which pred(row, tableIndex) holds; false if none. */
    selectRow(pred) {
      const i = order.findIndex((o) => pred(o.row, o.index));
      if (i >= 0) table.select(i);
      return i >= 0;
    },
    focus: () => table.focus(),
  };
}

function cellText(row, col) {
  const v = row[col.key];
  if (v === null || v === undefined) return '';
  if (col.key === 'rel_start' || col.key === 'duration') return formatSeconds(v, 6);
  if (col.key === 'stream' || col.key.startsWith('port')) return String(v);
  if (col.numeric) return formatCount(v);
  return String(v);
}
