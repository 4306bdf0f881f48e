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
  let wantedRange = null; // a range set before the graph existed
  rpc.call('stats', [1000]).then(({ io, talkers, endpoints, expert, phs, esp }) => {
    graph = createIoGraph(io, { name, onRange, talkers });
    if (wantedRange) graph.setRange(wantedRange);
    replaceChildren(body,
      graph.element,
      h('div', { class: 'stats-row' }, createEndpointTable({ rpc, rows: endpoints, name }).element, expertTable(expert, name, onFrames)),
      // The http / tls nodes need reassembled streams: asked for once the rest is shown.
      h('div', { class: 'stats-row' }, createProtocolHierarchy(phs, { name, appNodes: phs.length ? rpc.call('appHierarchy', []) : null })),
      createEspCharts(esp, { name }));
  }, (err) => replaceChildren(body, h('div', { class: 'error' }, `Could not compute statistics: ${err.message}`)));
  return {
    element,
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
