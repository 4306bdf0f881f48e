// The Merged view: every packet of the open captures in one time-ordered list (Capture, No., Time,
// Source, Destination, Protocol, Length, Info), in the order `tracematch merge` writes them
// (mergecap's: the earliest next packet first; of equal times, the later capture's first).
//
// Each capture's worker gives its packets' timestamps (8 bytes per packet, transferred here); a
// worker started for the merge alone orders them with the core's merge (src/web/merge_methods.rs)
// and is retired at once, so the merge's wasm memory goes with it. The view keeps the order only:
// 8 bytes per merged packet (capture, frame number). Merging waits until no capture is still
// indexing, and more than MAX_MERGED_PACKETS packets in all are not merged (a message says so).
// Rows are the captures' own packet-list rows (packetRows in each capture's worker), read a page
// at a time as they scroll into view; the list is a VirtualTable. Choosing a row selects that packet
// in its capture's packet list (a click or Enter also scrolls to it). Capture-derived text goes in
// as text only (VirtualTable cells, dom.js).
import { h, replaceChildren } from '../dom.js';
import { rpcClient } from '../rpc.js';
import { createWorker } from '../platform.js';
import { retireWorker } from '../worker-supervisor.js';
import { formatCount, pagesFor } from '../state.js';
import { firstMergedNs, mergePlan } from '../merged_state.js';
import { colourClass, timeCell } from '../packet_view_state.js';
import { createVirtualTable } from './VirtualTable.js';
import { PACKET_COLUMNS } from './PacketPane.js';

/**
 * Most packets (all captures together) the view merges: the order then takes 160 MB here, and the
 * merge worker briefly about four times that (timestamps in JavaScript and in wasm, the merge's
 * result and its copy out).
 */
export const MAX_MERGED_PACKETS = 20000000;
/** Merged rows read per page (one packetRows call per capture in the page). */
export const PAGE_SIZE = 200;
/** Rows kept in memory before the cache is emptied (rows in view are fetched again). */
const MAX_CACHED_ROWS = 20000;
/** Distinct capture colours (styles/merged.css); capture i has colour i mod COLOURS. */
const COLOURS = 8;

const COLUMNS = [{ key: 'capture', label: 'Capture', rem: 9, grow: 1 }, ...PACKET_COLUMNS];

const TIME_FORMATS = [
  { key: 'relative', label: 'Seconds since the first merged packet' },
  { key: 'absolute', label: 'Date and time of day' },
];

/**
 * Creates the view. `getCaptures()` returns the open captures in the order they were opened
 * ({ file, rpc, summary, status, element, selectPacket(frame, { scroll }) }: CaptureView.js).
 * Returns { element, refresh() }: refresh after a capture opened, closed or finished indexing.
 */
