// The Match view: choose and label open captures (A, B, … in the order listed), run the matcher in
// its own worker (www/match_worker.js → the core's matching through src/web/match_handle.rs), and
// show the result: clock offset, the match table (sortable, filterable by method and confidence),
// unmatched streams of each side, missing SYNs and lost packets, and the multi-hop flow table (one
// row per logical packet with frame, time and client port at each point), each with a CSV download.
// Clicking a match shows what the path changed in that stream, the per-packet diff of its paired
// packets (differing fields highlighted; from the match worker, which keeps the last run), and
// follows both streams side by side (the Follow view of each capture, through its own worker) with
// their packets listed below.
import { h, replaceChildren } from '../dom.js';
import { rpcClient } from '../rpc.js';
import { createWorker } from '../platform.js';
import { retireWorker } from '../worker-supervisor.js';
import { formatBytes, formatCount } from '../state.js';
import {
  reportPairs, methodsOf, filterMatches, clockFacts,
  MATCH_COLUMNS, UNMATCHED_COLUMNS, MISSING_SYN_COLUMNS, LOST_COLUMNS,
  CHANGE_COLUMNS, PACKET_DIFF_COLUMNS, flowColumns, flowFrames, packetCellDiffers,
} from '../match_state.js';
import { createDataTable } from './DataTable.js';
import { createPacketList } from './PacketList.js';
import { createFollowView } from './FollowView.js';

/** Name of capture `i` in the order of the run: A, B, C, … */
const letter = (i) => String.fromCharCode(65 + (i % 26));

/**
 * Creates the view. `getCaptures()` returns the open captures in the order they were opened:
 * [{ file, rpc, summary }] (rpc: the capture's worker, used for the side-by-side packet lists).
 * Returns { element, refresh() } — refresh after captures are opened or closed.
 */
