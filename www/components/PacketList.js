// The packets of the selected conversation (No., Time, Source, Destination, Protocol, Length, Info).
// Virtualised over the frame numbers; the rows themselves are decoded in the worker on demand, a
// page at a time, as they scroll into view.
import { createVirtualTable } from './VirtualTable.js';
import { formatRelativeTime, pagesFor } from '../state.js';

/** Rows decoded per worker call. */
export const PAGE_SIZE = 200;

const COLUMNS = [
  { key: 'number', label: 'No.', numeric: true, rem: 5.5 },
  { key: 'time', label: 'Time', numeric: true, rem: 8 },
  { key: 'source', label: 'Source', rem: 10, grow: 1 },
  { key: 'destination', label: 'Destination', rem: 10, grow: 1 },
  { key: 'protocol', label: 'Protocol', rem: 6 },
  { key: 'length', label: 'Length', numeric: true, rem: 5 },
  { key: 'info', label: 'Info', rem: 24, grow: 4 },
];

/**
 * Mounts a list for `frames` (Uint32Array of frame numbers). `loadRows(frameNumbers)` returns a
 * promise of PacketRow objects; `firstTsNs` is the capture's first timestamp (Time column origin).
 */
export function createPacketList(initialFrames, { loadRows, firstTsNs, onError, label }) {
  let frames = initialFrames;
  const pages = new Map(); // page number → array of rows (or null while loading)
  const loading = new Map(); // page number → token of its newest load
  let loads = 0;
  const table = createVirtualTable({
    testid: 'packet-list',
    rowTestid: 'packet-row',
    label: label || 'Packets of the selected conversation',
    maxHeight: 400,
    emptyText: 'No packets',
    columns: COLUMNS,
    rowAttrs: (i) => ({ frame: frames[i] }),
    cellText: (i, col) => {
      const row = rowAt(i);
      if (col.key === 'number') return String(frames[i]);
      if (!row) return col.key === 'info' ? '…' : '';
      if (col.key === 'time') return formatRelativeTime(row.ts_ns, firstTsNs);
      return row[col.key] === null || row[col.key] === undefined ? '' : String(row[col.key]);
    },
    onRange: (first, end) => {
      for (const p of pagesFor(first, end, PAGE_SIZE)) if (!pages.has(p)) loadPage(p);
    },
  });

  function rowAt(i) {
    const page = pages.get(Math.floor(i / PAGE_SIZE));
    if (!page) return null;
    const frame = frames[i];
    return page.get(frame) || null;
  }

  function loadPage(p) {
    const token = ++loads;
    pages.set(p, null);
    loading.set(p, token);
    const slice = Array.from(frames.subarray(p * PAGE_SIZE, Math.min(frames.length, (p + 1) * PAGE_SIZE)));
    loadRows(slice).then((rows) => {
      // A page asked for again since (the list grew) keeps the newer answer.
      if (loading.get(p) !== token) return;
      loading.delete(p);
      pages.set(p, new Map(rows.map((r) => [r.number, r])));
      table.refresh();
    }, (err) => {
      if (loading.get(p) !== token) return;
      loading.delete(p);
      pages.delete(p);
      if (onError) onError(err);
    });
  }

  table.setCount(frames.length);
  return {
    element: table.element,
    /**
     * Shows `next`, which extends the current frames (the list of a capture still being indexed):
     * loaded pages stay, the last partial one is read again, the scroll position is kept.
     */
    grow(next) {
      const partial = Math.floor(frames.length / PAGE_SIZE);
      frames = next;
      pages.delete(partial);
      loading.delete(partial);
      table.setCount(frames.length, { keepScroll: true });
    },
  };
}
