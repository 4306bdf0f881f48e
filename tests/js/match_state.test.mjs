// Unit tests of www/match_state.js (pure helpers of the Match view).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  reportPairs, filterMatches, methodsOf, sortRows, nextSort, toCsv, csvField, MATCH_COLUMNS, clockFacts,
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
