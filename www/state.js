// Pure state and presentation helpers for the page: no DOM, no workers, no clocks.
// Everything here is unit-tested with node's test runner (tests/js/state.test.mjs).

/** Conversation table kinds, in tab order. */
export const CONV_KINDS = ['tcp', 'udp', 'ip'];

/** Bytes read from the File per worker read (BUILD-NOTES: each read costs ~2 ms, so big reads). */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

/** Smallest and largest read size the `?chunk=` page option accepts. */
export const MIN_CHUNK_BYTES = 1024;
export const MAX_CHUNK_BYTES = 256 * 1024 * 1024;

/**
 * Read size for the worker from the page's query string (`?chunk=65536`, for benchmarks and
 * tests); the default when absent or out of range.
 */
export function chunkBytesFromQuery(search) {
  const raw = new URLSearchParams(search || '').get('chunk');
  const n = raw === null ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < MIN_CHUNK_BYTES || n > MAX_CHUNK_BYTES) return DEFAULT_CHUNK_BYTES;
  return n;
}

// ---------------------------------------------------------------------------------------------
// One capture's lifecycle: a small reducer. Status: 'indexing' → 'done' | 'cancelled' | 'damaged' | 'partial'
// | 'failed' (the worker itself failed: no summary).

/** The state of a capture just opened. */
export function initialCapture(name, size) {
  return {
    name,
    size,
    status: 'indexing',
    progress: { bytes: 0, frames: 0, elapsedMs: 0 },
    summary: null,
    error: null,
    kind: 'tcp',
    sort: { tcp: null, udp: null, ip: null },
    selected: null,
  };
}

/** Applies one action to a capture's state; returns a new object (the input is not modified). */
export function reduceCapture(state, action) {
  switch (action.type) {
    case 'progress':
      if (state.status !== 'indexing') return state;
      return { ...state, progress: { ...action.progress } };
    case 'indexed': {
      const s = action.summary;
      // 'partial': a memory budget stopped indexing (summary.stopped says where).
      const status = s.cancelled ? 'cancelled' : s.error ? 'damaged' : s.stopped ? 'partial' : 'done';
      return {
        ...state,
        status,
        summary: s,
        error: s.error || null,
        progress: { ...state.progress, frames: s.frames, elapsedMs: action.elapsedMs ?? state.progress.elapsedMs },
      };
    }
    case 'failed':
      return { ...state, status: 'failed', error: action.message };
    case 'selectKind':
      if (!CONV_KINDS.includes(action.kind)) return state;
      return { ...state, kind: action.kind, selected: null };
    case 'sort': {
      const current = state.sort[action.kind];
      const dir = current && current.key === action.key && current.dir === 'asc' ? 'desc' : 'asc';
      return { ...state, sort: { ...state.sort, [action.kind]: { key: action.key, dir } } };
    }
    case 'selectConversation':
      return { ...state, selected: { kind: action.kind, index: action.index } };
    default:
      return state;
  }
}

/** True once indexing has ended, whatever the outcome. */
export function indexingEnded(state) {
  return state.status !== 'indexing';
}

// ---------------------------------------------------------------------------------------------
// Conversation tables.

/** Column definitions per kind: key in the row object, header text, numeric or not. */
export function conversationColumns(kind) {
  const ports = kind !== 'ip';
  const cols = [];
  if (ports) cols.push({ key: 'stream', label: 'Stream', numeric: true });
  cols.push({ key: 'addr_a', label: 'Address A', numeric: false, address: true });
  if (ports) cols.push({ key: 'port_a', label: 'Port A', numeric: true });
  cols.push({ key: 'addr_b', label: 'Address B', numeric: false, address: true });
  if (ports) cols.push({ key: 'port_b', label: 'Port B', numeric: true });
  cols.push(
    { key: 'frames', label: 'Packets', numeric: true },
    { key: 'bytes', label: 'Bytes', numeric: true },
    { key: 'frames_a_to_b', label: 'Packets A→B', numeric: true },
    { key: 'bytes_a_to_b', label: 'Bytes A→B', numeric: true },
    { key: 'frames_b_to_a', label: 'Packets B→A', numeric: true },
    { key: 'bytes_b_to_a', label: 'Bytes B→A', numeric: true },
    { key: 'rel_start', label: 'Rel Start', numeric: true },
    { key: 'duration', label: 'Duration', numeric: true },
  );
  return cols;
}

