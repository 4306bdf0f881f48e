// TCP stream graphs of one stream (Wireshark's Statistics › TCP Stream Graphs): Stevens, tcptrace,
// throughput, round-trip time and window scaling, for either direction, drawn with uPlot. The
// series come from the worker (`tcpGraph`, computed by the core); this file only draws them.
// Dragging over the chart zooms; double-click or "Reset" shows everything again.
import { onDetached } from '../lifecycle.js';
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, replaceChildren } from '../dom.js';
import { toCsv, downloadCsv } from '../csv.js';

export const GRAPH_KINDS = [
  ['stevens', 'Stevens (sequence)'],
  ['tcptrace', 'tcptrace'],
  ['throughput', 'Throughput'],
  ['rtt', 'Round-trip time'],
  ['window', 'Window scaling'],
];

/** How each line is drawn: stroke colour, style and y scale. */
const LINE_STYLE = {
  seq: { stroke: '#2563eb', draw: 'points' },
  segment: { stroke: '#2563eb', draw: 'bars' },
  ack: { stroke: '#a16207', draw: 'steps' },
  window: { stroke: '#16a34a', draw: 'steps' },
  sack: { stroke: '#dc2626', draw: 'bars' },
  segment_length: { stroke: '#93c5fd', draw: 'points' },
  average: { stroke: '#dc2626', draw: 'line', scale: 'rate' },
  rtt: { stroke: '#7c3aed', draw: 'points' },
  bytes_in_flight: { stroke: '#2563eb', draw: 'points' },
};

const UNIT_LABEL = { seq: 'relative sequence number', bytes: 'bytes', 'bytes/s': 'bytes/s', s: 'seconds' };

/**
 * Mounts the graph panel of TCP stream `stream`. The direction selector offers node 0 (the
 * direction of the stream's first packet, as Follow's) and node 1, named from the first graph.
 */
