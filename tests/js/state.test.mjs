// Unit tests for www/state.js (pure: runs in node without a browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as S from '../../www/state.js';

test('chunk size comes from ?chunk= within bounds, else the 16 MiB default', () => {
  assert.equal(S.chunkBytesFromQuery(''), 16 * 1024 * 1024);
  assert.equal(S.chunkBytesFromQuery('?chunk=65536'), 65536);
  assert.equal(S.chunkBytesFromQuery('?chunk=12'), S.DEFAULT_CHUNK_BYTES);
  assert.equal(S.chunkBytesFromQuery('?chunk=1e12'), S.DEFAULT_CHUNK_BYTES);
  assert.equal(S.chunkBytesFromQuery('?chunk=abc'), S.DEFAULT_CHUNK_BYTES);
  assert.equal(S.chunkBytesFromQuery('?chunk=4096.5'), S.DEFAULT_CHUNK_BYTES);
});

test('capture lifecycle: progress, then done / damaged / cancelled / failed', () => {
  const s0 = S.initialCapture('a.pcap', 1000);
  assert.equal(s0.status, 'indexing');
  assert.equal(S.indexingEnded(s0), false);
  const s1 = S.reduceCapture(s0, { type: 'progress', progress: { bytes: 500, frames: 10, elapsedMs: 5 } });
  assert.deepEqual(s1.progress, { bytes: 500, frames: 10, elapsedMs: 5 });
  assert.equal(s0.progress.frames, 0, 'the input state is not modified');

  const done = S.reduceCapture(s1, { type: 'indexed', summary: { frames: 20, error: null, cancelled: false }, elapsedMs: 9 });
  assert.equal(done.status, 'done');
  assert.equal(done.progress.frames, 20);
  assert.equal(S.indexingEnded(done), true);
  // Late progress events after the end change nothing.
  assert.equal(S.reduceCapture(done, { type: 'progress', progress: { bytes: 1, frames: 1, elapsedMs: 1 } }), done);

  const damaged = S.reduceCapture(s1, { type: 'indexed', summary: { frames: 3, error: 'cut short at offset 40', cancelled: false } });
  assert.equal(damaged.status, 'damaged');
  assert.equal(damaged.error, 'cut short at offset 40');
  const cancelled = S.reduceCapture(s1, { type: 'indexed', summary: { frames: 3, error: null, cancelled: true } });
  assert.equal(cancelled.status, 'cancelled');
  const stopped = S.reduceCapture(s1, { type: 'indexed', summary: { frames: 3, error: null, cancelled: false, stopped: 'stopped at packet 3 (offset 96): the index reached its 20 KiB budget' } });
  assert.equal(stopped.status, 'partial', 'a budget stop is partial, not complete');
  assert.equal(S.indexingEnded(stopped), true);
  const failed = S.reduceCapture(s1, { type: 'failed', message: 'boom' });
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error, 'boom');
});

test('tabs, sorting toggles direction, selection resets with the tab', () => {
  let s = S.initialCapture('a', 1);
  s = S.reduceCapture(s, { type: 'selectConversation', kind: 'tcp', index: 4 });
  assert.deepEqual(s.selected, { kind: 'tcp', index: 4 });
  s = S.reduceCapture(s, { type: 'selectKind', kind: 'udp' });
  assert.equal(s.kind, 'udp');
  assert.equal(s.selected, null);
  assert.equal(S.reduceCapture(s, { type: 'selectKind', kind: 'sctp' }), s);
  s = S.reduceCapture(s, { type: 'sort', kind: 'udp', key: 'bytes' });
  assert.deepEqual(s.sort.udp, { key: 'bytes', dir: 'asc' });
  s = S.reduceCapture(s, { type: 'sort', kind: 'udp', key: 'bytes' });
  assert.deepEqual(s.sort.udp, { key: 'bytes', dir: 'desc' });
  s = S.reduceCapture(s, { type: 'sort', kind: 'udp', key: 'frames' });
  assert.deepEqual(s.sort.udp, { key: 'frames', dir: 'asc' });
  assert.equal(s.sort.tcp, null);
});

test('conversation columns follow Wireshark; ip has no stream or ports', () => {
  const tcp = S.conversationColumns('tcp').map((c) => c.key);
  assert.deepEqual(tcp.slice(0, 5), ['stream', 'addr_a', 'port_a', 'addr_b', 'port_b']);
  assert.ok(tcp.includes('rel_start') && tcp.includes('duration'));
  const ip = S.conversationColumns('ip').map((c) => c.key);
  assert.ok(!ip.includes('stream') && !ip.includes('port_a'));
});

