// The capture summary: container format, packets, bytes, time span, link types, streams, warnings.
// data-packets (frames read) is set only once indexing has ended.
import { h, replaceChildren } from '../dom.js';
import { describeFormat, formatBytes, formatCount, formatEpochNs, formatSeconds, linktypeName, spanSeconds } from '../state.js';

/** Mounts an empty summary (filled by `show`). */
/** How much of the file the summary covers, by capture status. */
const READ_TEXT = { done: 'whole file', cancelled: 'partial (cancelled)', damaged: 'partial (damaged file)', partial: 'partial (memory budget reached)' };

/** `, 3 MiB moved to local storage` when the index spilled its cold columns to OPFS (worker.js). */
function spilledText(bytes) {
  return Number(bytes) > 0 ? `, ${formatBytes(Number(bytes))} of it moved to local storage (over the memory budget)` : '';
}

export function createSummaryPanel() {
  const element = h('div', { class: 'summary', dataset: { testid: 'summary' }, hidden: true });

  return {
    element,
    /** Shows a Summary from the worker; `status` is done | cancelled | damaged. */
    show(summary, status) {
      const info = summary.info || {};
      const span = spanSeconds(summary.first_ts_ns, summary.last_ts_ns);
      const items = [
        ['Format', describeFormat(info)],
        ['Packets', formatCount(summary.frames)],
        ['Bytes on wire', `${formatCount(summary.wire_bytes)} (${formatBytes(summary.wire_bytes)})`],
        ['First packet', formatEpochNs(summary.first_ts_ns)],
        ['Last packet', formatEpochNs(summary.last_ts_ns)],
        ['Duration', span === null ? '' : `${formatSeconds(span, 6)} s`],
        ['Link types', (summary.linktypes || []).map(linktypeName).join(', ')],
        ['TCP streams', formatCount(summary.tcp_streams)],
        ['UDP streams', formatCount(summary.udp_streams)],
        ['Index', Number.isFinite(summary.index_bytes_per_packet) ? `${summary.index_bytes_per_packet.toFixed(1)} bytes/packet${spilledText(summary.index_spilled_bytes)}` : ''],
        ['Read', READ_TEXT[status] || 'partial'],
      ];
      const warnings = info.warnings || [];
      replaceChildren(element,
        h('dl', { class: 'facts' }, items.filter(([, v]) => v !== '').map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        warnings.length ? h('details', { class: 'warnings', open: warnings.length <= 3 },
          h('summary', {}, `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`),
          h('ul', {}, warnings.map((w) => h('li', {}, w)))) : null);
      element.dataset.packets = String(summary.frames);
      element.dataset.status = status;
      element.hidden = false;
    },
  };
}
