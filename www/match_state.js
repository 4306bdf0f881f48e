// Pure helpers of the Match view (no DOM): the report's pairs, the columns of each table, method and
// confidence filters, sorting, and CSV text. Unit-tested in tests/js/match_state.test.mjs.

/**
 * The pairs of a match report: a two-capture report is itself one pair (a = 0, b = 1); a report of
 * more captures lists them in `pairs`. Each pair has matches, clock, missing_syn, lost, unmatched_a/b.
 */
export function reportPairs(report) {
  if (!report || typeof report !== 'object') return [];
  if (Array.isArray(report.pairs)) return report.pairs;
  return [{ ...report, a: 0, b: 1 }];
}

/** Columns of the tables: key, label, numeric; `value(row)` when the cell is not row[key]. */
export const MATCH_COLUMNS = [
  { key: 'proto', label: 'Proto' },
  { key: 'a_stream', label: 'A stream', numeric: true },
  { key: 'a_tuple', label: 'A tuple' },
  { key: 'b_stream', label: 'B stream', numeric: true },
  { key: 'b_tuple', label: 'B tuple' },
  { key: 'method', label: 'Method' },
  { key: 'confidence', label: 'Confidence', numeric: true },
  { key: 'translation', label: 'Translation' },
  { key: 'seq_offset_a_to_b', label: 'Seq offset A→B', numeric: true },
  { key: 'seq_offset_b_to_a', label: 'Seq offset B→A', numeric: true },
  { key: 'packets_paired', label: 'Paired', numeric: true },
  { key: 'lost_a', label: 'Lost (only A)', numeric: true },
  { key: 'lost_b', label: 'Lost (only B)', numeric: true },
  { key: 'delay_a_to_b_s', label: 'Delay A→B s', numeric: true },
  { key: 'delay_b_to_a_s', label: 'Delay B→A s', numeric: true },
  { key: 'evidence', label: 'Evidence', value: (r) => (Array.isArray(r.evidence) ? r.evidence.join('; ') : r.evidence) },
];

export const UNMATCHED_COLUMNS = [
  { key: 'proto', label: 'Proto' },
  { key: 'stream', label: 'Stream', numeric: true },
  { key: 'tuple', label: 'Tuple' },
  { key: 'first_frame', label: 'First frame', numeric: true },
];

export const MISSING_SYN_COLUMNS = [
  { key: 'a_stream', label: 'A stream', numeric: true },
  { key: 'b_stream', label: 'B stream', numeric: true },
  { key: 'syn_seq_raw', label: 'SYN seq (raw)', numeric: true },
  { key: 'syns_a', label: 'SYNs at A', numeric: true },
  { key: 'syns_b', label: 'SYNs at B', numeric: true },
];

export const LOST_COLUMNS = [
  { key: 'capture', label: 'Seen only at' },
  { key: 'proto', label: 'Proto' },
  { key: 'stream', label: 'Stream', numeric: true },
  { key: 'frame', label: 'Frame', numeric: true },
  { key: 'dir', label: 'Direction' },
  { key: 'seq_raw', label: 'Seq (raw)', numeric: true },
  { key: 'len', label: 'Length', numeric: true },
];

/** The value of `column` in `row` (null when absent). */
export function cellValue(row, column) {
  const v = column.value ? column.value(row) : row[column.key];
  return v === undefined ? null : v;
}

/** The value as display text. */
export function cellText(row, column) {
  const v = cellValue(row, column);
  if (v === null) return '';
  if (typeof v === 'number' && column.key === 'confidence') return v.toFixed(2);
  if (typeof v === 'number' && column.key.endsWith('_s')) return v.toFixed(6);
  return String(v);
}

/** The single methods a match's method is made of ("isn+nat" → ["isn", "nat"]). */
export function methodParts(method) {
  return typeof method === 'string' && method ? method.split('+') : [];
}

/** Every single method used by `matches`, sorted. */
export function methodsOf(matches) {
  const set = new Set();
  for (const m of matches) for (const p of methodParts(m.method)) set.add(p);
  return [...set].sort();
}

/**
 * Matches passing the filter: `method` ('' = any) must be one of the row's methods, and the
 * confidence must be at least `minConfidence` (a number; NaN or null = no bound).
 */
export function filterMatches(matches, { method = '', minConfidence = null } = {}) {
  const bound = Number.isFinite(minConfidence) ? minConfidence : null;
  return matches.filter((m) => (!method || methodParts(m.method).includes(method))
    && (bound === null || (typeof m.confidence === 'number' && m.confidence >= bound)));
}

/** Compares two cell values: nulls last, numbers numerically, text naturally. */
export function compareValues(x, y) {
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y), 'en', { numeric: true });
}

/** Rows sorted by `sort` ({key, dir: 'asc'|'desc'} or null = given order), stable. */
export function sortRows(rows, columns, sort) {
  if (!sort) return rows.slice();
  const column = columns.find((c) => c.key === sort.key);
  if (!column) return rows.slice();
  const sign = sort.dir === 'desc' ? -1 : 1;
  return rows.map((row, i) => ({ row, i }))
    .sort((p, q) => {
      const c = compareValues(cellValue(p.row, column), cellValue(q.row, column));
      // Nulls stay last in both directions.
      if (cellValue(p.row, column) === null || cellValue(q.row, column) === null) return c || p.i - q.i;
      return sign * c || p.i - q.i;
    })
    .map((p) => p.row);
}

