// The endpoints table with where-in-the-world: each address's country and AS number from a GeoIP
// database (the site's bundled open database, or a .mmdb the user drops here), bytes per country as
// a bar chart (uPlot), and a country filter. Every lookup runs in the capture's worker, in memory.
import { onDetached } from '../lifecycle.js';
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';

const ENDPOINT_KEYS = ['address', 'packets', 'bytes', 'tx_packets', 'tx_bytes', 'rx_packets', 'rx_bytes', 'conversations'];
const GEO_KEYS = ['country', 'asn', 'as_org'];
/** Endpoint rows drawn (the CSV holds all). */
const MAX_ENDPOINT_ROWS = 1000;
/** Countries drawn in the chart (the largest; the list below it has all). */
const MAX_CHART_COUNTRIES = 30;
const ATTRIBUTION = 'Countries: ip-location-db geo-whois-asn-country (data CC BY 4.0, NRO — nro.net).';

/** Mounts the table for `rows` (the core's endpoint rows); `rpc` is the capture's worker client. */
export function createEndpointTable({ rpc, rows, name }) {
  let geo = null; // { rows, countries, database, source }
  let country = ''; // filter: '' = all
  const count = h('h3', {});
  const csvButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: csv } }, 'CSV');
  const filter = h('select', { 'aria-label': 'Filter endpoints by country', dataset: { testid: 'country-filter' }, hidden: true, on: { change: () => { country = filter.value; renderRows(); } } });
  const dbInput = h('input', { type: 'file', accept: '.mmdb', class: 'visually-hidden', dataset: { testid: 'geoip-input' }, 'aria-label': 'GeoIP database (.mmdb)', on: { change: () => loadDb(dbInput.files && dbInput.files[0]) } });
  const dbButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', title: 'Use your own MaxMind DB (e.g. GeoLite2-Country or GeoLite2-ASN .mmdb); it stays on this machine', on: { click: () => dbInput.click() } }, 'GeoIP database…');
  const geoState = h('div', { class: 'pane-hint', dataset: { testid: 'geoip-state' } }, 'Looking up countries…');
  const tbody = h('tbody');
  const thead = h('thead');
  const chart = h('div', { class: 'country-chart', dataset: { testid: 'country-chart' }, hidden: true });
  const element = h('div', { class: 'endpoints', dataset: { geo: 'loading' } },
    h('div', { class: 'pane-head' }, count, h('span', { class: 'spacer' }), filter, dbButton, dbInput, csvButton),
    geoState,
    h('div', { class: 'scroll-box' }, h('table', { class: 'plain', dataset: { testid: 'endpoint-table' } }, thead, tbody)),
    chart);
  // Drop a .mmdb anywhere on the table.
  element.addEventListener('dragover', (e) => { e.preventDefault(); });
  element.addEventListener('drop', (e) => {
    const f = e.dataTransfer && e.dataTransfer.files[0];
    if (f && /\.mmdb$/i.test(f.name)) { e.preventDefault(); e.stopPropagation(); loadDb(f); }
  });

  const geoOf = (i) => (geo ? geo.rows[i] : null);

  function renderRows() {
    const withGeo = Boolean(geo);
    replaceChildren(thead, h('tr', {}, ['Address', 'Packets', 'Bytes', 'Tx packets', 'Tx bytes', 'Rx packets', 'Rx bytes', 'Conversations', ...(withGeo ? ['Country', 'ASN'] : [])].map((t) => h('th', {}, t))));
    const shown = [];
    for (let i = 0; i < rows.length && shown.length < MAX_ENDPOINT_ROWS; i++) {
      const g = geoOf(i);
      if (country && (g ? g.country || '?' : '?') !== country) continue;
      shown.push(h('tr', { dataset: { testid: 'endpoint-row', addr: rows[i].address, country: g ? g.country || '' : null, asn: g && g.asn !== null ? g.asn : null } },
        ENDPOINT_KEYS.map((k, j) => h('td', { class: j ? 'num' : '' }, j ? formatCount(rows[i][k]) : String(rows[i][k]))),
        withGeo ? [h('td', {}, g.country || '–'), h('td', { class: 'num', title: g.as_org || '' }, g.asn === null || g.asn === undefined ? '–' : `AS${g.asn}`)] : null));
    }
    replaceChildren(tbody, shown);
    replaceChildren(count, `Endpoints (${formatCount(rows.length)})`);
    element.dataset.rows = String(shown.length);
  }

  function renderGeo() {
    const countries = geo.countries;
    replaceChildren(filter, h('option', { value: '' }, 'All countries'),
      countries.map((c) => h('option', { value: c.country || '?' }, `${c.country || 'unknown'} (${formatCount(c.endpoints)})`)));
    filter.value = countries.some((c) => (c.country || '?') === country) ? country : '';
    country = filter.value;
    filter.hidden = false;
    replaceChildren(geoState, geo.source === 'bundled' ? ATTRIBUTION : `Countries from ${geo.source} (${geo.database}).`);
    element.dataset.geo = 'done';
    renderRows();
    renderChart(countries);
  }

  function renderChart(countries) {
    const top = countries.slice(0, MAX_CHART_COUNTRIES);
    chart.hidden = false;
    chart.dataset.countries = String(countries.length);
    const list = h('table', { class: 'plain country-list' },
      h('thead', {}, h('tr', {}, ['Country', 'Endpoints', 'Packets', 'Bytes'].map((t) => h('th', {}, t)))),
      h('tbody', {}, countries.map((c) => h('tr', { dataset: { testid: 'country-row', country: c.country, bytes: c.bytes, endpoints: c.endpoints } },
        h('td', {}, c.country || 'unknown'), h('td', { class: 'num' }, formatCount(c.endpoints)), h('td', { class: 'num' }, formatCount(c.packets)), h('td', { class: 'num' }, formatCount(c.bytes))))));
    const plotBox = h('div', { class: 'country-plot' });
    replaceChildren(chart, h('h4', {}, 'Bytes per country'), plotBox, list);
    if (top.length === 0) return;
    const labels = top.map((c) => c.country || '?');
    const width = Math.max(320, Math.min(900, chart.clientWidth || 600));
    const plot = new uPlot({
      width, height: 220,
      scales: { x: { time: false, range: [-0.5, top.length - 0.5] } },
      axes: [
        { values: (u, splits) => splits.map((v) => (Number.isInteger(v) && labels[v] !== undefined ? labels[v] : '')), splits: () => labels.map((_, i) => i) },
        { values: (u, splits) => splits.map((v) => formatCount(v)), size: 70 },
      ],
      series: [{}, { label: 'bytes', fill: 'rgba(60, 120, 200, 0.5)', stroke: 'rgb(60, 120, 200)', paths: uPlot.paths.bars({ size: [0.7, 60] }), points: { show: false } }],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
    }, [labels.map((_, i) => i), top.map((c) => c.bytes)], plotBox);
    // uPlot keeps every chart until destroy(): release it with the box (a redraw or a closed capture).
    onDetached(plotBox, () => plot.destroy());
  }

  function csv() {
    const header = geo ? [...ENDPOINT_KEYS, ...GEO_KEYS] : ENDPOINT_KEYS;
    downloadCsv(`${name}-endpoints.csv`, toCsv(header, rows.map((r, i) => [...ENDPOINT_KEYS.map((k) => r[k]), ...(geo ? GEO_KEYS.map((k) => geo.rows[i][k]) : [])])));
  }

  function locate(dbBytes = null, dbName = null) {
    element.dataset.geo = 'loading';
    return rpc.call('geoLocate', [rows, dbBytes, dbName]).then((result) => { geo = result; renderGeo(); }, (err) => {
      element.dataset.geo = 'failed';
      replaceChildren(geoState, `No countries: ${err.message}`);
    });
  }

  async function loadDb(file) {
    if (!file) return;
    locate(new Uint8Array(await file.arrayBuffer()), file.name);
  }

  renderRows();
  if (rows.length) locate(); else replaceChildren(geoState, '');
  return { element };
}
