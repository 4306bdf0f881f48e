// The protocol hierarchy of a capture (Wireshark's Statistics › Protocol Hierarchy, tshark
// -z io,phs): one row per protocol node, indented by depth, with frames and bytes and their share
// of the capture. Rows come from the core (StatsHandle.protocolHierarchy); CSV export.
import { h } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';

const CSV_KEYS = ['path', 'proto', 'depth', 'frames', 'bytes'];

/** Mounts the table for `rows` ({ depth, proto, path, frames, bytes }, depth first). */
export function createProtocolHierarchy(rows, { name }) {
  const totalFrames = rows.filter((r) => r.depth === 0).reduce((a, r) => a + r.frames, 0);
  const totalBytes = rows.filter((r) => r.depth === 0).reduce((a, r) => a + r.bytes, 0);
  const pct = (v, total) => (total ? `${((100 * v) / total).toFixed(1)} %` : '–');
  const exportButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'phs-csv' },
    on: { click: () => downloadCsv(`${name}-protocol-hierarchy.csv`, toCsv(CSV_KEYS, rows.map((r) => CSV_KEYS.map((k) => r[k])))) } }, 'CSV');
  return h('div', { class: 'phs', dataset: { testid: 'phs' } },
    h('div', { class: 'pane-head' }, h('h3', {}, 'Protocol hierarchy'), h('span', { class: 'spacer' }), exportButton),
    rows.length === 0 ? h('div', { class: 'pane-hint' }, 'No frames.') :
      h('div', { class: 'scroll-box' }, h('table', { class: 'plain' },
        h('thead', {}, h('tr', {}, ['Protocol', 'Frames', '% frames', 'Bytes', '% bytes'].map((t) => h('th', {}, t)))),
        h('tbody', {}, rows.map((r) => h('tr', { dataset: { testid: 'phs-row', proto: r.proto, path: r.path, frames: r.frames, bytes: r.bytes, depth: r.depth } },
          h('td', { class: `phs-name phs-depth-${Math.min(r.depth, 12)}` }, r.proto),
          h('td', { class: 'num' }, formatCount(r.frames)), h('td', { class: 'num' }, pct(r.frames, totalFrames)),
          h('td', { class: 'num' }, formatCount(r.bytes)), h('td', { class: 'num' }, pct(r.bytes, totalBytes))))))));
}
