// The Session view of one TCP conversation: endpoints, state, handshake timing, per-direction
// counters, the request/response packet lots and the ladder diagram. Loaded from the worker.
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';
import { createLadderDiagram } from './LadderDiagram.js';
import { createTcpGraph } from './TcpGraph.js';
import { createExportButton, fileNamePart } from './ExportButton.js';

const LOT_KEYS = ['number', 'direction', 'first_frame', 'first_time', 'packets', 'payload_bytes', 'duration', 'gap_since_previous'];
const DIR_KEYS = ['packets', 'ip_bytes', 'tcp_bytes', 'payload_bytes', 'isn', 'last_ack', 'window_scale', 'mss', 'sack_permitted', 'retransmissions', 'zero_windows'];

const secs = (v) => (v === null || v === undefined ? '–' : `${Number(v).toFixed(6)} s`);

/**
 * Mounts the view for TCP stream `stream`; onSelect(frame) when a ladder arrow is clicked.
 * `exportOptions` (ExportButton.js) adds download buttons for the session and each packet lot.
 */
export function createSessionView({ rpc, stream, name, onSelect, onClose, exportOptions }) {
  const closeButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: () => { element.remove(); if (onClose) onClose(); } } }, 'Close');
  const body = h('div', {}, h('div', { class: 'loading' }, `Analyzing TCP stream ${stream}…`));
  const base = fileNamePart(name.replace(/\.(pcapng|pcap)(\.gz)?$/i, ''));
  const exportButton = (scope, spec, suffix, label) => (exportOptions ? createExportButton({
    rpc, scope, spec: () => spec, options: exportOptions, label,
    fileName: (format) => `${base}-tcp${stream}${suffix}.${format}`,
  }).element : null);
  const element = h('div', { class: 'pane session', dataset: { testid: 'session', stream, status: 'loading' } },
    h('div', { class: 'pane-head' }, h('h3', {}, `Session: TCP stream ${stream}`), h('span', { class: 'spacer' }),
      exportButton('session', { stream: `tcp:${stream}` }, '', 'Download session'), closeButton), body);

  rpc.call('session', [stream]).then((result) => {
    if (!result) {
      replaceChildren(body, h('div', { class: 'error' }, `TCP stream ${stream} has no packets.`));
      element.dataset.status = 'empty';
      return;
    }
    const { session: s, ladder } = result;
    const client = `${s.client.addr}:${s.client.port}`;
    const server = `${s.server.addr}:${s.server.port}`;
    const facts = [
      ['Client', `${client}${s.missed_syn ? ' (no SYN seen: roles from the first packet)' : ''}`],
      ['Server', server],
      ['State', `${s.state}${s.closed_by ? ` (first FIN from ${s.closed_by})` : ''}`],
      ['First packet', `${s.first_packet_time.toFixed(6)}`],
      ['Connect time', s.connect_time === null ? '–' : s.connect_time.toFixed(6)],
      ['SYN → SYN/ACK', secs(s.syn_to_synack)],
      ['SYN/ACK → ACK', secs(s.synack_to_ack)],
      ['Duration', secs(s.duration)],
    ];
    const dirTable = h('table', { class: 'plain' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), DIR_KEYS.map((k) => h('th', {}, k.replace(/_/g, ' '))))),
      h('tbody', {}, [['client → server', s.client_to_server], ['server → client', s.server_to_client]].map(([label, d]) =>
        h('tr', { dataset: { testid: 'session-direction' } }, h('th', {}, label), DIR_KEYS.map((k) => h('td', { class: 'num' }, d[k] === null || d[k] === undefined ? '–' : String(d[k])))))));
    const lotCsv = () => downloadCsv(`${name}-stream${stream}-lots.csv`, toCsv(LOT_KEYS, s.lots.map((l) => LOT_KEYS.map((k) => l[k]))));
    const lotsTable = h('div', { class: 'scroll-box lots' }, h('table', { class: 'plain' },
      h('thead', {}, h('tr', {}, ['Lot', 'Direction', 'First frame', 'First time', 'Packets', 'Payload bytes', 'Duration', 'Gap since previous', exportOptions ? 'Export' : null].filter((t) => t !== null).map((t) => h('th', {}, t)))),
      h('tbody', {}, s.lots.map((l) => h('tr', { class: `lot-${(l.number - 1) % 2}`, dataset: { testid: 'lot-row', lot: l.number, frame: l.first_frame, packets: l.packets, bytes: l.payload_bytes } },
        h('td', { class: 'num' }, String(l.number)), h('td', {}, l.direction.replace(/_/g, ' ')), h('td', { class: 'num' }, String(l.first_frame)),
        h('td', { class: 'num' }, l.first_time.toFixed(6)), h('td', { class: 'num' }, formatCount(l.packets)), h('td', { class: 'num' }, formatCount(l.payload_bytes)),
        h('td', { class: 'num' }, secs(l.duration)), h('td', { class: 'num' }, secs(l.gap_since_previous)),
        exportOptions ? h('td', {}, exportButton('lot', { stream: `tcp:${stream}`, lot: l.number }, `-lot${l.number}`, 'Download')) : null)))));
    const diagram = createLadderDiagram({ arrows: ladder.arrows, lots: s.lots, client, server, name: `${name}-stream${stream}`, onSelect });
    replaceChildren(body,
      h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      dirTable,
      h('div', { class: 'pane-head' }, h('h4', {}, `Packet lots (${s.lots.length})`), h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: lotCsv } }, 'CSV')),
      lotsTable,
      ladder.dropped ? h('div', { class: 'pane-hint' }, `${formatCount(ladder.dropped)} later packets not drawn.`) : null,
      diagram.element,
      createTcpGraph({ rpc, stream, name }).element);
    element.dataset.status = 'done';
  }, (err) => {
    replaceChildren(body, h('div', { class: 'error' }, `Could not analyze the session: ${err.message}`));
    element.dataset.status = 'failed';
  });
  return { element };
}
