// Pure helpers of the whole-capture packet pane (no DOM; unit-tested in tests/js): the Time
// column's formats, the frame lists the pane shows, Wireshark colouring classes and the
// "apply as filter" expression of a details-tree field.
import { toBigNs } from './state.js';

/** Time column formats, as Wireshark's View > Time Display Format names them. */
export const TIME_FORMATS = [
  { key: 'relative', label: 'Seconds since beginning of capture' },
  { key: 'absolute', label: 'Date and time of day' },
  { key: 'delta', label: 'Seconds since previous captured packet' },
  { key: 'delta-displayed', label: 'Seconds since previous displayed packet' },
];

const NS = 1000000000n;

/** Signed seconds with `decimals` digits from a BigInt of nanoseconds. */
export function formatNsSeconds(ns, decimals = 6) {
  if (ns === null) return '';
  const neg = ns < 0n;
  const d = neg ? -ns : ns;
  const frac = (d % NS).toString().padStart(9, '0').slice(0, decimals);
  return `${neg ? '-' : ''}${d / NS}${decimals > 0 ? '.' + frac : ''}`;
}

/** "2023-11-14 22:15:00.010000" in UTC, or in the browser's time zone when `zone` is 'local'. */
export function formatAbsolute(tsNs, zone = 'utc') {
  const t = toBigNs(tsNs);
  if (t === null) return '';
  let sub = t % NS;
  if (sub < 0n) sub += NS;
  const date = new Date(Number((t - sub) / 1000000n));
  if (Number.isNaN(date.getTime())) return '';
  const two = (n) => String(n).padStart(2, '0');
  const utc = zone !== 'local';
  const y = utc ? date.getUTCFullYear() : date.getFullYear();
  const mo = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const d = utc ? date.getUTCDate() : date.getDate();
  const hh = utc ? date.getUTCHours() : date.getHours();
  const mm = utc ? date.getUTCMinutes() : date.getMinutes();
  const ss = utc ? date.getUTCSeconds() : date.getSeconds();
  return `${y}-${two(mo)}-${two(d)} ${two(hh)}:${two(mm)}:${two(ss)}.${sub.toString().padStart(9, '0').slice(0, 6)}`;
}

/**
 * The Time cell of a row. `row` has ts_ns and delta_ns; `previousShown` is the row displayed just
 * before it (null for the first row; undefined while not loaded yet).
 */
export function timeCell(row, format, options = {}) {
  const { zone = 'utc', firstNs = null } = options;
  const previousShown = options.previousShown; // undefined (not loaded) differs from null (none)
  const t = toBigNs(row.ts_ns);
  if (t === null) return '';
  switch (format) {
    case 'absolute':
      return formatAbsolute(row.ts_ns, zone);
    case 'delta':
      return formatNsSeconds(toBigNs(row.delta_ns) ?? 0n);
    case 'delta-displayed': {
      if (previousShown === undefined) return '…';
      if (previousShown === null) return formatNsSeconds(0n);
      const p = toBigNs(previousShown.ts_ns);
      return p === null ? '' : formatNsSeconds(t - p);
    }
    default: {
      const f = toBigNs(firstNs);
      return f === null ? '' : formatNsSeconds(t - f);
    }
  }
}

/** Frame numbers 1..n as a Uint32Array (the unfiltered list). */
export function allFrames(n) {
  const out = new Uint32Array(Math.max(0, n));
  for (let i = 0; i < out.length; i++) out[i] = i + 1;
  return out;
}

/** Index of `frame` in the ascending `frames`, or -1. */
export function indexOfFrame(frames, frame) {
  let lo = 0, hi = frames.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (frames[mid] < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo < frames.length && frames[lo] === frame ? lo : -1;
}

/**
 * The next (dir = 1) or previous (dir = -1) frame of `streamFrames` (ascending) after/before
 * `current` that is also shown in `shown` (ascending), or null.
 */
export function stepInStream(streamFrames, shown, current, dir) {
  let i = dir > 0 ? firstAbove(streamFrames, current) : firstAbove(streamFrames, current - 1) - 1;
  for (; i >= 0 && i < streamFrames.length; i += dir) {
    if (indexOfFrame(shown, streamFrames[i]) >= 0) return streamFrames[i];
  }
  return null;
}

/** Index of the first element greater than `v` in ascending `a`. */
function firstAbove(a, v) {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The CSS class suffix of a colouring rule name ("TCP SYN/FIN" → "tcp-syn-fin"). */
export function colourClass(name) {
  return name ? name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') : '';
}

/**
 * `field == value` for "apply as filter". Numbers, addresses and byte strings go in bare; other
 * values are quoted as display-filter strings. null when the node has no field or value.
 */
export function filterExpression(field, value) {
  if (!field || value === null || value === undefined || value === '') return null;
  const bare = /^(-?\d+(\.\d+)?|0x[0-9a-f]+|[0-9a-f]{2}(:[0-9a-f]{2})+|\d+\.\d+\.\d+\.\d+|[0-9a-f:]*::?[0-9a-f:.]*)$/i;
  if (bare.test(value)) return `${field} == ${value}`;
  return `${field} == "${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
