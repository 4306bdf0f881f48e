// The conversation table of one capture (TCP, UDP or IP rows, Wireshark's Conversations columns):
// sortable by any column, virtualised, selecting a row asks for its packets.
import { createVirtualTable } from './VirtualTable.js';
import { conversationColumns, sortConversations, formatCount, formatSeconds } from '../state.js';

const WIDTHS = {
  stream: '4.5rem', addr_a: 'minmax(9rem, 1.6fr)', port_a: '4.5rem', addr_b: 'minmax(9rem, 1.6fr)', port_b: '4.5rem',
  frames: '5.5rem', bytes: '7rem', frames_a_to_b: '6.5rem', bytes_a_to_b: '7.5rem', frames_b_to_a: '6.5rem',
  bytes_b_to_a: '7.5rem', rel_start: '7.5rem', duration: '7.5rem',
};

/**
 * Mounts a table for `kind`. `onSelect(row, tableIndex)` receives the conversation object and its
 * index in the table's own order (what framesOfStream needs for ip rows).
 */
export function createConversationTable(kind, rows, { onSelect, onSort }) {
  const columns = conversationColumns(kind).map((c) => ({ ...c, width: WIDTHS[c.key] }));
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