/** Compares two printed IPv4/IPv6 addresses numerically (IPv4 before IPv6), text as a fallback. */
export function compareAddresses(a, b) {
  const ka = addressKey(a), kb = addressKey(b);
  if (ka && kb) {
    if (ka.length !== kb.length) return ka.length - kb.length;
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return 0;
  }
  if (ka) return -1;
  if (kb) return 1;
  return String(a).localeCompare(String(b));
}

/** An address as a list of numbers (4 for IPv4, 8 for IPv6), or null when it is neither. */
export function addressKey(text) {
  if (typeof text !== 'string') return null;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) return v4.slice(1).map(Number);
  if (!text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (s) => (s ? s.split(':') : []);
  const head = part(halves[0]), tail = part(halves[1]);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const groups = [];
  for (const g of [...head, ...(halves.length === 2 ? ['::'] : []), ...tail]) {
    if (g === '::') { groups.push(g); continue; }
    const m4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(g);
    if (m4) { const [a, b, c, d] = m4.slice(1).map(Number); groups.push((a << 8) | b, (c << 8) | d); continue; }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    groups.push(parseInt(g, 16));
  }
  const fill = 8 - (groups.length - (halves.length === 2 ? 1 : 0));
  const out = [];
  for (const g of groups) {
    if (g === '::') for (let i = 0; i < fill; i++) out.push(0);
    else out.push(g);
  }
  return out.length === 8 ? out : null;
}

/**
 * Rows sorted by `sort` ({key, dir}) without touching the input; ties keep table order (stream id /
 * first frame), so the result is deterministic. `sort` null → the table's own order.
 */
export function sortConversations(rows, kind, sort) {
  const indexed = rows.map((row, index) => ({ row, index }));
  if (!sort) return indexed;
  const col = conversationColumns(kind).find((c) => c.key === sort.key);
  if (!col) return indexed;
  const sign = sort.dir === 'desc' ? -1 : 1;
  const cmp = col.address
    ? (a, b) => compareAddresses(a.row[col.key], b.row[col.key])
    : (a, b) => compareNullable(a.row[col.key], b.row[col.key]);
  return indexed.sort((a, b) => sign * cmp(a, b) || a.index - b.index);
}

