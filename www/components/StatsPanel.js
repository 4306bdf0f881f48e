// Statistics of one capture: the IO graph (with the top talkers), the endpoints table (with countries, EndpointTable.js),
// the Expert Info summary, the protocol hierarchy and the ESP charts per SPI, each with a CSV
// export. Loaded from the worker on demand (one more read of the file; the hierarchy's http / tls
// rows come after, from the capture's worker).
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';
import { createIoGraph } from './IoGraph.js';
import { createProtocolHierarchy } from './ProtocolHierarchy.js';
import { createEspCharts } from './EspCharts.js';
import { createEndpointTable } from './EndpointTable.js';

/** Mounts the panel; `rpc` is the capture's worker client. */
export function createStatsPanel({ rpc, name, onRange, onFrames }) {
  const body = h('div', { class: 'stats-body' }, h('div', { class: 'loading' }, 'Computing statistics…'));
  const element = h('div', { class: 'pane stats', dataset: { testid: 'stats' } }, body);
  let graph = null;
  let wholeCapture = null; // { io, talkers } of every frame, kept to come back to
  let filterToken = 0; // the latest setFilter call
  let wantedFilter = null; // a filter applied before the statistics came
  let wantedRange = null; // a range set before the graph existed
  /** Replaces the IO graph by one over `io` / `talkers` (limited to `filter` when not null). */
  function showGraph({ io, talkers }, filter) {
    const next = createIoGraph(io, { name, onRange, talkers, filter });
    if (graph) graph.element.replaceWith(next.element);
    graph = next;
    if (wantedRange) graph.setRange(wantedRange);
  }
  rpc.call('stats', [1000]).then(({ io, talkers, endpoints, expert, phs, esp }) => {
    wholeCapture = { io, talkers };
    graph = createIoGraph(io, { name, onRange, talkers });
    if (wantedRange) graph.setRange(wantedRange);
    replaceChildren(body,
      graph.element,
      h('div', { class: 'stats-row' }, createEndpointTable({ rpc, rows: endpoints, name }).element, expertTable(expert, name, onFrames)),
      // The http / tls nodes need reassembled streams: asked for once the rest is shown.
      h('div', { class: 'stats-row' }, createProtocolHierarchy(phs, { name, appNodes: phs.length ? rpc.call('appHierarchy', []) : null })),
      createEspCharts(esp, { name }));
    if (wantedFilter) setFilter(wantedFilter);
  }, (err) => replaceChildren(body, h('div', { class: 'error' }, `Could not compute statistics: ${err.message}`)));
  /**
   * Limits the IO graph (and its top talkers) to the frames display filter `text` shows, one more
   * read of the file in the worker (Wireshark's IO graph display filter); null: the whole capture.
   */
  function setFilter(text) {
    const token = ++filterToken;
    wantedFilter = text;
    if (!wholeCapture) return;
    if (!text) {
      showGraph(wholeCapture, null);
      return;
    }
    if (graph) graph.element.dataset.filterPending = text;
    rpc.call('stats', [1000, text]).then((limited) => {
      if (token === filterToken) showGraph(limited, text);
    }, (err) => {
      if (token !== filterToken || !graph) return;
      delete graph.element.dataset.filterPending;
      graph.element.prepend(h('div', { class: 'error' }, `Could not limit the IO graph to the filter: ${err.message}`));
    });
  }
  return {
    element,
    setFilter,
    /** Zooms the IO graph to [start, end] s (null: everything) without reporting it back. */
    setRange(range) {
      wantedRange = range;
      if (graph) graph.setRange(range);
    },
  };
}

function expertTable(rows, name, onFrames) {
  const keys = ['severity', 'kind', 'count'];
  const exportButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: () => downloadCsv(`${name}-expert.csv`, toCsv([...keys, 'frames'], rows.map((r) => [...keys.map((k) => r[k]), r.frames.join(' ')]))) } }, 'CSV');
  return h('div', { class: 'expert', dataset: { testid: 'expert' } },
    h('div', { class: 'pane-head' }, h('h3', {}, 'Expert Info'), h('span', { class: 'spacer' }), exportButton),
    rows.length === 0 ? h('div', { class: 'pane-hint' }, 'No TCP analysis findings.') :
      h('table', { class: 'plain' },
        h('thead', {}, h('tr', {}, ['Severity', 'Finding', 'Frames'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows.map((r) => h('tr', {
          class: `sev-${r.severity} clickable`, tabindex: 0, dataset: { testid: 'expert-row', kind: r.kind, count: r.count },
          title: 'Show these packets',
          on: {
            click: () => onFrames && onFrames(`Packets with tcp.analysis.${r.kind}`, r.frames),
            keydown: (e) => { if ((e.key === 'Enter' || e.key === ' ') && onFrames) { e.preventDefault(); onFrames(`Packets with tcp.analysis.${r.kind}`, r.frames); } },
          },
        }, h('td', {}, r.severity), h('td', {}, r.kind), h('td', { class: 'num' }, formatCount(r.count)))))));
}
