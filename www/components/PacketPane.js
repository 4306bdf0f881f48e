// The whole-capture packet list (Wireshark's top pane) with the details tree and bytes pane of the
// selected packet. Virtualised over the displayed frame numbers (all frames, or a filter's
// matches): rows are decoded in the worker a page at a time as they scroll into view, and only
// rows in view exist in the DOM. Rows are painted with Wireshark's default colouring rules.
// Packets can be marked (Ctrl+M or the Mark button, as in Wireshark) for export; marks are kept
// across filters and shown as data-marked="true" rows.
import { h, replaceChildren } from '../dom.js';
import { createVirtualTable } from './VirtualTable.js';
import { createDetailsTree } from './DetailsTree.js';
import { createBytesPane } from './BytesPane.js';
import { formatCount, pagesFor } from '../state.js';
import { TIME_FORMATS, allFrames, colourClass, indexOfFrame, stepInStream, timeCell } from '../packet_view_state.js';

/** Rows decoded per worker call. */
export const PAGE_SIZE = 200;
/** Rows kept in memory before the cache is emptied (rows in view are fetched again). */
const MAX_CACHED_ROWS = 20000;

/** The packet list's columns (the Merged view adds its Capture column before them). */
export const PACKET_COLUMNS = [
  { key: 'number', label: 'No.', numeric: true, rem: 5.5 },
  { key: 'time', label: 'Time', numeric: true, rem: 11 },
  { key: 'source', label: 'Source', rem: 10, grow: 1 },
  { key: 'destination', label: 'Destination', rem: 10, grow: 1 },
  { key: 'protocol', label: 'Protocol', rem: 6 },
  { key: 'length', label: 'Length', numeric: true, rem: 5 },
  { key: 'info', label: 'Info', rem: 24, grow: 4 },
];

/**
 * Mounts the pane for a capture of `frameCount` frames. Options: rpc (the capture's worker),
 * firstTsNs, onFollow(proto, stream), onApplyFilter(expression), onError(err),
 * onSelectFrame(frame or null) (the selected packet changed), onMarks(count) (marks changed).
 */