function compareNullable(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Virtualised lists.

/**
 * Which rows to render: [first, end) for a viewport scrolled to `scrollTop` showing `height` px of
 * rows `rowHeight` px tall, with `overscan` extra rows each side, clamped to [0, total).
 */
export function visibleRange(scrollTop, height, rowHeight, total, overscan = 8) {
  if (!(rowHeight > 0) || total <= 0) return { first: 0, end: 0 };
  const top = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const bottom = Math.ceil((scrollTop + Math.max(0, height)) / rowHeight) + overscan;
  const first = Math.min(top, total);
  return { first, end: Math.max(first, Math.min(total, bottom)) };
}

/** Page numbers (of `pageSize` rows) that cover rows [first, end). */
export function pagesFor(first, end, pageSize) {
  const pages = [];
  if (end <= first) return pages;
  for (let p = Math.floor(first / pageSize); p <= Math.floor((end - 1) / pageSize); p++) pages.push(p);
  return pages;
}

// ---------------------------------------------------------------------------------------------
// Formatting (all output is plain text, inserted with textContent).

const groupFormat = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(n) {
  return n === null || n === undefined ? '' : groupFormat.format(n);
}

/** Bytes with binary-free SI units as Wireshark prints them: 999 bytes, 1.2 kB, 45 MB. */
export function formatBytes(n) {
  if (n === null || n === undefined || !Number.isFinite(Number(n))) return '';
  n = Number(n);
  if (n < 1000) return `${n} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n, u = -1;
  while (v >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** Seconds with a fixed number of decimals: 0.000123 → "0.000123". */
export function formatSeconds(s, decimals = 6) {
  return s === null || s === undefined || !Number.isFinite(s) ? '' : s.toFixed(decimals);
}

/** A rate: 1234567.8 per second → "1.23 M/s"; small rates plain. */
export function formatRate(perSecond, unit = '') {
  if (!Number.isFinite(perSecond) || perSecond < 0) return '';
  const steps = [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [div, prefix] of steps) if (perSecond >= div) return `${(perSecond / div).toFixed(2)} ${prefix}${unit}/s`;
  return `${perSecond.toFixed(0)} ${unit}/s`.replace(' /s', '/s');
}

/** Indexing rates from a progress snapshot: { packetsPerSec, bytesPerSec } (0 before any time passed). */
export function rates(progress) {
  const secs = progress.elapsedMs / 1000;
  if (!(secs > 0)) return { packetsPerSec: 0, bytesPerSec: 0 };
  return { packetsPerSec: progress.frames / secs, bytesPerSec: progress.bytes / secs };
}

/** Fraction of the file consumed, 0..1. */
export function fractionDone(bytes, size) {
  if (!(size > 0)) return 0;
  return Math.max(0, Math.min(1, bytes / size));
}

/**
 * A nanosecond epoch timestamp as the page receives it: a number when below 2^53, otherwise a
 * decimal string (see src/web/js_value.rs). Returns a BigInt, or null.
 */
export function toBigNs(ts) {
  if (ts === null || ts === undefined) return null;
  try {
    return typeof ts === 'bigint' ? ts : BigInt(ts);
  } catch {
    return null;
  }
}

/** Seconds from `firstNs` to `tsNs`, exact to the nanosecond, printed with 6 decimals (Wireshark's Time column). */
export function formatRelativeTime(tsNs, firstNs, decimals = 6) {
  const t = toBigNs(tsNs), f = toBigNs(firstNs);
  if (t === null || f === null) return '';
  let d = t - f;
  const neg = d < 0n;
  if (neg) d = -d;
  const whole = d / 1000000000n;
  const frac = (d % 1000000000n).toString().padStart(9, '0').slice(0, decimals);
  return `${neg ? '-' : ''}${whole}${decimals > 0 ? '.' + frac : ''}`;
}

/** An epoch timestamp in ns as "2007-10-29 16:40:55.856435 UTC". */
export function formatEpochNs(tsNs) {
  const t = toBigNs(tsNs);
  if (t === null) return '';
  const ms = t / 1000000n;
  const date = new Date(Number(ms));
  if (Number.isNaN(date.getTime())) return '';
  let sub = t % 1000000000n;
  if (sub < 0n) sub += 1000000000n;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${sub.toString().padStart(9, '0').slice(0, 6)} UTC`;
}

/** Seconds between two ns timestamps (number), or null. */
export function spanSeconds(firstNs, lastNs) {
  const f = toBigNs(firstNs), l = toBigNs(lastNs);
  if (f === null || l === null) return null;
  return Number(l - f) / 1e9;
}

/** Common LINKTYPE_* names (tcpdump.org/linktypes.html); others print as their number. */
const LINKTYPES = {
  0: 'BSD loopback', 1: 'Ethernet', 9: 'PPP', 12: 'Raw IP', 14: 'Raw IP', 101: 'Raw IP', 104: 'Cisco HDLC',
  105: 'IEEE 802.11', 113: 'Linux SLL', 127: '802.11 + radiotap', 228: 'Raw IPv4', 229: 'Raw IPv6',
  274: 'mPackets', 276: 'Linux SLL2',
};

/** "Ethernet (1)". */
export function linktypeName(n) {
  return LINKTYPES[n] ? `${LINKTYPES[n]} (${n})` : `LINKTYPE ${n}`;
}

/** The summary's container description: "pcapng, gzip", "pcap (big-endian, ns) 2.4". */
export function describeFormat(info) {
  if (!info) return '';
  const parts = [];
  const format = { pcap: 'pcap', pcap_modified: 'pcap (modified)', pcapng: 'pcapng', unknown: 'unknown' }[info.format] || String(info.format);
  const details = [];
  if (info.format === 'pcap' || info.format === 'pcap_modified') {
    details.push(info.big_endian ? 'big-endian' : 'little-endian');
    details.push(info.nanosecond ? 'ns' : 'µs');
    if (Array.isArray(info.version)) details.push(`v${info.version[0]}.${info.version[1]}`);
  } else if (info.format === 'pcapng' && Array.isArray(info.sections)) {
    details.push(`${info.sections.length} section${info.sections.length === 1 ? '' : 's'}`);
    if (Array.isArray(info.interfaces)) details.push(`${info.interfaces.length} interface${info.interfaces.length === 1 ? '' : 's'}`);
  }
  parts.push(details.length ? `${format} (${details.join(', ')})` : format);
  if (info.gzip) parts.push('gzip-compressed');
  return parts.join(', ');
}