/** The next sort after clicking `key`: ascending, then descending, then the given order. */
export function nextSort(sort, key) {
  if (!sort || sort.key !== key) return { key, dir: 'asc' };
  if (sort.dir === 'asc') return { key, dir: 'desc' };
  return null;
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
export function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet; prefix it with a quote character.
  const safe = /^[=+\-@]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV text of `rows` with a header line of the column labels; lines end with CRLF. */
export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvField(c.label)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(cellValue(row, c))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** The clock summary lines: [label, text] pairs (empty when the pair has no clock estimate). */
export function clockFacts(clock) {
  if (!clock || typeof clock !== 'object') return [];
  const s = (v, digits = 6) => (typeof v === 'number' && Number.isFinite(v) ? `${v.toFixed(digits)} s` : '');
  const facts = [
    ['Offset (B − A)', s(clock.offset_s)],
    ['Drift', typeof clock.drift_ppm === 'number' ? `${clock.drift_ppm.toFixed(3)} ppm` : ''],
    ['One-way delay', s(clock.delay_s)],
    ['Samples', typeof clock.samples === 'number' ? String(clock.samples) : ''],
    ['Basis', typeof clock.basis === 'string' ? clock.basis : ''],
  ];
  return facts.filter(([, v]) => v !== '');
}

/** Seconds as text with microseconds ('' when absent). */
const seconds = (v) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(6) : null);

/**
 * Columns of the multi-hop flow table for `captures` ([{label}], in order): the event, then per
 * capture point its frame, time, stream and client port, then the clock-corrected delta between
 * each consecutive pair of points. Rows are the report's `flow` rows as they come.
 */
export function flowColumns(captures) {
  const list = Array.isArray(captures) ? captures : [];
  const name = (i) => String.fromCharCode(65 + (i % 26));
  const at = (row, i) => (Array.isArray(row.points) && row.points[i]) || null;
  const columns = [
    { key: 'event', label: 'Event' },
    { key: 'proto', label: 'Proto' },
  ];
  list.forEach((c, i) => {
    const who = `${name(i)} ${c && c.label ? c.label : ''}`.trim();
    columns.push(
      { key: `p${i}_frame`, label: `${who} frame`, numeric: true, value: (r) => (at(r, i) ? at(r, i).frame : null) },
      { key: `p${i}_time`, label: `${who} time`, numeric: true, value: (r) => (at(r, i) ? seconds(at(r, i).time_s) : null) },
      { key: `p${i}_stream`, label: `${who} stream`, numeric: true, value: (r) => (at(r, i) ? at(r, i).stream : null) },
      { key: `p${i}_port`, label: `${who} client port`, numeric: true, value: (r) => (at(r, i) ? at(r, i).client_port : null) },
    );
  });
  for (let i = 0; i + 1 < list.length; i++) {
    columns.push({
      key: `d${i}`, label: `Δ ${name(i)}→${name(i + 1)} s`, numeric: true,
      value: (r) => (Array.isArray(r.deltas_s) ? seconds(r.deltas_s[i]) : null),
    });
  }
  return columns;
}

/** The frame number at each point of a flow row, '' where the packet is not seen (a dataset value). */
export function flowFrames(row) {
  return (Array.isArray(row.points) ? row.points : []).map((p) => (p ? p.frame : '')).join(',');
}

/** Columns of the per-stream "what changed" table (rows: a match's `changes`). */
export const CHANGE_COLUMNS = [
  { key: 'what', label: 'What changed' },
  { key: 'dir', label: 'Direction' },
  { key: 'a', label: 'At A' },
  { key: 'b', label: 'At B' },
];

/** Header fields of each side of a packet-diff row, with their labels. */
export const PACKET_FIELDS = [
  ['frame', 'frame'], ['time', 'time'], ['src', 'source'], ['dst', 'destination'], ['ip_id', 'IP ID'],
  ['ttl', 'TTL'], ['dscp', 'DSCP'], ['ecn', 'ECN'], ['seq', 'seq (raw)'], ['ack', 'ack (raw)'],
  ['len', 'length'], ['flags', 'flags'],
];

const NUMERIC_FIELDS = new Set(['frame', 'ip_id', 'ttl', 'dscp', 'ecn', 'seq', 'ack', 'len']);

/** TCP flags byte as text: `0x12 SYN,ACK` (UDP packets carry 0: ''). */
export function flagsText(flags) {
  if (typeof flags !== 'number' || flags === 0) return '';
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'].filter((_, bit) => flags & (1 << bit));
  return `0x${flags.toString(16).padStart(2, '0')} ${names.join(',')}`;
}

/**
 * Columns of the per-packet diff: direction, status, each field at A and at B (`side` and `field`
 * name the field for highlighting), the corrected delta and the list of differing fields. Rows:
 * the `rows` of a stream's packet diff as the core gives them ({dir, status, a, b, differs, delta_s}).
 */
export const PACKET_DIFF_COLUMNS = [
  { key: 'dir', label: 'Direction' },
  { key: 'status', label: 'Status' },
  ...['a', 'b'].flatMap((side) => PACKET_FIELDS.map(([field, label]) => ({
    key: `${side}_${field}`, label: `${side.toUpperCase()} ${label}`, side, field, numeric: NUMERIC_FIELDS.has(field),
    value: (r) => {
      const p = r[side];
      if (!p) return null;
      return field === 'flags' ? flagsText(p.flags) : p[field];
    },
  }))),
  { key: 'delta_s', label: 'Δ B−A s (clock corrected)', numeric: true },
  { key: 'differs', label: 'Differs', value: (r) => (Array.isArray(r.differs) ? r.differs.join(', ') : null) },
];

/** True when `column` of packet-diff `row` holds a field that differs between A and B. */
export function packetCellDiffers(row, column) {
  return Boolean(column.field && Array.isArray(row.differs) && row.differs.includes(column.field));
}