export function createTcpGraph({ rpc, stream, name }) {
  let kind = 'tcptrace';
  let node = 0;
  let xAxis = 'time';
  let graph = null;
  let plot = null;
  let request = 0;
  const kindSelect = h('select', { dataset: { testid: 'tcp-graph-kind' }, 'aria-label': 'Graph kind', on: { change: () => { kind = kindSelect.value; load(); } } },
    GRAPH_KINDS.map(([k, label]) => h('option', { value: k, selected: k === kind }, label)));
  const nodeSelect = h('select', { dataset: { testid: 'tcp-graph-node' }, 'aria-label': 'Direction', on: { change: () => { node = Number(nodeSelect.value); load(); } } },
    ['node 0 (sender of the first packet)', 'node 1'].map((label, i) => h('option', { value: i }, label)));
  const xSelect = h('select', { dataset: { testid: 'tcp-graph-x' }, 'aria-label': 'X axis', hidden: true, on: { change: () => { xAxis = xSelect.value; draw(); } } },
    h('option', { value: 'time' }, 'vs time'), h('option', { value: 'seq' }, 'vs sequence number'));
  const reset = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: () => draw() } }, 'Reset zoom');
  const csvButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'tcp-graph-csv' }, on: { click: () => graph && downloadCsv(`${name}-stream${stream}-${kind}-node${node}.csv`, csv(graph)) } }, 'CSV');
  const hint = h('span', { class: 'pane-hint' }, 'Drag over the chart to zoom.');
  const chartBox = h('div', { class: 'tcp-graph-chart' });
  const legend = h('div', { class: 'tcp-graph-legend' });
  const element = h('div', { class: 'tcp-graph', dataset: { testid: 'tcp-graph', stream, kind, node, status: 'loading' } },
    h('div', { class: 'pane-head' }, h('h4', {}, 'Graphs'), kindSelect, nodeSelect, xSelect, hint, h('span', { class: 'spacer' }), reset, csvButton),
    chartBox, legend);
  chartBox.addEventListener('dblclick', () => draw());

  function load() {
    const mine = ++request;
    element.dataset.status = 'loading';
    element.dataset.kind = kind;
    element.dataset.node = node;
    xSelect.hidden = kind !== 'rtt';
    rpc.call('tcpGraph', [stream, kind, node]).then((g) => {
      if (mine !== request) return;
      graph = g;
      const [a, b] = g.node === 0 ? [g.from, g.to] : [g.to, g.from];
      nodeSelect.options[0].textContent = `${a} → ${b}`;
      nodeSelect.options[1].textContent = `${b} → ${a}`;
      draw();
    }, (err) => {
      if (mine !== request) return;
      destroy();
      replaceChildren(chartBox, h('div', { class: 'error' }, `Could not compute the graph: ${err.message}`));
      element.dataset.status = 'failed';
    });
  }

  function destroy() {
    if (plot) plot.destroy();
    plot = null;
  }

  function draw() {
    if (!graph) return;
    destroy();
    replaceChildren(chartBox);
    const bySeq = kind === 'rtt' && xAxis === 'seq';
    // One x index per point of every line (aligned data; equal x values may repeat).
    const points = [];
    graph.lines.forEach((line, li) => line.points.forEach((p) => {
      const x = bySeq ? p.seq : p.time;
      if (x !== null && x !== undefined) points.push([x, li, p]);
    }));
    points.sort((a, b) => a[0] - b[0]);
    const count = points.length;
    element.dataset.points = count;
    replaceChildren(legend, graph.lines.map((l) => h('span', { class: 'tcp-graph-key', dataset: { line: l.name, points: l.points.length, last: l.points.length ? l.points[l.points.length - 1].value : null } },
      h('span', { class: 'swatch', dataset: { line: l.name } }), `${l.name.replace(/_/g, ' ')} (${l.points.length})`)));
    if (!count) {
      replaceChildren(chartBox, h('div', { class: 'loading' }, 'Nothing to draw for this direction.'));
      element.dataset.status = 'done';
      return;
    }
    const x = points.map((p) => p[0]);
    const lineCount = graph.lines.length;
    const ys = graph.lines.map((_, li) => points.map(([, pl, p]) => (pl === li ? p.value : null)));
    // Range tops (tcptrace segments and SACK blocks) join the y range through a hidden series.
    const tops = points.map(([, , p]) => (p.top === null || p.top === undefined ? null : p.top));
    const hasTops = tops.some((t) => t !== null);
    const series = [{ label: bySeq ? 'seq' : 'seconds' }];
    const leftUnit = graph.lines.find((l) => (LINE_STYLE[l.name] || {}).scale !== 'rate')?.unit || 'bytes';
    graph.lines.forEach((l) => {
      const st = LINE_STYLE[l.name] || { stroke: '#444', draw: 'points' };
      const s = { label: l.name.replace(/_/g, ' '), stroke: st.stroke, width: 1.25, scale: st.scale || 'y', spanGaps: true };
      if (st.draw === 'points' || st.draw === 'bars') {
        s.paths = () => null;
        s.points = { show: st.draw === 'points', size: 4, stroke: st.stroke, fill: st.stroke };
      } else {
        s.paths = st.draw === 'steps' ? uPlot.paths.stepped({ align: 1 }) : uPlot.paths.linear();
        s.points = { show: false };
      }
      series.push(s);
    });
    if (hasTops) series.push({ label: 'range top', stroke: 'transparent', paths: () => null, points: { show: false }, scale: 'y', spanGaps: true });
    const data = [x, ...ys, ...(hasTops ? [tops] : [])];
    const bars = graph.lines.map((l, li) => ((LINE_STYLE[l.name] || {}).draw === 'bars' ? li : -1)).filter((li) => li >= 0);
    const axes = [
      { label: bySeq ? 'relative sequence number of the acknowledged segment' : 'seconds since the first packet' },
      { label: UNIT_LABEL[leftUnit] || leftUnit, size: 70 },
    ];
    const scales = { x: { time: false }, y: {} };
    if (graph.lines.some((l) => (LINE_STYLE[l.name] || {}).scale === 'rate')) {
      scales.rate = {};
      axes.push({ side: 1, scale: 'rate', label: 'bytes/s', grid: { show: false }, size: 70 });
    }
    const width = Math.max(320, Math.floor(chartBox.getBoundingClientRect().width || 800));
    plot = new uPlot({
      width, height: 300, scales, axes, series,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: {
        // Vertical bars from value to top for range lines (tcptrace segments, SACK blocks).
        draw: [(u) => {
          if (!bars.length) return;
          const { ctx } = u;
          const [i0, i1] = u.series[0].idxs || [0, count - 1];
          ctx.save();
          ctx.beginPath();
          ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
          ctx.clip();
          for (const li of bars) {
            ctx.strokeStyle = LINE_STYLE[graph.lines[li].name].stroke;
            ctx.lineWidth = 2 * (window.devicePixelRatio || 1);
            ctx.beginPath();
            for (let i = i0; i <= i1; i++) {
              const [xv, pl, p] = points[i];
              if (pl !== li) continue;
              const px = u.valToPos(xv, 'x', true);
              ctx.moveTo(px, u.valToPos(p.value, 'y', true));
              ctx.lineTo(px, u.valToPos(p.top ?? p.value, 'y', true) - 1);
            }
            ctx.stroke();
          }
          ctx.restore();
        }],
      },
    }, data, chartBox);
    // uPlot keeps every chart until destroy(): release it when the graph leaves the page.
    const drawn = plot;
    if (element.isConnected) onDetached(element, () => { if (plot === drawn) destroy(); });
    element.dataset.status = 'done';
    element.dataset.lines = lineCount;
  }

  function csv(g) {
    const rows = [];
    for (const l of g.lines) for (const p of l.points) rows.push([l.name, p.frame, p.time.toFixed(9), p.value, p.top ?? '', p.seq ?? '']);
    return toCsv(['line', 'frame', 'time', 'value', 'top', 'seq'], rows);
  }

  // Loaded once the element is in the page, so the chart takes the width it is given.
  requestAnimationFrame(load);
  return { element };
}
