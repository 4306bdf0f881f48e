// The IO graph of a capture: packets, bytes, SYN and RST per interval (uPlot, vendored). Dragging
// over the chart zooms to that time range and reports it (the conversation list filters to it);
// double-click or "Reset" shows everything again. The values are also listed in a table, and the
// top talkers (TopTalkers.js) of the interval under the cursor, the brushed range or the capture.
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, replaceChildren } from '../dom.js';
import { toCsv, downloadCsv } from '../csv.js';
import { onDetached } from '../lifecycle.js';
import { themeColor, onThemeChange } from '../theme.js';
import { createTopTalkers } from './TopTalkers.js';

/** Rows listed in the values table (the chart shows all of them). */
const MAX_TABLE_ROWS = 2000;

const CSV_HEADER = ['start', 'end', 'frames', 'bytes', 'syn', 'synack', 'rst', 'fin', 'retrans', 'arp', 'icmp', 'dns'];

/**
 * Mounts an IO graph for `io` ({ interval_ms, rows }) with the top talkers of `talkers`
 * (StatsHandle.topTalkers, optional); onRange([start, end] | null) on brush (a drag, or a range
 * typed in the from/to inputs). `filter`: the display filter the rows are limited to (shown, and
 * in `data-filter`), null for the whole capture.
 */