export function createMergedView({ getCaptures, onClose }) {
  let merged = []; // the captures of the shown order, in their order
  let order = new Uint32Array(0); // pairs [input, frame], input indexing `merged`
  let firstNs = null; // timestamp of the first merged packet (BigInt)
  let version = 0; // bumped by every new merge (stale answers are dropped)
  let pending = null; // the captures (in order) of the merge under way
  let rows = []; // per input: Map frame → packet row
  let cached = 0;
  const loading = new Set(); // `${version}:${page}`
  let timeFormat = 'relative';
  let zone = 'utc';
  let clicked = false; // the row being selected was clicked (see the listeners below)

  const status = h('span', { class: 'pane-hint', role: 'status', dataset: { testid: 'merged-status' } });
  const legend = h('span', { class: 'merged-legend', dataset: { testid: 'merged-legend' } });
  const timeSelect = h('select', { 'aria-label': 'Time display format', dataset: { testid: 'merged-time-format' }, on: { change: () => { timeFormat = timeSelect.value; table.refresh(); } } },
    TIME_FORMATS.map((f) => h('option', { value: f.key }, f.label)));
  const zoneSelect = h('select', { 'aria-label': 'Time zone', on: { change: () => { zone = zoneSelect.value; table.refresh(); } } },
    h('option', { value: 'utc' }, 'UTC'), h('option', { value: 'local' }, 'Local time'));
  const closeButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', title: 'Close the Merged view', on: { click: () => onClose && onClose() } }, 'Close');

  const table = createVirtualTable({
    testid: 'merged-list',
    rowTestid: 'merged-row',
    label: 'Packets of all open captures in time order',
    maxHeight: 400,
    emptyText: 'No packets',
    columns: COLUMNS,
    rowAttrs: (i) => {
      const input = order[2 * i], frame = order[2 * i + 1];
      const row = rowOf(i);
      return { capture: input + 1, frame, captureColour: input % COLOURS, colour: row ? colourClass(row.colour) || null : null };
    },
    cellText: (i, col) => {
      const input = order[2 * i], frame = order[2 * i + 1];
      if (col.key === 'capture') return merged[input] ? merged[input].file.name : '';
      if (col.key === 'number') return String(frame);
      const row = rowOf(i);
      if (!row) return col.key === 'info' ? '…' : '';
      if (col.key === 'time') return timeCell(row, timeFormat, { zone, firstNs });
      return row[col.key] === null || row[col.key] === undefined ? '' : String(row[col.key]);
    },
    onSelect: (i) => { open(i, clicked); clicked = false; },
    onRange: (first, end) => {
      for (const p of pagesFor(first, end, PAGE_SIZE)) loadPage(p);
    },
  });
  // A click or Enter on a row also brings its capture's packet list into view (arrow keys only
  // select, so the list can be walked without leaving it). The click is seen here first (capture
  // phase), then VirtualTable selects the row.
  table.element.addEventListener('click', (e) => { clicked = Boolean(e.target.closest('.vt-row')); }, { capture: true });
  table.element.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && table.selected >= 0) { e.preventDefault(); open(table.selected, true); }
  });

  const toolbar = h('div', { class: 'packet-toolbar' }, h('label', {}, 'Time ', timeSelect), zoneSelect, legend);
  const element = h('section', { class: 'capture merged-view', dataset: { testid: 'merged-view', state: 'few' }, 'aria-label': 'Merged view of the open captures' },
    h('header', { class: 'capture-head' }, h('h2', { class: 'capture-name' }, 'Merged view'),
      h('span', { class: 'capture-size' }, 'Every packet of the open captures in time order, as tracematch merge writes them.'),
      h('span', { class: 'spacer' }), closeButton),
    h('div', { class: 'pane' }, h('div', { class: 'pane-head' }, h('h3', {}, 'Packets'), status), toolbar, table.element));

  function rowOf(i) {
    const map = rows[order[2 * i]];
    return map ? map.get(order[2 * i + 1]) || null : null;
  }

  function show(state, text) {
    element.dataset.state = state;
    status.textContent = text;
  }

  function clearRows() {
    rows = merged.map(() => new Map());
    cached = 0;
  }

  function loadPage(p) {
    const key = `${version}:${p}`;
    if (loading.has(key)) return;
    const end = Math.min(order.length / 2, (p + 1) * PAGE_SIZE);
    const wanted = merged.map(() => []);
    for (let i = p * PAGE_SIZE; i < end; i++) {
      const input = order[2 * i], frame = order[2 * i + 1];
      if (!rows[input].has(frame)) wanted[input].push(frame);
    }
    if (wanted.every((w) => w.length === 0)) return;
    loading.add(key);
    if (cached > MAX_CACHED_ROWS) clearRows();
    const mine = version;
    Promise.all(wanted.map((frames, input) => (frames.length ? merged[input].rpc.call('packetRows', [frames]) : []))).then((lists) => {
      loading.delete(key);
      if (mine !== version) return;
      lists.forEach((list, input) => {
        for (const r of list) rows[input].set(r.number, r);
        cached += list.length;
      });
      table.refresh();
    }, (err) => {
      loading.delete(key);
      if (mine === version) show('failed', `Could not read packets: ${err.message}`);
    });
  }

  /** Selects the packet of merged row i in its capture's packet list. */
  function open(i, scroll) {
    const capture = merged[order[2 * i]];
    if (!capture || !capture.element.isConnected) return;
    capture.selectPacket(order[2 * i + 1], { scroll });
  }

  function showOrder(captures, next, first) {
    merged = captures;
    order = next;
    firstNs = first;
    clearRows();
    replaceChildren(legend, captures.map((c, i) => h('span', { class: 'merged-chip', dataset: { captureColour: i % COLOURS } }, `${i + 1}: ${c.file.name}`)));
    table.setCount(order.length / 2);
  }

  function clear() {
    version++;
    pending = null;
    showOrder([], new Uint32Array(0), null);
  }

  /** The merge order of `captures` (all indexed), from a worker started for it. */
  async function mergeOf(captures) {
    const columns = await Promise.all(captures.map((c) => c.rpc.call('mergeColumn')));
    const first = firstMergedNs(columns); // before the columns are transferred
    const worker = createWorker('index');
    const client = rpcClient(worker);
    try {
      const buffers = columns.flatMap((c) => (c.frames ? [c.ts.buffer, c.frames.buffer] : [c.ts.buffer]));
      const next = await client.call('mergeOrder', [columns], buffers);
      return { order: next, first };
    } finally {
      retireWorker(worker, client, 'merge done').catch(() => {});
    }
  }

  const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  /** Brings the view up to date with the open captures. */
  function refresh() {
    const plan = mergePlan(getCaptures(), MAX_MERGED_PACKETS);
    const { captures, total } = plan;
    if (plan.state === 'few') {
      clear();
      show('few', 'Open two or more captures to see their packets merged in time order.');
      return;
    }
    if (plan.state === 'waiting') {
      clear();
      show('waiting', `Waiting for ${plan.waiting.map((c) => c.file.name).join(', ')} to finish indexing: the merged view appears when indexing ends.`);
      return;
    }
    if (sameList(captures, merged) || (pending && sameList(captures, pending))) return;
    if (plan.state === 'too-big') {
      clear();
      show('too-big', `These captures hold ${formatCount(total)} packets; the merged view takes at most ${formatCount(MAX_MERGED_PACKETS)}. Use tracematch merge A B -w OUT instead.`);
      return;
    }
    clear();
    const mine = version;
    pending = captures;
    show('merging', `Merging ${formatCount(total)} packets of ${captures.length} captures…`);
    mergeOf(captures).then(({ order: next, first }) => {
      if (mine !== version) return;
      pending = null;
      showOrder(captures, next, first);
      show('ready', `${formatCount(next.length / 2)} packets of ${captures.length} captures in time order. Choose a row to show it in its capture.`);
    }, (err) => {
      if (mine !== version) return;
      pending = null;
      show('failed', `Could not merge the captures: ${err.message}`);
    });
  }

  return { element, refresh };
}
