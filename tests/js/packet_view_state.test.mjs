// Unit tests for www/packet_view_state.js (pure: runs in node without a browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as P from '../../www/packet_view_state.js';

test('time cells: relative, delta, delta displayed, absolute UTC, with exact nanoseconds', () => {
  const first = '1700000100010000000';
  const row = { ts_ns: '1700000100020000500', delta_ns: 10000500 };
  assert.equal(P.timeCell(row, 'relative', { firstNs: first }), '0.010000');
  assert.equal(P.timeCell(row, 'delta', {}), '0.010000');
  assert.equal(P.timeCell(row, 'absolute', { zone: 'utc' }), '2023-11-14 22:15:00.020000');
  assert.equal(P.timeCell(row, 'delta-displayed', { previousShown: null }), '0.000000');
  assert.equal(P.timeCell(row, 'delta-displayed', { previousShown: { ts_ns: '1700000099020000500' } }), '1.000000');
  assert.equal(P.timeCell(row, 'delta-displayed', { previousShown: undefined }), '…');
  // Before the first frame (out-of-order timestamps): negative.
  assert.equal(P.timeCell({ ts_ns: '1700000100000000000', delta_ns: -5 }, 'relative', { firstNs: first }), '-0.010000');
  assert.equal(P.formatNsSeconds(-5n, 9), '-0.000000005');
});

test('absolute times before 1970 keep a positive sub-second part', () => {
  assert.equal(P.formatAbsolute('-1500000000'), '1969-12-31 23:59:58.500000');
});

test('frame lists: all frames, binary search, steps within a stream among displayed frames', () => {
  assert.deepEqual([...P.allFrames(4)], [1, 2, 3, 4]);
  const shown = Uint32Array.from([1, 3, 5, 9, 12]);
  assert.equal(P.indexOfFrame(shown, 9), 3);
  assert.equal(P.indexOfFrame(shown, 4), -1);
  assert.equal(P.indexOfFrame(new Uint32Array(0), 1), -1);
  const stream = Uint32Array.from([1, 2, 5, 7, 12, 13]);
  assert.equal(P.stepInStream(stream, shown, 1, 1), 5, 'skips frame 2, not displayed');
  assert.equal(P.stepInStream(stream, shown, 5, 1), 12);
  assert.equal(P.stepInStream(stream, shown, 12, 1), null);
  assert.equal(P.stepInStream(stream, shown, 12, -1), 5);
  assert.equal(P.stepInStream(stream, shown, 1, -1), null);
  assert.equal(P.stepInStream(stream, shown, 6, -1), 5, 'from a frame outside the stream');
});

test('colouring rule names become CSS classes', () => {
  assert.equal(P.colourClass('TCP SYN/FIN'), 'tcp-syn-fin');
  assert.equal(P.colourClass('Bad TCP'), 'bad-tcp');
  assert.equal(P.colourClass('TTL low or unexpected'), 'ttl-low-or-unexpected');
  assert.equal(P.colourClass(null), '');
});

test('apply as filter: bare numbers and addresses, quoted strings, nothing without a value', () => {
  assert.equal(P.filterExpression('ip.src', '10.0.1.1'), 'ip.src == 10.0.1.1');
  assert.equal(P.filterExpression('tcp.flags', '0x0012'), 'tcp.flags == 0x0012');
  assert.equal(P.filterExpression('eth.dst', '66:77:88:99:aa:bb'), 'eth.dst == 66:77:88:99:aa:bb');
  assert.equal(P.filterExpression('ipv6.src', '2001:db8::1'), 'ipv6.src == 2001:db8::1');
  assert.equal(P.filterExpression('frame.time_relative', '0.010000000'), 'frame.time_relative == 0.010000000');
  assert.equal(P.filterExpression('http.request.uri', '/a "b"'), 'http.request.uri == "/a \\"b\\""');
  assert.equal(P.filterExpression('http.request.method', 'GET'), 'http.request.method == "GET"');
  assert.equal(P.filterExpression('tls.record', ''), null);
  assert.equal(P.filterExpression('', '1'), null);
});
