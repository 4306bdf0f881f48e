// Unit tests for www/follow-text.js (pure: runs in node without a browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as F from '../../www/follow-text.js';

const page = (chunks, bytes) => ({ chunks, bytes: Uint8Array.from(bytes) });

test('pages become turns: consecutive chunks of one direction merge, also across pages', () => {
  const turns = [];
  const sent = [0, 0];
  F.addPage(turns, sent, page([
    { frame: 4, ts_ns: 1, dir: 0, offset: 0, len: 3, gap_missing: null, gap_frame: null },
    { frame: 5, ts_ns: 2, dir: 0, offset: 3, len: 2, gap_missing: null, gap_frame: null },
    { frame: 6, ts_ns: 3, dir: 1, offset: 5, len: 4, gap_missing: null, gap_frame: null },
  ], [1, 2, 3, 4, 5, 6, 7, 8, 9]));
  F.addPage(turns, sent, page([
    { frame: 7, ts_ns: 4, dir: 1, offset: 0, len: 1, gap_missing: 10, gap_frame: 9 },
    { frame: 8, ts_ns: 5, dir: 0, offset: 1, len: 2, gap_missing: null, gap_frame: null },
  ], [10, 11, 12]));
  assert.deepEqual(turns.map((t) => [t.dir, t.bytes, t.startOffset, t.chunks.length]), [[0, 5, 0, 2], [1, 5, 0, 2], [0, 2, 5, 1]]);
  assert.deepEqual(sent, [7, 5]);
  assert.deepEqual(turns[1].chunks[1].gap, { missing: 10, frame: 9 });
  assert.deepEqual([...turns[1].chunks[1].bytes], [10]);
  assert.deepEqual([...F.shownBytes(turns, 'both')], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual([...F.shownBytes(turns, 1)], [6, 7, 8, 9, 10]);
  assert.deepEqual([...F.shownBytes(turns, 0)], [1, 2, 3, 4, 5, 11, 12]);
});

test('text views: ASCII keeps printable bytes and line breaks, raw is hex, UTF-8 decodes', () => {
  const bytes = Uint8Array.from([0x47, 0x45, 0x54, 0x0d, 0x0a, 0x00, 0xff, 0x09, 0x7f]);
  assert.equal(F.asciiText(bytes), 'GET\r\n..\t.');
  assert.equal(F.hexString(bytes), '4745540d0a00ff097f');
  assert.equal(F.chunkText('raw', bytes), '4745540d0a00ff097f\n');
  assert.equal(F.utf8Text(Uint8Array.from([0xc3, 0xa9, 0xff])), 'é\ufffd');
});

test('hex dump: 16 bytes a line, offsets from the direction start, ASCII column', () => {
  const bytes = Uint8Array.from({ length: 20 }, (_, i) => 0x41 + i);
  const dump = F.hexDump(bytes, 0x20).split('\n');
  assert.equal(dump.length, 2);
  assert.equal(dump[0], '00000020  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP');
  assert.ok(dump[1].startsWith('00000030  51 52 53 54 '));
  assert.ok(dump[1].endsWith('  QRST'));
});

test('find: every case-insensitive occurrence, none for an empty query', () => {
  assert.deepEqual(F.findAll('abcABCabc', 'bc'), [[1, 3], [4, 6], [7, 9]]);
  assert.deepEqual(F.findAll('aaaa', 'aa'), [[0, 2], [2, 4]]);
  assert.deepEqual(F.findAll('abc', ''), []);
});

test('images only for image/* types; text detection; safe file names; page-size option', () => {
  assert.equal(F.isImageType('image/png'), true);
  assert.equal(F.isImageType('Image/SVG+XML; charset=utf-8'), true);
  assert.equal(F.isImageType('text/html'), false);
  assert.equal(F.isImageType('image/png"><script>'), false);
  assert.equal(F.isImageType(''), false);
  assert.equal(F.looksLikeText(new TextEncoder().encode('<p>hello</p>\n')), true);
  assert.equal(F.looksLikeText(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])), false);
  assert.equal(F.safeFileName('<img src=x>.png'), '_img_src_x_.png');
  assert.equal(F.safeFileName('...'), 'stream.bin');
  assert.equal(F.gapText({ missing: 12, frame: 3 }), '[12 bytes missing in capture file]');
  assert.equal(F.followPageBytesFromQuery('?followpage=4096'), 4096);
  assert.equal(F.followPageBytesFromQuery('?followpage=1'), F.DEFAULT_FOLLOW_PAGE_BYTES);
  assert.equal(F.followPageBytesFromQuery(''), F.DEFAULT_FOLLOW_PAGE_BYTES);
});
