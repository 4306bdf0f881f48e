// One open capture: its worker, progress, error, summary, conversation tabs and packet list.
// Data flows down from the worker's results; user actions go through the pure reducer in state.js.
import { h, replaceChildren } from '../dom.js';
import { superviseWorker, supervisionFromQuery, createWatchdog } from '../worker-supervisor.js';
import { createHungNotice } from './HungNotice.js';
import { createWorker } from '../platform.js';
import { urlState } from '../url_state.js';
import { bindCaptureUrl } from '../capture_url.js';
import { CONV_KINDS, formatBytes, formatCount, initialCapture, reduceCapture } from '../state.js';
import { createProgressBar } from './ProgressBar.js';
import { createSummaryPanel } from './SummaryPanel.js';
import { createConversationTable } from './ConversationTable.js';
import { createPacketList } from './PacketList.js';
import { createFollowView } from './FollowView.js';
import { createStatsPanel } from './StatsPanel.js';
import { createSessionView } from './SessionView.js';
import { createPacketPane } from './PacketPane.js';
import { createFilterBar } from './FilterBar.js';
import { createExportButton, createExportOptions, fileNamePart } from './ExportButton.js';

/**
 * Test-only indexing options from the page's query: `?test-index-budget=N` (index budget, bytes;
 * 0: the default), `?test-oom=NAME` (the worker of the capture named NAME exhausts wasm memory
 * after its first chunk) and `?test-no-opfs` (no OPFS file for the index's cold columns).
 */
function testIndexOptions(name) {
  const q = new URLSearchParams(globalThis.location ? location.search : '');
  const n = Number(q.get('test-index-budget'));
  return { indexBudget: Number.isInteger(n) && n > 0 ? n : 0, oom: q.get('test-oom') === name, noOpfs: q.has('test-no-opfs') };
}

const STATUS_TEXT = { indexing: 'Indexing', done: 'Complete', cancelled: 'Cancelled', damaged: 'Damaged', partial: 'Partial', failed: 'Failed' };

/** Least time between two refreshes of the live view while indexing (ms). */
const LIVE_MIN_INTERVAL_MS = 1000;
/** Conversation rows the live view shows (the first by stream number; all come when indexed). */
const LIVE_TABLE_ROWS = 200;
/** A live refresh waits this many times what the previous one cost in the worker (≤ 2% of it). */
const LIVE_COST_FACTOR = 50;
/** Most frames the live packet list shows (its frame array: 16 MiB); the rest come when indexed. */
const LIVE_MAX_FRAMES = 1 << 22;
/** What the whole-capture export offers. */
const PACKET_EXPORTS = [['displayed', 'Displayed packets'], ['marked', 'Marked packets'], ['range', 'Frame range']];

