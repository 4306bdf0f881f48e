// ESP per SPI and direction over time: one uPlot chart per stream with packets per interval, the
// sequence numbers skipped (gaps: loss unless late packets fill them), and late, early and
// duplicate packets. The series come from the core (StatsHandle.espSeries); CSV export of all rows.
import { onDetached } from '../lifecycle.js';
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';

/** Series drawn per stream: [label, colour]. */
const SERIES = [['packets', '#2563eb'], ['gap (seq skipped)', '#dc2626'], ['late', '#a16207'], ['early', '#7c3aed'], ['duplicates', '#6b7280']];

const CSV_KEYS = ['spi', 'src', 'dst', 'start', 'end', 'packets', 'bytes', 'gap', 'early', 'late', 'duplicates'];
/** Streams charted (the CSV holds all). */
const MAX_CHARTS = 24;

/** Mounts the ESP charts for `esp` ({ interval_ms, streams, rows }); null when there is no ESP. */
export function createEspCharts(esp, { name }) {
  if (!esp || esp.streams.length === 0) return null;
  const seconds = esp.interval_ms / 1000;
  const exportButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'esp-csv' },
    on: { click: () => downloadCsv(`${name}-esp-${seconds}s.csv`, toCsv(CSV_KEYS, esp.rows.map((r) => CSV_KEYS.map((k) => r[k])))) } }, 'CSV');
  const charts = esp.streams.slice(0, MAX_CHARTS).map((s, i) => espChart(s, esp.rows.filter((r) => r.stream === i), seconds));
  return h('div', { class: 'esp-charts', dataset: { testid: 'esp-charts' } },
    h('div', { class: 'pane-head' }, h('h3', {}, `ESP per SPI and direction (${seconds} s intervals)`), h('span', { class: 'spacer' }), exportButton),
    h('div', { class: 'tcp-graph-legend' }, SERIES.map(([label]) => h('span', { class: `esp-key esp-key-${label.split(' ')[0]}` }, label))),
    esp.streams.length > MAX_CHARTS ? h('div', { class: 'pane-hint' }, `First ${MAX_CHARTS} of ${esp.streams.length} streams charted; the CSV holds all.`) : null,
    h('div', { class: 'esp-grid' }, charts));
}

function espChart(s, rows, seconds) {
  const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
  const box = h('div', { class: 'esp-chart-box' });
  const element = h('div', {
    class: 'esp-chart',
    dataset: { testid: 'esp-chart', spi: s.spi, src: s.src, dst: s.dst, packets: sum('packets'), gap: sum('gap'), late: sum('late'), early: sum('early'), duplicates: sum('duplicates'), intervals: rows.length },
  },
  h('div', { class: 'esp-chart-title' }, `SPI ${s.spi}  ${s.src} → ${s.dst}`),
  h('div', { class: 'pane-hint' }, `${formatCount(s.packets)} packets, seq ${s.min_seq}–${s.max_seq}, lost ${formatCount(s.lost)}, late ${formatCount(s.late)} (max distance ${s.max_late_distance}), early ${formatCount(s.early)}, duplicates ${formatCount(s.duplicates)}`),
  box);
  // Every interval from the stream's first busy one to its last, empty ones as 0.
  const first = rows.length ? Math.round(rows[0].start / seconds) : 0;
  const last = rows.length ? Math.round(rows[rows.length - 1].start / seconds) : 0;
  const dense = rows.length && last - first < 100000;
  const byIndex = new Map(rows.map((r) => [Math.round(r.start / seconds), r]));
  const idx = dense ? Array.from({ length: last - first + 1 }, (_, i) => first + i) : rows.map((r) => Math.round(r.start / seconds));
  const col = (k) => idx.map((i) => (byIndex.get(i) ? byIndex.get(i)[k] : 0));
  const data = [idx.map((i) => i * seconds), col('packets'), col('gap'), col('late'), col('early'), col('duplicates')];
  requestAnimationFrame(() => {
    if (!rows.length) return;
    const width = Math.max(280, Math.floor(box.getBoundingClientRect().width || 420));
    const plot = new uPlot({
      width, height: 160,
      legend: { show: false },
      scales: { x: { time: false } },
      cursor: { drag: { x: true, y: false, setScale: true } },
      series: [{ label: 's' }, ...SERIES.map(([label, stroke]) => ({ label, stroke, width: 1.5 }))],
      axes: [{ label: 'seconds since first packet' }, { label: 'per interval' }],
    }, data, box);
    // uPlot keeps every chart until destroy(): release it with the capture.
    if (box.isConnected) onDetached(box, () => plot.destroy());
  });
  return element;
}