export function createIoGraph(io, { name, onRange, talkers = null, filter = null }) {
  const rows = io.rows;
  const seconds = io.interval_ms / 1000;
  const chartBox = h('div', { class: 'io-chart' });
  const rangeText = h('span', { class: 'pane-hint' }, 'Drag over the chart to zoom and filter the conversations to that time.');
  const reset = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: () => clear() } }, 'Reset');
  // The keyboard's way to choose a time range (the same as a drag over the chart).
  const rangeInput = (label, placeholder, testid) => h('input', {
    type: 'number', step: 'any', min: 0, class: 'io-range-input', 'aria-label': label, title: label, placeholder, dataset: { testid },
    on: { keydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); zoomToInputs(); } } },
  });
  const fromInput = rangeInput('Time range start (s since the first packet)', 'from', 'io-range-from');
  const toInput = rangeInput('Time range end (s since the first packet)', 'to', 'io-range-to');
  const zoomButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'io-range-apply' }, on: { click: () => zoomToInputs() } }, 'Zoom');
  const rangeBox = h('span', { class: 'io-range' }, fromInput, '–', toInput, 's', zoomButton);
  const exportButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'io-csv' }, on: { click: () => downloadCsv(`${name}-io-${seconds}s.csv`, csv()) } }, 'CSV');
  const table = h('table', { class: 'plain' },
    h('thead', {}, h('tr', {}, ['start s', 'frames', 'bytes', 'SYN', 'SYN/ACK', 'RST', 'FIN', 'retrans'].map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.slice(0, MAX_TABLE_ROWS).map((r) => h('tr', { dataset: { testid: 'io-row', start: r.start, frames: r.frames, bytes: r.bytes, syn: r.syn, rst: r.rst } },
      [r.start, r.frames, r.bytes, r.syn, r.synack, r.rst, r.fin, r.retrans].map((v) => h('td', { class: 'num' }, String(v)))))));
  const values = h('details', { class: 'io-values' }, h('summary', {}, `Values (${rows.length} intervals${rows.length > MAX_TABLE_ROWS ? `, first ${MAX_TABLE_ROWS} listed` : ''})`), table);
  const talkersView = talkers ? createTopTalkers(talkers, { name }) : null;
  const limited = filter === null ? null : h('div', { class: 'pane-hint', dataset: { testid: 'io-filter' } }, `Limited to the display filter: ${filter}`);
  const element = h('div', { class: 'io-graph', dataset: { testid: 'io-graph', interval: seconds, rows: rows.length } },
    h('div', { class: 'pane-head' }, h('h3', {}, `IO graph (${seconds} s intervals)`), rangeText, h('span', { class: 'spacer' }), rangeBox, reset, exportButton),
    limited, chartBox, talkersView && talkersView.element, values);
  if (filter !== null) element.dataset.filter = filter;

  const x = rows.map((r) => r.start);
  const data = [x, rows.map((r) => r.frames), rows.map((r) => r.bytes), rows.map((r) => r.syn), rows.map((r) => r.rst)];
  let plot = null;
  let ready = false;
  const full = [x[0] ?? 0, x[x.length - 1] ?? 0];
  let current = null;
  let wanted = null; // a range set (from a link) before the chart was drawn
  function report(range) {
    // Only changes are reported (uPlot sets the x scale again on redraws).
    if ((range === null && current === null) || (range && current && range[0] === current[0] && range[1] === current[1])) return;
    current = range;
    if (talkersView) talkersView.showRange(range);
    fromInput.value = range ? String(Number(range[0].toFixed(6))) : '';
    toInput.value = range ? String(Number(range[1].toFixed(6))) : '';
    if (range) {
      rangeText.textContent = `Showing ${range[0].toFixed(3)} – ${range[1].toFixed(3)} s`;
      element.dataset.range = `${range[0]},${range[1]}`;
    } else {
      rangeText.textContent = 'Drag over the chart to zoom and filter the conversations to that time.';
      delete element.dataset.range;
    }
    if (onRange) onRange(range);
  }
  function draw() {
    const width = Math.max(320, Math.floor(chartBox.getBoundingClientRect().width || 800));
    plot = new uPlot({
      width, height: 220,
      scales: { x: { time: false }, bytes: {} },
      cursor: { drag: { x: true, y: false, setScale: true } },
      series: [
        { label: 'seconds' },
        { label: 'packets', stroke: '#2563eb', width: 1.5 },
        { label: 'bytes', stroke: '#9ca3af', width: 1, scale: 'bytes' },
        { label: 'SYN', stroke: '#16a34a', width: 1.5 },
        { label: 'RST', stroke: '#dc2626', width: 1.5 },
      ],
      // Axis text and grid in the theme's colours (read at each draw: see onThemeChange below).
      axes: [{ label: 'seconds since first packet', ...axisColors() }, { label: 'packets', ...axisColors() },
        { side: 1, scale: 'bytes', label: 'bytes', ...axisColors(), grid: { show: false } }],
      hooks: {
        // The top talkers follow the interval under the cursor (the range again when it leaves).
        setCursor: [(u) => {
          if (!talkersView) return;
          const i = u.cursor.idx;
          talkersView.showInterval(i === null || i === undefined || !rows[i] ? null : rows[i].index);
        }],
        // A drag zooms the x scale; the zoomed range is the brush (the full range clears it).
        setScale: [(u, key) => {
          if (key !== 'x' || !ready) return;
          const { min, max } = u.scales.x;
          if (min <= full[0] && max >= full[1]) { report(null); return; }
          report([Math.max(min, full[0]), Math.min(max, full[1])]);
        }],
      },
    }, data, chartBox);
    chartBox.addEventListener('dblclick', () => clear());
    const stopTheme = onThemeChange(() => { if (plot && element.isConnected) plot.redraw(false, true); else stopTheme(); });
    ready = true;
    // uPlot holds every chart until destroy(), and the theme listener holds this closure: release
    // both with the capture (or a redrawn panel).
    onDetached(element, () => { stopTheme(); plot.destroy(); plot = null; });
    if (wanted) show(wanted);
  }
  /** Shows `range` as the zoom and the range text; onRange is not called for it. */
  function show(range) {
    const clamped = range ? [Math.max(range[0], full[0]), Math.min(range[1], full[1])] : null;
    const callback = onRange;
    onRange = null;
    report(clamped && clamped[0] < clamped[1] ? clamped : null);
    if (plot) plot.setScale('x', current ? { min: current[0], max: current[1] } : { min: full[0], max: full[1] });
    onRange = callback;
  }
  /** Zooms to the range typed in the two inputs (reported like a drag). */
  function zoomToInputs() {
    const a = Number(fromInput.value), b = Number(toInput.value);
    if (!plot || fromInput.value === '' || toInput.value === '' || !Number.isFinite(a) || !Number.isFinite(b) || a >= b) return;
    plot.setScale('x', { min: Math.max(a, full[0]), max: Math.min(b, full[1]) });
  }
  function axisColors() {
    const text = () => themeColor('--text', '#1d2330');
    const line = () => themeColor('--border', '#d5d9e0');
    return { stroke: text, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
  }
  function clear() {
    if (plot) plot.setScale('x', { min: full[0], max: full[1] });
    report(null);
  }
  function csv() {
    return toCsv(CSV_HEADER, rows.map((r) => [r.start, r.end, ...CSV_HEADER.slice(2).map((k) => r[k])]));
  }
  // Drawn once the element is in the page (uPlot measures nothing, but the width should fit).
  requestAnimationFrame(() => { if (rows.length) draw(); else replaceChildren(chartBox, h('div', { class: 'loading' }, 'No packets.')); });
  return {
    element,
    /** Zooms to [start, end] s (null: everything) as a drag would, without calling onRange. */
    setRange(range) {
      if (ready) show(range);
      else wanted = range;
    },
  };
}