test('addresses sort numerically, IPv4 before IPv6, with :: expansion', () => {
  assert.deepEqual(S.addressKey('10.0.0.2'), [10, 0, 0, 2]);
  assert.deepEqual(S.addressKey('fe80::1'), [0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(S.addressKey('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
  assert.equal(S.addressKey('not an address'), null);
  assert.equal(S.addressKey('1::2::3'), null);
  const sorted = ['10.0.0.10', 'fe80::1', '10.0.0.9', '2001:db8::1', '9.255.0.1'].sort(S.compareAddresses);
  assert.deepEqual(sorted, ['9.255.0.1', '10.0.0.9', '10.0.0.10', '2001:db8::1', 'fe80::1']);
});

test('sortConversations is stable, keeps table indexes and does not mutate', () => {
  const rows = [
    { stream: 0, addr_a: '10.0.0.2', bytes: 300 },
    { stream: 1, addr_a: '10.0.0.10', bytes: 100 },
    { stream: 2, addr_a: '10.0.0.1', bytes: 300 },
  ];
  const copy = JSON.parse(JSON.stringify(rows));
  assert.deepEqual(S.sortConversations(rows, 'tcp', null).map((r) => r.index), [0, 1, 2]);
  assert.deepEqual(S.sortConversations(rows, 'tcp', { key: 'bytes', dir: 'asc' }).map((r) => r.index), [1, 0, 2]);
  assert.deepEqual(S.sortConversations(rows, 'tcp', { key: 'bytes', dir: 'desc' }).map((r) => r.index), [0, 2, 1]);
  assert.deepEqual(S.sortConversations(rows, 'tcp', { key: 'addr_a', dir: 'asc' }).map((r) => r.row.stream), [2, 0, 1]);
  assert.deepEqual(rows, copy);
  // Unknown sort keys leave the table order.
  assert.deepEqual(S.sortConversations(rows, 'tcp', { key: 'nope', dir: 'asc' }).map((r) => r.index), [0, 1, 2]);
});

test('visible range of a virtual list is clamped and has overscan', () => {
  assert.deepEqual(S.visibleRange(0, 220, 22, 1000, 0), { first: 0, end: 10 });
  assert.deepEqual(S.visibleRange(220, 220, 22, 1000, 2), { first: 8, end: 22 });
  assert.deepEqual(S.visibleRange(0, 220, 22, 3, 8), { first: 0, end: 3 });
  assert.deepEqual(S.visibleRange(1e9, 220, 22, 50, 8), { first: 50, end: 50 });
  assert.deepEqual(S.visibleRange(0, 220, 22, 0), { first: 0, end: 0 });
  assert.deepEqual(S.pagesFor(0, 10, 200), [0]);
  assert.deepEqual(S.pagesFor(190, 410, 200), [0, 1, 2]);
  assert.deepEqual(S.pagesFor(5, 5, 200), []);
});

test('timestamps: exact nanosecond arithmetic on strings above 2^53', () => {
  const first = '1193676055856435000';
  assert.equal(S.formatRelativeTime('1193676055950580000', first), '0.094145');
  assert.equal(S.formatRelativeTime('1193676057856435123', first, 9), '2.000000123');
  assert.equal(S.formatRelativeTime(first, first), '0.000000');
  assert.equal(S.formatRelativeTime('1193676055856434000', first), '-0.000001');
  assert.equal(S.formatRelativeTime(null, first), '');
  assert.equal(S.formatRelativeTime('garbage', first), '');
  assert.equal(S.formatEpochNs('1193676055856435000'), '2007-10-29 16:40:55.856435 UTC');
  assert.equal(S.formatEpochNs(0), '1970-01-01 00:00:00.000000 UTC');
  assert.equal(S.spanSeconds('1000000000', '3500000000'), 2.5);
  assert.equal(S.spanSeconds(null, '1'), null);
});

test('number formatting', () => {
  assert.equal(S.formatCount(1234567), '1,234,567');
  assert.equal(S.formatCount(null), '');
  assert.equal(S.formatBytes(999), '999 bytes');
  assert.equal(S.formatBytes(1234), '1.2 kB');
  assert.equal(S.formatBytes(45_000_000), '45.0 MB');
  assert.equal(S.formatBytes(250_000_000_000), '250 GB');
  assert.equal(S.formatSeconds(0.000123), '0.000123');
  assert.equal(S.formatRate(1_234_567, 'packets'), '1.23 Mpackets/s');
  assert.equal(S.formatRate(12, 'B'), '12 B/s');
  assert.deepEqual(S.rates({ bytes: 2000, frames: 10, elapsedMs: 500 }), { packetsPerSec: 20, bytesPerSec: 4000 });
  assert.deepEqual(S.rates({ bytes: 1, frames: 1, elapsedMs: 0 }), { packetsPerSec: 0, bytesPerSec: 0 });
  assert.equal(S.fractionDone(50, 200), 0.25);
  assert.equal(S.fractionDone(500, 200), 1);
  assert.equal(S.fractionDone(5, 0), 0);
});

test('format and link type descriptions', () => {
  assert.equal(S.describeFormat({ format: 'pcap', big_endian: true, nanosecond: false, version: [2, 4], gzip: false }), 'pcap (big-endian, µs, v2.4)');
  assert.equal(S.describeFormat({ format: 'pcapng', sections: [{}, {}], interfaces: [{}], gzip: true }), 'pcapng (2 sections, 1 interface), gzip-compressed');
  assert.equal(S.linktypeName(1), 'Ethernet (1)');
  assert.equal(S.linktypeName(4242), 'LINKTYPE 4242');
});
