// One open capture: its worker, progress, error, summary, conversation tabs and packet list.
// Data flows down from the worker's results; user actions go through the pure reducer in state.js.
import { h, replaceChildren } from '../dom.js';
import { rpcClient } from '../rpc.js';
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

const STATUS_TEXT = { indexing: 'Indexing', done: 'Complete', cancelled: 'Cancelled', damaged: 'Damaged', failed: 'Failed' };

/** Opens `file` in a new worker and returns { element, close, file, rpc, summary }. */
export function openCapture(file, { chunkBytes, onClose }) {
  let state = initialCapture(file.name, file.size);
  const worker = createWorker('index');
  const rpc = rpcClient(worker);
  const tables = new Map(); // kind → promise of conversation rows
  let selectionToken = 0;
  let timeRange = null; // [start, end] s from the IO graph brush, or null
  let table = null; // the conversation table shown
  let selectedId = null; // tcp/udp stream number (ip: row) of the selected conversation
  let statsPanel = null;
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
  const packets = h('div', { class: 'pane packets', hidden: true }, h('div', { class: 'pane-head' }, packetsTitle, packetsHint, followButton), packetSlot);
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

  rpc.on('progress', (p) => {
    dispatch({ type: 'progress', progress: p });
    if (state.status === 'indexing') progress.update(p);
  });

  rpc.call('index', [file, chunkBytes]).then(({ summary: s, elapsedMs }) => {
    dispatch({ type: 'indexed', summary: s, elapsedMs });
    progress.end(state.status, state.progress);
    if (s.error) showError(`${s.error}. The ${formatCount(s.frames)} packets read before it are shown.`);
    summary.show(s, state.status);
    renderTabs(s);
    conversations.hidden = false;
    packets.hidden = false;
    showKind(state.kind);
    statsPanel = createStatsPanel({ rpc, name: file.name, onRange: (range) => { setTimeRange(range); url.changed(); }, onFrames: showFrames });
    replaceChildren(statsSlot, statsPanel.element);
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
    });
  }, (err) => {
    dispatch({ type: 'failed', message: err.message });
    progress.end('failed', state.progress);
    showError(`indexing failed: ${err.message}`);
  });

  function renderTabs(s) {
    const counts = { tcp: s.tcp_streams, udp: s.udp_streams, ip: null };
    replaceChildren(tabs, CONV_KINDS.map((kind) => h('button', {
      type: 'button', role: 'tab', class: 'conv-tab',
      'aria-selected': kind === state.kind ? 'true' : 'false',
      dataset: { testid: 'conv-tab', kind },
      on: { click: () => { showKind(kind); url.changed(); } },
    }, kind.toUpperCase(), counts[kind] === null || counts[kind] === undefined ? null : h('span', { class: 'count' }, formatCount(counts[kind])))));
  }

  function rowsOf(kind) {
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
    followButton.hidden = true;
    followTarget = null;
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
    const id = kind === 'ip' ? index : row.stream;
    selectedId = id;
    const ends = kind === 'ip' ? `${row.addr_a} ↔ ${row.addr_b}` : `${row.addr_a}:${row.port_a} ↔ ${row.addr_b}:${row.port_b}`;
    replaceChildren(packetsTitle, kind === 'ip' ? `Packets between ${ends}` : `Packets of ${kind.toUpperCase()} stream ${row.stream}: ${ends}`);
    packetsHint.hidden = true;
    if (kind === 'tcp' || kind === 'udp') {
      followTarget = { proto: kind, stream: row.stream };
      followButton.textContent = `Follow ${kind.toUpperCase()} stream ${row.stream}`;
      followButton.hidden = false;
    }
    if (kind === 'tcp') {
      replaceChildren(sessionSlot, createSessionView({ rpc, stream: row.stream, name: file.name, onSelect: (n) => showFrames(`Frame ${n}`, [n]) }).element);
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
    return state.summary ? showKind(state.kind) : undefined;
  }

  /** Lists `frames` in the packets pane under `title` (Expert Info rows, ladder arrows). */
  function showFrames(title, frames) {
    selectionToken++;
    replaceChildren(packetsTitle, title);
    packetsHint.hidden = true;
    const list = createPacketList(Uint32Array.from(frames), {
      firstTsNs: state.summary ? state.summary.first_ts_ns : null,
      loadRows: (numbers) => rpc.call('packetRows', [numbers]),
      onError: (err) => showError(`could not read packets: ${err.message}`),
    });
    replaceChildren(packetSlot, list.element);
  }

  function close() {
    url.dispose();
    worker.terminate();
    rpc.close('capture closed');
    element.remove();
    if (onClose) onClose();
  }

  // file, rpc and summary let other views (Match) read this capture's packets through its worker.
  return { element, close, file, rpc, get summary() { return state.summary; } };
}