export function createMatchView({ getCaptures, chunkBytes, onClose }) {
  const labels = new WeakMap(); // File → label typed by the user
  const included = new WeakMap(); // File → checkbox state
  let order = []; // Files in the order of the run
  let worker = null;
  let workerRpc = null; // the rpcClient of `worker`
  let matchRpc = null; // the worker of the last successful run (kept for per-packet diffs)
  let runToken = 0;
  let lastRun = null; // { captures: [{file, rpc, summary}], report }

  const captureList = h('ol', { class: 'match-captures', dataset: { testid: 'match-captures' } });
  const runButton = h('button', { type: 'button', class: 'btn btn-primary', dataset: { testid: 'match-run' }, on: { click: run } }, 'Match');
  const status = h('span', { class: 'pane-hint', role: 'status', dataset: { testid: 'match-status' } });
  const errorBox = h('div', { class: 'error', role: 'alert', dataset: { testid: 'match-error' }, hidden: true });
  const results = h('div', { class: 'match-results', dataset: { testid: 'match-results' }, hidden: true });
  const closeButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', title: 'Close the Match view', on: { click: () => onClose && onClose() } }, 'Close');

  const element = h('section', { class: 'capture match-view', dataset: { testid: 'match-view' }, 'aria-label': 'Match captures' },
    h('header', { class: 'capture-head' }, h('h2', { class: 'capture-name' }, 'Match captures'),
      h('span', { class: 'capture-size' }, 'Which stream at one point is which stream at another; loss, missing SYNs and clock offset between them.'),
      h('span', { class: 'spacer' }), closeButton),
    h('div', { class: 'pane' }, h('div', { class: 'pane-head' }, h('h3', {}, 'Captures'),
      h('span', { class: 'pane-hint' }, 'Tick at least two; they are compared in this order (A, B, …). Labels are editable.')),
    captureList, h('div', { class: 'match-actions' }, runButton, status)),
    errorBox, results);

  function refresh() {
    const open = getCaptures().map((c) => c.file);
    order = order.filter((f) => open.includes(f)).concat(open.filter((f) => !order.includes(f)));
    const rows = order.map((file, i) => {
      if (!labels.has(file)) labels.set(file, file.name);
      if (!included.has(file)) included.set(file, true);
      const check = h('input', { type: 'checkbox', checked: included.get(file), 'aria-label': `Include ${file.name}`, on: { change: () => { included.set(file, check.checked); refresh(); } } });
      const label = h('input', { type: 'text', class: 'match-label', value: labels.get(file), maxlength: 100, 'aria-label': `Label of ${file.name}`, dataset: { testid: 'match-label' }, on: { input: () => labels.set(file, label.value) } });
      const up = h('button', { type: 'button', class: 'btn btn-small btn-quiet', title: 'Move up (earlier in the comparison)', disabled: i === 0, on: { click: () => { order.splice(i - 1, 0, order.splice(i, 1)[0]); refresh(); } } }, '↑');
      return h('li', { dataset: { testid: 'match-capture', name: file.name } }, check, label,
        h('span', { class: 'capture-size' }, `${file.name} · ${formatBytes(file.size)}`), up);
    });
    replaceChildren(captureList, rows.length ? rows : h('li', { class: 'pane-hint' }, 'Open two or more captures of the same traffic first.'));
    runButton.disabled = chosen().length < 2;
  }

  const chosen = () => order.filter((f) => included.get(f));

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  async function run() {
    const files = chosen();
    if (files.length < 2) return;
    const token = ++runToken;
    // The previous run's worker (maybe still reading) closes its read workers, then goes.
    if (worker) retireWorker(worker, workerRpc, 'a new match run started').catch(() => {});
    matchRpc = null;
    errorBox.hidden = true;
    results.hidden = true;
    runButton.disabled = true;
    status.textContent = 'Reading captures…';
    worker = createWorker('match');
    const rpc = rpcClient(worker);
    workerRpc = rpc;
    rpc.on('progress', (p) => {
      if (token !== runToken) return;
      if (p.phase === 'matching') status.textContent = 'Matching…';
      else status.textContent = `Reading ${letter(p.index)} (${files[p.index] ? files[p.index].name : ''}): ${formatBytes(p.bytes)} of ${formatBytes(p.size)}`;
    });
    const started = performance.now();
    try {
      const args = files.map((file) => ({ file, label: labels.get(file) || file.name }));
      const { report } = await rpc.call('match', [args, chunkBytes]);
      if (token !== runToken) return;
      const byFile = new Map(getCaptures().map((c) => [c.file, c]));
      lastRun = { captures: files.map((f) => byFile.get(f) || { file: f }), report };
      matchRpc = rpc;
      status.textContent = `Matched ${files.length} captures in ${((performance.now() - started) / 1000).toFixed(2)} s.`;
      showReport();
    } catch (err) {
      if (token !== runToken) return;
      status.textContent = '';
      showError(`matching failed: ${err.message}`);
    } finally {
      if (token === runToken) {
        // A successful run keeps its worker: it answers per-packet diffs of that run.
        if (matchRpc !== rpc) {
          worker.terminate();
          worker = null;
        }
        runButton.disabled = chosen().length < 2;
      }
    }
  }

  function showReport() {
    const { report } = lastRun;
    const pairs = reportPairs(report);
    const pairSlot = h('div');
    const captureName = (i) => {
      const c = report.captures && report.captures[i];
      return `${letter(i)} = ${c ? c.label : '?'}`;
    };
    const select = h('select', { 'aria-label': 'Capture pair', dataset: { testid: 'match-pair' }, on: { change: () => showPair(Number(select.value)) } },
      pairs.map((p, i) => h('option', { value: i }, `${captureName(p.a)}  ↔  ${captureName(p.b)}`)));
    const flow = createDataTable({
      title: 'Flow: each logical packet at every point (handshake, request, response first/last, FIN, RST)',
      testid: 'flow-table', rowTestid: 'flow-row', columns: flowColumns(report.captures),
      csvName: 'match_flow.csv', emptyText: 'No stream of the first capture was followed.',
      rowAttrs: (r) => ({ event: r.event, frames: flowFrames(r) }),
    });
    flow.setRows(Array.isArray(report.flow) ? report.flow : []);
    replaceChildren(results,
      pairs.length > 1 ? h('div', { class: 'pane-head' }, h('h3', {}, 'Pair'), select) : null,
      pairSlot, flow.element);
    results.hidden = false;
    function showPair(index) {
      const pair = pairs[index];
      replaceChildren(pairSlot, pair ? renderPair(pair, index, report) : h('div', { class: 'pane-hint' }, 'No capture pair.'));
    }
    showPair(0);
  }

  function renderPair(pair, pairIndex, report) {
    const labelOf = (i) => (report.captures && report.captures[i] ? report.captures[i].label : letter(i));
    const la = labelOf(pair.a), lb = labelOf(pair.b);
    const slug = (s) => String(s).replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40);
    const base = `match_${slug(la)}_${slug(lb)}`;
    const matches = Array.isArray(pair.matches) ? pair.matches : [];

    // Clock summary.
    const facts = clockFacts(pair.clock);
    const clock = h('div', { class: 'pane', dataset: { testid: 'match-clock' } },
      h('div', { class: 'pane-head' }, h('h3', {}, `Clock: ${lb} relative to ${la}`)),
      facts.length
        ? h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { fact: k } }, v)]))
        : h('div', { class: 'pane-hint' }, 'No clock estimate (too few packets seen at both points).'));

    // Match table with filters.
    const methodSelect = h('select', { 'aria-label': 'Filter by method', dataset: { testid: 'match-filter-method' } },
      h('option', { value: '' }, 'any method'), methodsOf(matches).map((m) => h('option', { value: m }, m)));
    const minConf = h('input', { type: 'number', min: 0, max: 1, step: 0.05, placeholder: '0', class: 'match-conf', 'aria-label': 'Minimum confidence', dataset: { testid: 'match-filter-confidence' } });
    const compare = h('div', { class: 'match-compare', dataset: { testid: 'match-compare' }, hidden: true });
    const table = createDataTable({
      title: `Matched streams (${la} ↔ ${lb})`, testid: 'match-table', rowTestid: 'match-row', columns: MATCH_COLUMNS,
      csvName: `${base}_matches.csv`, emptyText: 'No stream matched.',
      rowAttrs: (m) => ({ proto: m.proto, aStream: m.a_stream, bStream: m.b_stream, method: m.method }),
      onSelect: (m) => openCompare(compare, m, pair, pairIndex, base),
    });
    const applyFilter = () => {
      const v = minConf.value === '' ? null : Number(minConf.value);
      table.setRows(filterMatches(matches, { method: methodSelect.value, minConfidence: v }));
    };
    methodSelect.addEventListener('change', applyFilter);
    minConf.addEventListener('input', applyFilter);
    applyFilter();
    const filters = h('div', { class: 'match-filters' }, h('label', {}, 'Method ', methodSelect), h('label', {}, 'Confidence ≥ ', minConf));

    const side = (rows) => (Array.isArray(rows) ? rows : []);
    const unmatchedA = createDataTable({ title: `Unmatched streams in ${la}`, testid: 'unmatched-a', rowTestid: 'unmatched-row', columns: UNMATCHED_COLUMNS, csvName: `${base}_unmatched_a.csv`, emptyText: 'None.' });
    unmatchedA.setRows(side(pair.unmatched_a));
    const unmatchedB = createDataTable({ title: `Unmatched streams in ${lb}`, testid: 'unmatched-b', rowTestid: 'unmatched-row', columns: UNMATCHED_COLUMNS, csvName: `${base}_unmatched_b.csv`, emptyText: 'None.' });
    unmatchedB.setRows(side(pair.unmatched_b));
    const missing = createDataTable({ title: 'Missing SYNs (connection attempts seen a different number of times)', testid: 'missing-syn', rowTestid: 'missing-syn-row', columns: MISSING_SYN_COLUMNS, csvName: `${base}_missing_syn.csv`, emptyText: 'None.' });
    missing.setRows(side(pair.missing_syn));
    const lost = createDataTable({ title: 'Packets lost between the points', testid: 'lost', rowTestid: 'lost-row', columns: LOST_COLUMNS, csvName: `${base}_lost.csv`, emptyText: 'None.',
      rowAttrs: (r) => ({ capture: r.capture, frame: r.frame }) });
    lost.setRows(side(pair.lost).map((r) => ({ ...r, capture: r.capture === 'a' ? `${la} (A)` : r.capture === 'b' ? `${lb} (B)` : r.capture })));

    return h('div', { class: 'match-pair' }, clock, filters, table.element, compare,
      h('div', { class: 'match-sides' }, unmatchedA.element, unmatchedB.element), missing.element, lost.element);
  }

  /**
   * Match `m` in detail: what the path changed in the stream, the per-packet diff of its paired
   * packets, and both streams side by side (each capture's Follow view and packet list).
   */
  function openCompare(slot, m, pair, pairIndex, base) {
    const name = `${base}_${m.proto}_${m.a_stream}_${m.b_stream}`;
    const changes = createDataTable({
      title: 'What the path changed in this stream', testid: 'match-changes', rowTestid: 'change-row', columns: CHANGE_COLUMNS,
      csvName: `${name}_changes.csv`, emptyText: 'Nothing: the stream looks the same at both points.',
      rowAttrs: (c) => ({ what: c.what, dir: c.dir }),
    });
    changes.setRows(Array.isArray(m.changes) ? m.changes : []);
    const diff = createDataTable({
      title: 'Packets at both points (fields that differ are highlighted)', testid: 'packet-diff', rowTestid: 'packet-diff-row',
      columns: PACKET_DIFF_COLUMNS, csvName: `${name}_packets.csv`, emptyText: 'No packets.',
      rowAttrs: (r) => ({ status: r.status, aFrame: r.a ? r.a.frame : null, bFrame: r.b ? r.b.frame : null, differs: (r.differs || []).join(',') }),
      cellClass: (r, c) => (packetCellDiffers(r, c) ? 'cell-differs' : null),
    });
    const diffNote = h('div', { class: 'pane-hint', dataset: { testid: 'packet-diff-status' } }, 'Loading the packet pairs…');
    const runRpc = matchRpc;
    if (!runRpc) diffNote.textContent = 'The match run is gone; run the match again for the per-packet diff.';
    else {
      runRpc.call('packetDiff', [pairIndex, m.proto, m.a_stream, m.b_stream]).then((d) => {
        if (!d) {
          diffNote.textContent = 'Not the same connection at both points (an application-level link, e.g. through a proxy): no packet pairs.';
          diff.element.hidden = true;
          return;
        }
        diffNote.textContent = d.truncated ? 'Only the first rows are listed.' : '';
        diff.setRows(d.rows);
        diff.element.dataset.state = 'done';
      }, (err) => { diffNote.textContent = `could not pair the packets: ${err.message}`; });
    }

    const sides = [[pair.a, m.a_stream, m.a_tuple], [pair.b, m.b_stream, m.b_tuple]];
    const follows = [];
    const lists = [];
    sides.forEach(([index, stream, tuple]) => {
      const capture = lastRun.captures[index];
      const label = lastRun.report.captures && lastRun.report.captures[index] ? lastRun.report.captures[index].label : letter(index);
      const heading = h('div', { class: 'pane-head' }, h('h3', { title: tuple || '' }, `${letter(index)} · ${label}: ${String(m.proto).toUpperCase()} stream ${stream}`),
        h('span', { class: 'pane-hint' }, tuple || ''));
      const followSlot = h('div', { class: 'match-side', dataset: { testid: 'match-follow', capture: index, stream } }, heading);
      const listSlot = h('div', { class: 'table-slot' });
      const listPane = h('div', { class: 'pane match-side', dataset: { testid: 'match-side', capture: index, stream } },
        h('div', { class: 'pane-head' }, h('h3', {}, `${letter(index)} · ${label}: packets`)), listSlot);
      follows.push(followSlot);
      lists.push(listPane);
      if (!capture || !capture.rpc) {
        followSlot.append(h('div', { class: 'pane-hint' }, 'This capture is no longer open.'));
        return;
      }
      const summary = () => capture.summary || null;
      const follow = createFollowView({
        rpc: capture.rpc,
        streamCount: (proto) => { const s = summary(); return s ? Number(proto === 'udp' ? s.udp_streams : s.tcp_streams) || 0 : 0; },
        firstTsNs: () => { const s = summary(); return s ? s.first_ts_ns : null; },
      });
      followSlot.append(follow.element);
      follow.open(m.proto, stream);
      capture.rpc.call('framesOfStream', [m.proto, stream]).then((frames) => {
        const list = createPacketList(frames, {
          firstTsNs: summary() ? summary().first_ts_ns : null,
          loadRows: (numbers) => capture.rpc.call('packetRows', [numbers]),
          onError: (err) => listSlot.append(h('div', { class: 'error' }, `could not read packets: ${err.message}`)),
        });
        replaceChildren(listSlot, list.element);
      }, (err) => replaceChildren(listSlot, h('div', { class: 'error' }, `could not list the packets (is the capture indexed?): ${err.message}`)));
    });
    replaceChildren(slot, h('div', { class: 'pane-head' }, h('h3', {}, `Match ${m.method} · confidence ${typeof m.confidence === 'number' ? m.confidence.toFixed(2) : ''}`),
      m.translation ? h('span', { class: 'pane-hint' }, `translation ${m.translation}`) : null),
    changes.element, diffNote, diff.element,
    h('div', { class: 'match-sides' }, follows), h('div', { class: 'match-sides' }, lists));
    slot.hidden = false;
  }

  refresh();
  return { element, refresh };
}