export function createPacketPane({ rpc, frameCount, firstTsNs, onFollow, onApplyFilter, onError, onSelectFrame, onMarks }) {
  let frames = allFrames(frameCount);
  let version = 0;
  const rows = new Map(); // frame → row
  const loading = new Set(); // `${version}:${page}`
  let badTcp = new Uint32Array(0);
  let timeFormat = 'relative';
  let zone = 'utc';
  let selectedFrame = null;
  let detailsToken = 0;
  let detailsShown = Promise.resolve(); // settles when the selected packet's details are shown
  const marked = new Set(); // marked frame numbers
  const streamFrames = new Map(); // `${kind}:${stream}` → promise of Uint32Array

  const table = createVirtualTable({
    testid: 'packet-list',
    rowTestid: 'packet-row',
    label: 'Packets',
    maxHeight: 360,
    emptyText: 'No packets match the filter',
    columns: PACKET_COLUMNS,
    rowAttrs: (i) => {
      const frame = frames[i];
      const row = rows.get(frame);
      const colour = indexOfFrame(badTcp, frame) >= 0 ? 'bad-tcp' : row ? colourClass(row.colour) : '';
      return { frame, colour: colour || null, marked: marked.has(frame) ? 'true' : null };
    },
    cellText: (i, col) => {
      const frame = frames[i];
      if (col.key === 'number') return String(frame);
      const row = rows.get(frame);
      if (!row) return col.key === 'info' ? '…' : '';
      if (col.key === 'time') {
        const previousShown = i === 0 ? null : rows.get(frames[i - 1]);
        return timeCell(row, timeFormat, { zone, firstNs: firstTsNs, previousShown });
      }
      return row[col.key] === null || row[col.key] === undefined ? '' : String(row[col.key]);
    },
    onSelect: (i) => showDetails(frames[i]),
    onRange: (first, end) => {
      for (const p of pagesFor(Math.max(0, first - 1), end, PAGE_SIZE)) loadPage(p);
    },
  });
  table.element.dataset.filtered = 'false';

  function loadPage(p) {
    const key = `${version}:${p}`;
    if (loading.has(key)) return;
    const slice = frames.subarray(p * PAGE_SIZE, Math.min(frames.length, (p + 1) * PAGE_SIZE));
    const missing = Array.from(slice).filter((f) => !rows.has(f));
    if (missing.length === 0) return;
    loading.add(key);
    if (rows.size > MAX_CACHED_ROWS) rows.clear();
    rpc.call('packetRows', [missing]).then((list) => {
      loading.delete(key);
      for (const r of list) rows.set(r.number, r);
      table.refresh();
    }, (err) => {
      loading.delete(key);
      if (onError) onError(err);
    });
  }

  // Toolbar: time format and zone, go to packet, previous/next packet of the same stream.
  const timeSelect = h('select', { 'aria-label': 'Time display format', dataset: { testid: 'time-format' }, on: { change: () => { timeFormat = timeSelect.value; table.refresh(); } } },
    TIME_FORMATS.map((f) => h('option', { value: f.key }, f.label)));
  const zoneSelect = h('select', { 'aria-label': 'Time zone', dataset: { testid: 'time-zone' }, on: { change: () => { zone = zoneSelect.value; table.refresh(); } } },
    h('option', { value: 'utc' }, 'UTC'), h('option', { value: 'local' }, 'Local time'));
  const gotoInput = h('input', { type: 'number', min: 1, class: 'goto-input', placeholder: 'Packet', 'aria-label': 'Go to packet number', dataset: { testid: 'goto-input' } });
  const gotoButton = h('button', { type: 'button', class: 'btn btn-small', on: { click: () => goto(Number(gotoInput.value)) } }, 'Go');
  gotoInput.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); goto(Number(gotoInput.value)); } });
  const prevButton = h('button', { type: 'button', class: 'btn btn-small', title: 'Previous packet in this conversation', dataset: { testid: 'stream-prev' }, disabled: true, on: { click: () => step(-1) } }, '◀ Stream');
  const nextButton = h('button', { type: 'button', class: 'btn btn-small', title: 'Next packet in this conversation', dataset: { testid: 'stream-next' }, disabled: true, on: { click: () => step(1) } }, 'Stream ▶');
  const notice = h('span', { class: 'pane-hint', role: 'status', dataset: { testid: 'packet-notice' } });
  const count = h('span', { class: 'pane-hint', dataset: { testid: 'packet-count' } });
  const markButton = h('button', { type: 'button', class: 'btn btn-small', title: 'Mark or unmark the selected packet (Ctrl+M)', 'aria-keyshortcuts': 'Control+M', dataset: { testid: 'mark-button' }, disabled: true, on: { click: () => toggleMark() } }, 'Mark');
  const unmarkAllButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', title: 'Unmark every packet', dataset: { testid: 'unmark-all' }, hidden: true, on: { click: () => clearMarks() } }, 'Unmark all');
  const markCount = h('span', { class: 'pane-hint', dataset: { testid: 'marked-count' } });
  const toolbar = h('div', { class: 'packet-toolbar' },
    h('label', {}, 'Time ', timeSelect), zoneSelect,
    h('span', { class: 'goto' }, gotoInput, gotoButton), prevButton, nextButton, markButton, unmarkAllButton, markCount, notice, h('span', { class: 'spacer' }), count);
  // Ctrl+M (Cmd+M on macOS) marks the selected packet, as in Wireshark.
  table.element.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && (e.key === 'm' || e.key === 'M')) {
      e.preventDefault();
      toggleMark();
    }
  });

  function marksChanged() {
    markCount.textContent = marked.size ? `Marked: ${formatCount(marked.size)}` : '';
    unmarkAllButton.hidden = marked.size === 0;
    markButton.textContent = selectedFrame !== null && marked.has(selectedFrame) ? 'Unmark' : 'Mark';
    table.refresh();
    if (onMarks) onMarks(marked.size);
  }

  /** Marks the selected packet, or unmarks it when it is marked. */
  function toggleMark() {
    if (selectedFrame === null) return;
    if (marked.has(selectedFrame)) marked.delete(selectedFrame);
    else marked.add(selectedFrame);
    marksChanged();
  }

  function clearMarks() {
    marked.clear();
    marksChanged();
  }

  const bytes = createBytesPane();
  const details = createDetailsTree({
    onSelect: (node) => bytes.mark(node ? node.offset : 0, node ? node.length : 0),
    onApplyFilter: (expr) => onApplyFilter(expr),
    onFollow: () => {
      const s = streamOf(selectedFrame);
      if (s) onFollow(s.kind, s.stream);
    },
  });
  const lower = h('div', { class: 'packet-lower' }, details.element, bytes.element);
  const element = h('div', { class: 'packet-pane', dataset: { testid: 'packet-pane' } }, toolbar, table.element, lower);

  function streamOf(frame) {
    const row = frame === null ? null : rows.get(frame);
    if (!row) return null;
    if (row.tcp_stream !== null && row.tcp_stream !== undefined) return { kind: 'tcp', stream: row.tcp_stream };
    if (row.udp_stream !== null && row.udp_stream !== undefined) return { kind: 'udp', stream: row.udp_stream };
    return null;
  }

  function showDetails(frame) {
    selectedFrame = frame;
    element.dataset.selected = String(frame);
    markButton.disabled = false;
    markButton.textContent = marked.has(frame) ? 'Unmark' : 'Mark';
    if (onSelectFrame) onSelectFrame(frame);
    const token = ++detailsToken;
    detailsShown = rpc.call('frameDetails', [frame]).then((d) => {
      if (token !== detailsToken) return;
      if (!d) { details.clear(); bytes.clear(); return; }
      const s = streamOf(frame);
      details.show(d, Boolean(s));
      bytes.show(d.bytes);
      prevButton.disabled = nextButton.disabled = !s;
    }, (err) => { if (onError) onError(err); });
    // The row may not be loaded yet when selected by keyboard far away; stream buttons follow.
    const s = streamOf(frame);
    prevButton.disabled = nextButton.disabled = !s;
  }

  /** Selects packet `frame`; resolves when its details are shown (at once when not displayed). */
  function goto(frame) {
    notice.textContent = '';
    if (!Number.isInteger(frame) || frame < 1) return Promise.resolve();
    const i = indexOfFrame(frames, frame);
    if (i < 0) {
      notice.textContent = frame > frameCount ? `There is no packet ${frame}.` : `Packet ${frame} is not displayed.`;
      return Promise.resolve();
    }
    table.select(i);
    return detailsShown;
  }

  async function step(dir) {
    const s = streamOf(selectedFrame);
    if (!s) return;
    const key = `${s.kind}:${s.stream}`;
    if (!streamFrames.has(key)) streamFrames.set(key, rpc.call('framesOfStream', [s.kind, s.stream]));
    try {
      const list = await streamFrames.get(key);
      const target = stepInStream(list, frames, selectedFrame, dir);
      if (target === null) notice.textContent = dir > 0 ? 'No later packet of this stream is displayed.' : 'No earlier packet of this stream is displayed.';
      else { notice.textContent = ''; goto(target); }
    } catch (err) {
      if (onError) onError(err);
    }
  }

  function setFrames(next) {
    frames = next || allFrames(frameCount);
    version++;
    table.element.dataset.filtered = next ? 'true' : 'false';
    replaceChildren(count, next ? `Displayed: ${formatCount(frames.length)} of ${formatCount(frameCount)}` : `${formatCount(frameCount)} packets`);
    table.setCount(frames.length);
    // Keep the selected packet when it is still displayed.
    const i = selectedFrame === null ? -1 : indexOfFrame(frames, selectedFrame);
    if (i >= 0) table.select(i);
    else {
      selectedFrame = null;
      details.clear(); bytes.clear(); prevButton.disabled = nextButton.disabled = true;
      markButton.disabled = true;
      if (onSelectFrame) onSelectFrame(null);
    }
  }

  // Bad TCP needs the TCP analysis of the whole capture: one background pass in the worker.
  rpc.call('badTcpFrames').then((list) => { badTcp = list; table.refresh(); }, () => {});

  setFrames(null);
  return {
    element,
    /** Shows `frames` (ascending Uint32Array) or, with null, every frame. */
    setFrames,
    /** Selects packet `frame` if displayed; resolves when its details are shown. */
    goto,
    /** The selected packet's frame number, or null. */
    get selectedFrame() { return selectedFrame; },
    /** Marked frame numbers, ascending. */
    markedFrames: () => [...marked].sort((a, b) => a - b),
    /** The displayed frame numbers (ascending Uint32Array). */
    displayedFrames: () => frames,
    /** Re-renders rows in view (after the element moved back into the page). */
    refresh: () => table.refresh(),
    /** Keyboard focus into the list. */
    focus: () => table.focus(),
  };
}
