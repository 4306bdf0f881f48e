// Unit tests of www/match_state.js (pure helpers of the Match view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  reportPairs, filterMatches, methodsOf, sortRows, nextSort, toCsv, csvField, MATCH_COLUMNS, clockFacts,
  flowColumns, flowFrames, PACKET_DIFF_COLUMNS, packetCellDiffers, flagsText, cellText, CHANGE_COLUMNS,
} from '../../www/match_state.js';

const rows = [
  { proto: 'tcp', a_stream: 2, b_stream: 5, method: 'isn+nat', confidence: 1 },
  { proto: 'udp', a_stream: 0, b_stream: 1, method: 'udp_id', confidence: 0.6 },
  { proto: 'tcp', a_stream: 10, b_stream: 3, method: 'content+timing', confidence: 0.8 },
  { proto: 'tcp', a_stream: 1, b_stream: null, method: 'content', confidence: 0.95 },
];

test('a two-capture report is one pair; an N-capture report lists its pairs', () => {
  const two = { captures: [{}, {}], matches: rows, clock: null };
  assert.deepEqual(reportPairs(two).map((p) => [p.a, p.b, p.matches.length]), [[0, 1, 4]]);
  const three = { captures: [{}, {}, {}], pairs: [{ a: 0, b: 1, matches: [] }, { a: 1, b: 2, matches: [] }] };
  assert.deepEqual(reportPairs(three).map((p) => [p.a, p.b]), [[0, 1], [1, 2]]);
  assert.deepEqual(reportPairs(null), []);
});

test('filters by one method of a combined method and by minimum confidence', () => {
  assert.deepEqual(methodsOf(rows), ['content', 'isn', 'nat', 'timing', 'udp_id']);
  assert.deepEqual(filterMatches(rows, { method: 'content' }).map((r) => r.a_stream), [10, 1]);
  assert.deepEqual(filterMatches(rows, { method: 'nat' }).map((r) => r.a_stream), [2]);
  assert.deepEqual(filterMatches(rows, { minConfidence: 0.9 }).map((r) => r.a_stream), [2, 1]);
  assert.deepEqual(filterMatches(rows, { method: 'content', minConfidence: 0.9 }).map((r) => r.a_stream), [1]);
  assert.equal(filterMatches(rows, { minConfidence: NaN }).length, 4);
});

test('sorts numerically in both directions with nulls last, and cycles the sort', () => {
  const asc = sortRows(rows, MATCH_COLUMNS, { key: 'b_stream', dir: 'asc' }).map((r) => r.b_stream);
  assert.deepEqual(asc, [1, 3, 5, null]);
  const desc = sortRows(rows, MATCH_COLUMNS, { key: 'b_stream', dir: 'desc' }).map((r) => r.b_stream);
  assert.deepEqual(desc, [5, 3, 1, null]);
  assert.deepEqual(sortRows(rows, MATCH_COLUMNS, null).map((r) => r.a_stream), [2, 0, 10, 1]);
  assert.deepEqual(nextSort(null, 'x'), { key: 'x', dir: 'asc' });
  assert.deepEqual(nextSort({ key: 'x', dir: 'asc' }, 'x'), { key: 'x', dir: 'desc' });
  assert.equal(nextSort({ key: 'x', dir: 'desc' }, 'x'), null);
  assert.deepEqual(nextSort({ key: 'x', dir: 'desc' }, 'y'), { key: 'y', dir: 'asc' });
});

test('CSV quotes separators, quotes and line breaks, and defuses formulas', () => {
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('x\ny'), '"x\ny"');
  assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvField(-3), '-3');
  assert.equal(csvField(null), '');
  const cols = [{ key: 'a', label: 'A' }, { key: 'b', label: 'B, too' }, { key: 'e', label: 'E', value: (r) => r.e.join('; ') }];
  assert.equal(toCsv(cols, [{ a: 1, b: 'x', e: ['p', 'q'] }]), 'A,"B, too",E\r\n1,x,p; q\r\n');
});

test('clock facts show offset, drift and delay', () => {
  const facts = Object.fromEntries(clockFacts({ offset_s: 41.828, drift_ppm: 50, delay_s: 0.003, samples: 10, basis: 'packets' }));
  assert.equal(facts['Offset (B − A)'], '41.828000 s');
  assert.equal(facts.Drift, '50.000 ppm');
  assert.equal(facts['One-way delay'], '0.003000 s');
  assert.deepEqual(clockFacts(null), []);
});

test('flow table: per-point columns for every capture, deltas per consecutive pair, gaps stay empty', () => {
  const captures = [{ label: 'client' }, { label: 'fw' }, { label: 'server' }];
  const cols = flowColumns(captures);
  assert.equal(cols.length, 2 + 3 * 4 + 2);
  assert.deepEqual(cols.slice(0, 4).map((c) => c.label), ['Event', 'Proto', 'A client frame', 'A client time']);
  assert.equal(cols[cols.length - 1].label, 'Δ B→C s');
  const row = {
    event: 'syn', proto: 'tcp',
    points: [{ frame: 3, time_s: 10.25, stream: 0, client_port: 51000 }, null, { frame: 7, time_s: 11.5, stream: 4, client_port: 40001 }],
    deltas_s: [null, null],
  };
  assert.deepEqual(cols.map((c) => cellText(row, c)),
    ['syn', 'tcp', '3', '10.250000', '0', '51000', '', '', '', '', '7', '11.500000', '4', '40001', '', '']);
  assert.equal(flowFrames(row), '3,,7');
  const csv = toCsv(cols, [row]).split('\r\n');
  assert.equal(csv[1], 'syn,tcp,3,10.250000,0,51000,,,,,7,11.500000,4,40001,,');
});

test('packet diff: both sides flattened, differing fields highlighted on both sides only', () => {
  const side = (frame, src, ttl, seq) => ({ frame, time: '1.000000000', src, dst: '10.0.0.1:80', ip_id: 7, ttl, dscp: 0, ecn: 0, seq, ack: 0, len: 0, flags: 0x02 });
  const row = { dir: 'c2s', status: 'paired', a: side(3, '10.1.0.2:4000', 64, 100), b: side(9, '192.0.2.1:61000', 63, 100), differs: ['src', 'ttl'], delta_s: 0.0025 };
  const text = Object.fromEntries(PACKET_DIFF_COLUMNS.map((c) => [c.key, cellText(row, c)]));
  assert.equal(text.a_frame, '3');
  assert.equal(text.b_src, '192.0.2.1:61000');
  assert.equal(text.a_flags, '0x02 SYN');
  assert.equal(text.delta_s, '0.002500');
  assert.equal(text.differs, 'src, ttl');
  const marked = PACKET_DIFF_COLUMNS.filter((c) => packetCellDiffers(row, c)).map((c) => c.key);
  assert.deepEqual(marked, ['a_src', 'a_ttl', 'b_src', 'b_ttl']);
  const onlyA = { dir: 's2c', status: 'only_a', a: side(4, '10.0.0.1:80', 60, 5), b: null, differs: [], delta_s: null };
  assert.equal(cellText(onlyA, PACKET_DIFF_COLUMNS.find((c) => c.key === 'b_frame')), '');
  assert.equal(PACKET_DIFF_COLUMNS.filter((c) => packetCellDiffers(onlyA, c)).length, 0);
  assert.equal(flagsText(0x12), '0x12 SYN,ACK');
  assert.equal(flagsText(0), '');
  assert.deepEqual(CHANGE_COLUMNS.map((c) => c.key), ['what', 'dir', 'a', 'b']);
});
