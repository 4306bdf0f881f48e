// The protocol hierarchy of a capture (Wireshark's Statistics › Protocol Hierarchy, tshark
// -z io,phs): one row per protocol node, indented by depth, with frames and bytes and their share
// of the capture. Rows come from the core (StatsHandle.protocolHierarchy); the http / tls nodes
// (and tshark's tcp.segments with them), which need reassembled TCP streams, arrive later from the
// capture's worker (`appNodes`, a promise of CaptureHandle.appHierarchy's nodes) and are merged in
// (phs_app_nodes.js); a note says so meanwhile, or why they are missing. CSV export of the rows shown.
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';
import { mergeAppNodes } from '../phs_app_nodes.js';

const CSV_KEYS = ['path', 'proto', 'depth', 'frames', 'bytes'];

/**
 * Mounts the table for `rows` ({ depth, proto, path, frames, bytes }, depth first); `appNodes`
 * (optional) resolves to the http / tls nodes to add ([{ parent, proto, frames, bytes }]).
 */
export function createProtocolHierarchy(rows, { name, appNodes = null }) {
  let shown = rows;
  const totalFrames = rows.filter((r) => r.depth === 0).reduce((a, r) => a + r.frames, 0);
  const totalBytes = rows.filter((r) => r.depth === 0).reduce((a, r) => a + r.bytes, 0);
  const pct = (v, total) => (total ? `${((100 * v) / total).toFixed(1)} %` : '–');
  const exportButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'phs-csv' },
    on: { click: () => downloadCsv(`${name}-protocol-hierarchy.csv`, toCsv(CSV_KEYS, shown.map((r) => CSV_KEYS.map((k) => r[k])))) } }, 'CSV');
  const tbody = h('tbody');
  const fill = () => replaceChildren(tbody, shown.map((r) => h('tr', { dataset: { testid: 'phs-row', proto: r.proto, path: r.path, frames: r.frames, bytes: r.bytes, depth: r.depth } },
    h('td', { class: `phs-name phs-depth-${Math.min(r.depth, 12)}` }, r.proto),
    h('td', { class: 'num' }, formatCount(r.frames)), h('td', { class: 'num' }, pct(r.frames, totalFrames)),
    h('td', { class: 'num' }, formatCount(r.bytes)), h('td', { class: 'num' }, pct(r.bytes, totalBytes)))));
  fill();
  const pending = appNodes && rows.length > 0;
  const note = h('div', { class: 'pane-hint', dataset: { testid: 'phs-app-note', state: pending ? 'running' : 'none' }, hidden: !pending },
    'HTTP/TLS: reassembling streams…');
  const element = h('div', { class: 'phs', dataset: { testid: 'phs', app: pending ? 'running' : 'none' } },
    h('div', { class: 'pane-head' }, h('h3', {}, 'Protocol hierarchy'), h('span', { class: 'spacer' }), exportButton),
    rows.length === 0 ? h('div', { class: 'pane-hint' }, 'No frames.') :
      [note, h('div', { class: 'scroll-box' }, h('table', { class: 'plain' },
        h('thead', {}, h('tr', {}, ['Protocol', 'Frames', '% frames', 'Bytes', '% bytes'].map((t) => h('th', {}, t)))),
        tbody))]);
  if (pending) {
    appNodes.then((nodes) => {
      shown = mergeAppNodes(rows, nodes);
      fill();
      note.hidden = true;
      note.dataset.state = element.dataset.app = 'done';
    }, (err) => {
      replaceChildren(note, `HTTP/TLS rows could not be computed: ${err.message}`);
      note.dataset.state = element.dataset.app = 'error';
    });
  }
  return element;
}
