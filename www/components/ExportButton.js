// Packet exports from the page: the shared export options (pcap / pcapng, an optional TLS key log)
// and download buttons for a session, a packet lot, a conversation or a time range. The worker
// builds the file from the capture's own records (wasm ExportHandle); the page saves it as a Blob
// download. Nothing leaves the machine.
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../state.js';

/** Offers `bytes` as a download named `fileName` (a Blob URL, revoked afterwards). */
export function downloadBytes(bytes, fileName, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file-name part without characters file systems dislike (IPv6 colons, slashes). */
export function fileNamePart(text) {
  return String(text).replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * The format choice and key log shared by every export button of one capture.
 * Returns { element, format, keylog, keylogName }.
 */
export function createExportOptions() {
  let keylog = null;
  let keylogName = '';
  const select = h('select', { class: 'export-format', 'aria-label': 'Export format', dataset: { testid: 'export-format' } },
    h('option', { value: 'pcapng' }, 'pcapng'), h('option', { value: 'pcap' }, 'pcap'));
  const keylogState = h('span', { class: 'pane-hint' });
  const keylogInput = h('input', {
    type: 'file', class: 'visually-hidden', dataset: { testid: 'keylog-input' },
    'aria-label': 'TLS key log for pcapng exports',
    on: {
      change: async () => {
        const f = keylogInput.files && keylogInput.files[0];
        keylog = f ? new Uint8Array(await f.arrayBuffer()) : null;
        keylogName = f ? f.name : '';
        replaceChildren(keylogState, f ? `key log: ${f.name}` : '');
        element.dataset.keylog = f ? 'loaded' : '';
      },
    },
  });
  const keylogButton = h('button', {
    type: 'button', class: 'btn btn-small btn-quiet',
    title: 'A TLS key log (SSLKEYLOGFILE) to store in pcapng exports (Decryption Secrets Block)',
    on: { click: () => keylogInput.click() },
  }, 'Key log…');
  const element = h('span', { class: 'export-options', dataset: { testid: 'export-options' } },
    h('label', {}, 'Export as ', select), keylogButton, keylogInput, keylogState);
  return {
    element,
    get format() { return select.value; },
    get keylog() { return keylog; },
    get keylogName() { return keylogName; },
  };
}

/**
 * A download button. `spec()` returns what to export ({ stream, lot, addr_a, addr_b, start, end,
 * frames, filter }); `fileName(format)` the download's name. Returns { element }.
 */
export function createExportButton({ rpc, scope, spec, options, fileName, label, title }) {
  const status = h('span', { class: 'export-status', role: 'status' });
  const button = h('button', {
    type: 'button', class: 'btn btn-small',
    title: title || 'Download these packets as a capture file (read back from the original records)',
    dataset: { testid: 'export-button', scope, status: 'idle' },
    on: { click: run },
  }, label);
  const element = h('span', { class: 'export-button' }, button, status);

  async function run() {
    const format = options.format;
    const keylog = format === 'pcapng' ? options.keylog : null;
    button.disabled = true;
    button.dataset.status = 'working';
    replaceChildren(status, 'preparing…');
    try {
      // Taken now: the selection may change while the worker reads the file. A spec() that
      // throws (nothing to export) reports its message like a failed export.
      const what = spec();
      const name = fileName(format);
      const { bytes, packets } = await rpc.call('exportPackets', [what, format, keylog]);
      downloadBytes(bytes, name, 'application/vnd.tcpdump.pcap');
      button.dataset.packets = String(packets);
      button.dataset.status = 'done';
      replaceChildren(status, `${formatCount(packets)} packets`);
    } catch (err) {
      button.dataset.status = 'failed';
      replaceChildren(status, h('span', { class: 'error-text' }, `Export failed: ${err.message}`));
    } finally {
      button.disabled = false;
    }
  }
  return { element };
}