/** Ascending frame numbers as the export's frame list: runs become ranges ("1-3,7"). */
export function frameListText(frames) {
  const parts = [];
  for (let i = 0; i < frames.length;) {
    let j = i;
    while (j + 1 < frames.length && frames[j + 1] === frames[j] + 1) j++;
    parts.push(j === i ? String(frames[i]) : `${frames[i]}-${frames[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Opens `file` in a new worker and returns { element, close, file, rpc, summary, status,
 * selectPacket }. `onIndexEnd()` is called once indexing ended (indexed, or failed).
 */
export function openCapture(file, { chunkBytes, onClose, onIndexEnd }) {
  let state = initialCapture(file.name, file.size);
  // The worker is supervised: no progress for a while → "not responding" with a Restart button.
  const supervision = supervisionFromQuery(location.search);
  const supervisor = superviseWorker((options) => createWorker('index', options), supervision);
  const rpc = supervisor.rpc;
  const tables = new Map(); // kind → promise of conversation rows
  let selectionToken = 0;
  let timeRange = null; // [start, end] s from the IO graph brush, or null
  let table = null; // the conversation table shown
  let selectedId = null; // tcp/udp stream number (ip: row) of the selected conversation
  let statsPanel = null;
  let urlBound = false; // the capture's URL keys are bound (indexing ended)
  const url = urlState.scope(file.name); // this capture's view state in the URL fragment

  const status = h('span', { class: 'badge', dataset: { status: 'indexing' } }, STATUS_TEXT.indexing);
  const closeButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': `Close ${file.name}`, title: 'Close this capture', on: { click: close } }, 'Close');
  const progress = createProgressBar(file.size, { onCancel: () => rpc.call('cancel').catch(() => {}) });
  const errorBox = h('div', { class: 'error', role: 'alert', dataset: { testid: 'error' }, hidden: true });
  const summary = createSummaryPanel();
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Conversation tables' });
  const tableSlot = h('div', { class: 'table-slot' });
  const conversations = h('div', { class: 'pane conversations', hidden: true },
    h('div', { class: 'pane-head' }, h('h3', {}, 'Conversations'), tabs), tableSlot);
  const packetsTitle = h('h3', {}, 'Packets');
  const packetsHint = h('span', { class: 'pane-hint' }, 'Select a conversation to list its packets.');
  const packetSlot = h('div', { class: 'table-slot' });
  const followButton = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-button' }, hidden: true, on: { click: () => openFollow() } }, 'Follow stream');
  // The whole-capture packet list with details and bytes (PacketPane) and its display-filter bar;
  // created when indexing ends. Selecting a conversation lists its packets instead, until
  // "All packets" (or a filter) brings the whole-capture list back.
  let packetPane = null;
  let filterToken = 0;
  let filteredTables = null; // kind → rows over the displayed frames, while a filter is applied
  const allPacketsButton = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'all-packets' }, hidden: true, on: { click: () => clearPackets() } }, 'All packets');
  const filterBar = createFilterBar({ onApply: applyFilter, onCancel: () => rpc.call('filterCancel').catch(() => {}) });
  filterBar.element.hidden = true;
  rpc.on('filterProgress', (p) => filterBar.progress(p));
  // Exports: one format / key log choice per capture; the conversation button follows the
  // selected conversation, the range button the IO graph's brushed time range.
  const exportOptions = createExportOptions();
  const baseName = fileNamePart(file.name.replace(/\.(pcapng|pcap)(\.gz)?$/i, ''));
  let exportTarget = null; // { spec, suffix } of the selected conversation
  const conversationExport = createExportButton({
    rpc, scope: 'conversation', options: exportOptions, label: 'Download conversation',
    spec: () => exportTarget.spec, fileName: (format) => `${baseName}-${exportTarget.suffix}.${format}`,
  });
  conversationExport.element.hidden = true;
  const rangeExport = createExportButton({
    rpc, scope: 'range', options: exportOptions, label: 'Download time range',
    spec: () => ({ start: timeRange[0], end: timeRange[1] }),
    fileName: (format) => `${baseName}-${timeRange[0].toFixed(3)}s-${timeRange[1].toFixed(3)}s.${format}`,
  });
  rangeExport.element.hidden = true;
  // Export of the whole-capture list: the displayed packets (the applied display filter, read
  // again by the core's export as `tracematch export -Y` does), the marked ones, or a frame range.
  let appliedFilter = null; // the display filter whose matches are displayed, or null
  let filterRun = Promise.resolve(null); // the latest filter run
  const exportWhat = h('select', { 'aria-label': 'Packets to export', dataset: { testid: 'export-what' }, on: { change: () => { rangeInputs.hidden = exportWhat.value !== 'range'; } } },
    PACKET_EXPORTS.map(([value, text]) => h('option', { value }, text)));
  const rangeFrom = h('input', { type: 'number', min: 1, class: 'goto-input', placeholder: 'From', 'aria-label': 'First frame to export', dataset: { testid: 'export-range-from' } });
  const rangeTo = h('input', { type: 'number', min: 1, class: 'goto-input', placeholder: 'To', 'aria-label': 'Last frame to export', dataset: { testid: 'export-range-to' } });
  const rangeInputs = h('span', { class: 'goto', hidden: true }, rangeFrom, '–', rangeTo);
  const packetsExport = createExportButton({
    rpc, scope: 'packets', options: exportOptions, label: 'Export',
    title: 'Download the displayed, marked or a range of packets as a capture file',
    spec: packetExportSpec,
    fileName: (format) => `${baseName}-${exportWhat.value}.${format}`,
  });
  const packetExport = h('span', { class: 'packet-export', dataset: { testid: 'packet-export' }, hidden: true }, exportWhat, rangeInputs, packetsExport.element);
  const packets = h('div', { class: 'pane packets', hidden: true }, filterBar.element,
    h('div', { class: 'pane-head' }, packetsTitle, packetsHint, allPacketsButton, followButton, conversationExport.element,
      h('span', { class: 'spacer' }), packetExport, rangeExport.element, exportOptions.element), packetSlot);

  /** The export spec of the chosen packets; throws with a message when there are none. */
  function packetExportSpec() {
    if (exportWhat.value === 'marked') {
      const marked = packetPane ? packetPane.markedFrames() : [];
      if (marked.length === 0) throw new Error('no packet is marked (select one and press Ctrl+M)');
      return { frames: frameListText(marked) };
    }
    if (exportWhat.value === 'range') {
      const a = Number(rangeFrom.value), b = Number(rangeTo.value);
      if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b < a) throw new Error('enter a frame range FROM–TO with 1 ≤ FROM ≤ TO');
      return { frames: `${a}-${b}` };
    }
    return appliedFilter ? { filter: appliedFilter } : {};
  }
  let followTarget = null; // { proto, stream } of the selected TCP/UDP conversation
  const follow = createFollowView({
    rpc,
    streamCount: (proto) => (state.summary ? Number(proto === 'udp' ? state.summary.udp_streams : state.summary.tcp_streams) || 0 : 0),
    firstTsNs: () => (state.summary ? state.summary.first_ts_ns : null),
    onClose: () => url.changed(),
  });

  const statsSlot = h('div', { class: 'stats-slot' });
  const sessionSlot = h('div', { class: 'session-slot' });
  const element = h('section', { class: 'capture', dataset: { testid: 'capture', name: file.name, status: 'indexing' }, 'aria-label': `Capture ${file.name}` },
    h('header', { class: 'capture-head' },
      h('h2', { class: 'capture-name', title: file.name }, file.name),
      h('span', { class: 'capture-size' }, `${formatBytes(file.size)} (${formatCount(file.size)} bytes)`),
      status, h('span', { class: 'spacer' }), closeButton),
    progress.element, errorBox, summary.element, statsSlot, conversations, sessionSlot, packets, follow.element);

  function dispatch(action) {
    state = reduceCapture(state, action);
    element.dataset.status = state.status;
    status.dataset.status = state.status;
    status.textContent = STATUS_TEXT[state.status] || state.status;
  }

  function showError(text) {
    replaceChildren(errorBox, h('strong', {}, state.status === 'damaged' ? 'Damaged file: ' : 'Error: '), text);
    errorBox.hidden = false;
  }

  /** A memory budget stopped indexing: what was indexed is shown, marked partial. */
  function showStopped(text) {
    replaceChildren(errorBox, h('strong', {}, 'Partial index: '), text);
    errorBox.dataset.kind = 'budget';
    errorBox.hidden = false;
  }

  rpc.on('progress', (p) => {
    dispatch({ type: 'progress', progress: p });
    if (state.status === 'indexing') {
      progress.update(p);
      // Not on the last event: the complete view follows at once.
      if (p.bytes < file.size) liveRefresh();
    }
  });

  // The live view: while indexing goes on, the packets and conversations indexed so far, refreshed
  // on progress events at most every LIVE_MIN_INTERVAL_MS and never more often than LIVE_COST_FACTOR
  // times what the last refresh cost in the worker (it runs between two indexed chunks); only the
  // first LIVE_TABLE_ROWS conversations and the packet rows in view are read. The live panes are
  // read-only (no selection, sorting or filter); indexed() replaces them.
  let live = null; // { list, frames (Uint32Array capacity), kind, busy, nextAt }
  function liveRefresh() {
    if (!live) live = { list: null, frames: new Uint32Array(0), kind: state.kind, busy: false, nextAt: 0 };
    const mine = live;
    if (mine.busy || performance.now() < mine.nextAt) return;
    mine.busy = true;
    rpc.call('liveView', [mine.kind, LIVE_TABLE_ROWS]).then((v) => {
      mine.busy = false;
      mine.nextAt = performance.now() + Math.max(LIVE_MIN_INTERVAL_MS, LIVE_COST_FACTOR * v.costMs);
      if (live === mine && state.status === 'indexing') showLive(mine, v);
    }, () => { mine.busy = false; });
  }

  /** Takes the live panes away (indexing failed or restarts): the page is as before indexing. */
  function dropLive() {
    live = null;
    conversations.hidden = true;
    packets.hidden = true;
    tabs.replaceChildren();
    tableSlot.replaceChildren();
    packetSlot.replaceChildren();
    replaceChildren(packetsTitle, 'Packets');
    packetsHint.textContent = 'Select a conversation to list its packets.';
  }

  function showLive(mine, { summary: s, conversations: rows }) {
    const frames = Math.min(Number(s.frames) || 0, LIVE_MAX_FRAMES);
    if (frames === 0) return;
    renderTabs(s, (kind) => { mine.kind = kind; mine.nextAt = 0; for (const tab of tabs.children) tab.setAttribute('aria-selected', tab.dataset.kind === kind ? 'true' : 'false'); liveRefresh(); }, mine.kind);
    if (rows) {
      const shown = createConversationTable(mine.kind, rows, { onSort: () => {}, onSelect: () => {} });
      shown.element.dataset.live = 'true';
      replaceChildren(tableSlot, shown.element);
    }
    conversations.hidden = false;
    // The frame array grows by doubling; the list shows a prefix of it.
    if (mine.frames.length < frames) {
      const grown = new Uint32Array(Math.min(LIVE_MAX_FRAMES, Math.max(frames, mine.frames.length * 2)));
      for (let i = 0; i < grown.length; i++) grown[i] = i + 1;
      mine.frames = grown;
    }
    const view = mine.frames.subarray(0, frames);
    if (!mine.list) {
      mine.list = createPacketList(view, {
        label: 'Packets indexed so far',
        firstTsNs: s.first_ts_ns,
        loadRows: (numbers) => rpc.call('packetRows', [numbers]),
        onError: () => {},
      });
      mine.list.element.dataset.live = 'true';
      replaceChildren(packetsTitle, 'Packets (indexing…)');
      packetsHint.textContent = 'The list grows while the capture is indexed.';
      replaceChildren(packetSlot, mine.list.element);
      packets.hidden = false;
    } else {
      mine.list.grow(view);
    }
  }

  let indexRun = 0;
  function startIndexing() {
    const run = ++indexRun;
    const watchdog = createWatchdog({ timeoutMs: supervision.hangMs, onHung: () => { if (run === indexRun) showHung(); } });
    const stopWatching = rpc.on('progress', () => watchdog.beat());
    watchdog.start();
    rpc.call('index', [file, chunkBytes, testIndexOptions(file.name)]).then((result) => { if (run === indexRun) indexed(result); },
      (err) => { if (run === indexRun) indexFailed(err); }).finally(() => { watchdog.stop(); stopWatching(); });
  }

  function showHung() {
    element.dataset.worker = 'hung';
    const notice = createHungNotice({
      seconds: supervision.hangMs / 1000,
      onRestart: () => { notice.element.remove(); element.dataset.worker = 'restarted'; dropLive(); supervisor.restart(); startIndexing(); },
    });
    progress.element.after(notice.element);
  }
  startIndexing();

  function indexed({ summary: s, elapsedMs, source = 'file' }) {
    live = null;
    dispatch({ type: 'indexed', summary: s, elapsedMs });
    if (onIndexEnd) queueMicrotask(onIndexEnd); // after the panes below exist
    element.dataset.indexSource = source; // "cache" when restored from the index cache (index_cache.js)
    // Bytes of the index's cold columns moved to an OPFS file past the index budget (cold_store.js).
    element.dataset.indexSpilled = String(Number(s.index_spilled_bytes) || 0);
    progress.end(state.status, state.progress, source);
    if (s.error) showError(Number(s.frames) > 0 ? `${s.error}. The ${formatCount(s.frames)} packets read before it are shown.` : `${s.error}.`);
    else if (s.stopped) showStopped(`${s.stopped}. The ${formatCount(s.frames)} packets indexed before it are shown.`);
    summary.show(s, state.status);
    // Nothing could be read (not a capture, or damaged before its first packet): the message and
    // the summary say it all; empty graphs, tables and a filter bar would only be noise. (A capture
    // cancelled before its first packet keeps its empty views: the file itself may be fine.)
    if (s.error && !(Number(s.frames) > 0)) return;
    packetPane = createPacketPane({
      rpc,
      frameCount: Number(s.frames) || 0,
      firstTsNs: s.first_ts_ns,
      onFollow: (proto, stream) => { follow.open(proto, stream); follow.element.scrollIntoView({ block: 'start' }); },
      onApplyFilter: (expr) => filterBar.set(expr),
      onError: (err) => showError(`could not read packets: ${err.message}`),
      onSelectFrame: () => { if (urlBound) url.changed(); },
    });
    filterBar.element.hidden = false;
    renderTabs(s);
    conversations.hidden = false;
    packets.hidden = false;
    showKind(state.kind);
    statsPanel = createStatsPanel({ rpc, name: file.name, onRange: (range) => { setTimeRange(range); url.changed(); }, onFrames: showFrames });
    replaceChildren(statsSlot, statsPanel.element);
    // The applied display filter comes back first: the tables, stream and packet restored after
    // it are those of the displayed packets (a sensitive key: the share dialog offers a link
    // without it).
    url.bind('filter', () => appliedFilter, (v) => {
      filterBar.set(String(v));
      return filterRun;
    });
    bindCaptureUrl(url, {
      kind: () => state.kind, showKind,
      range: () => timeRange, setRange: (range) => { statsPanel.setRange(range); return setTimeRange(range); },
      stream: () => selectedId,
      selectStream: (id) => (table ? table.selectRow((row, index) => (state.kind === 'ip' ? index : row.stream) === id) : undefined),
      // Follow counts as open for the link only while it shows the selected stream.
      followOpen: () => {
        const shown = follow.element.querySelector('[data-testid="follow"]');
        return !follow.element.hidden && Boolean(followTarget) && Boolean(shown)
          && shown.dataset.proto === followTarget.proto && shown.dataset.stream === String(followTarget.stream);
      },
      openFollow,
      packet: () => (packetPane && packetSlot.firstChild === packetPane.element ? packetPane.selectedFrame : null),
      selectPacket: (n) => {
        if (packetSlot.firstChild !== packetPane.element) clearPackets();
        return packetPane.goto(n);
      },
    });
    urlBound = true;
  }

  function indexFailed(err) {
    dropLive();
    dispatch({ type: 'failed', message: err.message });
    if (onIndexEnd) queueMicrotask(onIndexEnd);
    progress.end('failed', state.progress);
    showError(`indexing failed: ${err.message}`);
  }

  function renderTabs(s, pick = (kind) => { showKind(kind); url.changed(); }, current = state.kind) {
    const counts = { tcp: s.tcp_streams, udp: s.udp_streams, ip: null };
    replaceChildren(tabs, CONV_KINDS.map((kind) => h('button', {
      type: 'button', role: 'tab', class: 'conv-tab',
      'aria-selected': kind === current ? 'true' : 'false',
      dataset: { testid: 'conv-tab', kind },
      on: { click: () => pick(kind) },
    }, kind.toUpperCase(), counts[kind] === null || counts[kind] === undefined ? null : h('span', { class: 'count' }, formatCount(counts[kind])))));
  }

  function rowsOf(kind) {
    if (filteredTables) return Promise.resolve(filteredTables[kind]);
    if (!tables.has(kind)) tables.set(kind, rpc.call('conversations', [kind]));
    return tables.get(kind);
  }

  function showKind(kind) {
    dispatch({ type: 'selectKind', kind });
    for (const tab of tabs.children) tab.setAttribute('aria-selected', tab.dataset.kind === kind ? 'true' : 'false');
    clearPackets();
    table = null;
    replaceChildren(tableSlot, h('div', { class: 'loading' }, `Loading ${kind.toUpperCase()} conversations…`));
    return rowsOf(kind).then((allRows) => {
      if (state.kind !== kind) return;
      const rows = inTimeRange(allRows);
      const tab = [...tabs.children].find((t) => t.dataset.kind === kind);
      if (tab && !tab.querySelector('.count')) tab.append(h('span', { class: 'count' }, formatCount(rows.length)));
      const shown = createConversationTable(kind, rows, {
        onSort: (key) => { dispatch({ type: 'sort', kind, key }); shown.sort(state.sort[kind]); clearPackets(); url.changed(); },
        onSelect: (row, index) => { selectConversation(kind, row, index); url.changed(); },
      });
      shown.sort(state.sort[kind]);
      table = shown;
      replaceChildren(tableSlot, shown.element);
    }, (err) => replaceChildren(tableSlot, h('div', { class: 'error' }, `Could not load the ${kind.toUpperCase()} conversations: ${err.message}`)));
  }

  function clearPackets() {
    selectionToken++;
    replaceChildren(packetsTitle, 'Packets');
    packetsHint.hidden = false;
    packetSlot.replaceChildren();
    allPacketsButton.hidden = true;
    packetExport.hidden = !packetPane;
    if (packetPane) {
      packetSlot.append(packetPane.element);
      packetPane.refresh();
      packetsHint.textContent = 'Select a conversation to list only its packets.';
    }
    followButton.hidden = true;
    followTarget = null;
    conversationExport.element.hidden = true;
    exportTarget = null;
    selectedId = null;
  }

  function openFollow() {
    if (!followTarget) return undefined;
    const opened = follow.open(followTarget.proto, followTarget.stream);
    follow.element.scrollIntoView({ block: 'start' });
    url.changed();
    return opened;
  }

  function selectConversation(kind, row, index) {
    dispatch({ type: 'selectConversation', kind, index });
    const token = ++selectionToken;
    // Rows of a filtered ip table carry their row in the capture's table.
    const id = kind === 'ip' ? (row.ip_row ?? index) : row.stream;
    selectedId = id;
    const ends = kind === 'ip' ? `${row.addr_a} ↔ ${row.addr_b}` : `${row.addr_a}:${row.port_a} ↔ ${row.addr_b}:${row.port_b}`;
    replaceChildren(packetsTitle, kind === 'ip' ? `Packets between ${ends}` : `Packets of ${kind.toUpperCase()} stream ${row.stream}: ${ends}`);
    packetsHint.hidden = true;
    allPacketsButton.hidden = !packetPane;
    packetExport.hidden = true;
    packetSlot.replaceChildren();
    if (kind === 'tcp' || kind === 'udp') {
      followTarget = { proto: kind, stream: row.stream };
      followButton.textContent = `Follow ${kind.toUpperCase()} stream ${row.stream}`;
      followButton.hidden = false;
    }
    exportTarget = kind === 'ip'
      ? { spec: { addr_a: row.addr_a, addr_b: row.addr_b }, suffix: fileNamePart(`ip-${row.addr_a}-${row.addr_b}`) }
      : { spec: { stream: `${kind}:${row.stream}` }, suffix: `${kind}${row.stream}` };
    conversationExport.element.hidden = false;
    if (kind === 'tcp') {
      replaceChildren(sessionSlot, createSessionView({ rpc, stream: row.stream, name: file.name, exportOptions, onSelect: (n) => showFrames(`Frame ${n}`, [n]) }).element);
    }
    rpc.call('framesOfStream', [kind, id]).then((frames) => {
      if (token !== selectionToken) return;
      const list = createPacketList(frames, {
        firstTsNs: state.summary ? state.summary.first_ts_ns : null,
        loadRows: (numbers) => rpc.call('packetRows', [numbers]),
        onError: (err) => showError(`could not read packets: ${err.message}`),
      });
      replaceChildren(packetSlot, list.element);
    }, (err) => showError(`could not list the packets: ${err.message}`));
  }

  /** Conversations overlapping the IO graph's brushed time range (all when none). */
  function inTimeRange(rows) {
    if (!timeRange) return rows;
    const [a, b] = timeRange;
    return rows.filter((r) => r.rel_start <= b && r.rel_start + r.duration >= a);
  }

  function setTimeRange(range) {
    const same = (a, b) => (a === null && b === null) || (a && b && a[0] === b[0] && a[1] === b[1]);
    if (same(range, timeRange)) return undefined;
    timeRange = range;
    rangeExport.element.hidden = !range;
    return state.summary ? showKind(state.kind) : undefined;
  }

  /** Lists `frames` in the packets pane under `title` (Expert Info rows, ladder arrows). */
  function showFrames(title, frames) {
    selectionToken++;
    replaceChildren(packetsTitle, title);
    packetsHint.hidden = true;
    allPacketsButton.hidden = !packetPane;
    packetExport.hidden = true;
    const list = createPacketList(Uint32Array.from(frames), {
      firstTsNs: state.summary ? state.summary.first_ts_ns : null,
      loadRows: (numbers) => rpc.call('packetRows', [numbers]),
      onError: (err) => showError(`could not read packets: ${err.message}`),
    });
    replaceChildren(packetSlot, list.element);
  }

  /** Filters the whole capture (applyFilterNow); the promise is kept for the URL restore. */
  function applyFilter(text) {
    filterRun = applyFilterNow(text).then((result) => {
      if (result && !result.error && urlBound) url.changed();
      return result;
    });
    return filterRun;
  }

  /** Filters the whole capture in the worker; the packet list shows the matching frames. */
  async function applyFilterNow(text) {
    const token = ++filterToken;
    if (!packetPane) return null;
    const hadTables = Boolean(filteredTables);
    if (!text) {
      filteredTables = null;
      appliedFilter = null;
      if (statsPanel) statsPanel.setFilter(null);
      packetPane.setFrames(null);
      if (hadTables) showKind(state.kind);
      return { frames: new Uint32Array(0), cancelled: false };
    }
    const result = await rpc.call('filter', [text]);
    if (token !== filterToken) return null;
    if (result.error) return result;
    // The conversation tables count the displayed frames only (Wireshark's "Limit to display
    // filter"); showing them again also brings back the whole-capture packet list.
    filteredTables = result.cancelled ? null : result.conversations;
    appliedFilter = result.cancelled ? null : text;
    if (statsPanel) statsPanel.setFilter(appliedFilter);
    if (filteredTables || hadTables) showKind(state.kind);
    else if (packetSlot.firstChild !== packetPane.element) clearPackets();
    packetPane.setFrames(result.cancelled ? null : result.frames);
    return result;
  }

  function close() {
    url.dispose();
    // Outstanding calls reject when the worker is gone; its nested workers close first.
    supervisor.retire('capture closed').catch(() => supervisor.terminate());
    element.remove();
    if (onClose) onClose();
  }

  /**
   * Shows packet `frame` selected in the whole-capture packet list (the Merged view's rows open
   * here); with `scroll`, also scrolls the page to it. Resolves when its details are shown.
   */
  function selectPacket(frame, { scroll = true } = {}) {
    if (!packetPane) return Promise.resolve();
    if (packetSlot.firstChild !== packetPane.element) clearPackets();
    const shown = packetPane.goto(frame);
    if (scroll) packetPane.element.scrollIntoView({ block: 'center' });
    return shown;
  }

  // file, rpc and summary let other views (Match, Merged) read this capture's packets through its
  // worker; status is the indexing state (indexing, done, cancelled, damaged, partial, failed).
  return { element, close, file, rpc, selectPacket, get summary() { return state.summary; }, get status() { return state.status; } };
}
