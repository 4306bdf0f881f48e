// Pure helpers of the Follow view: turns from pages of chunks, the four text views of bytes
// (ASCII, hex dump, raw, UTF-8), finding text, content types. No DOM; unit-tested with node
// (tests/js/follow-text.test.mjs). Every string made here is inserted as a text node.

/** Follow views, in the order of the "Show as" menu. */
export const FOLLOW_VIEWS = [
  { key: 'ascii', label: 'ASCII' },
  { key: 'hexdump', label: 'Hex dump' },
  { key: 'raw', label: 'Raw' },
  { key: 'utf8', label: 'UTF-8' },
];

/**
 * Adds a page from the worker ({chunks: [{frame, ts_ns, dir, offset, len, gap_missing,
 * gap_frame}], bytes}) to `turns` (modified and returned). A turn is a run of consecutive chunks in
 * one direction: {dir, bytes (count), startOffset (bytes of that direction before the turn),
 * chunks: [{frame, ts_ns, bytes: Uint8Array, gap: null | {missing, frame}}]}.
 * `sent` ([node 0, node 1] byte counts so far) is updated too.
 */
export function addPage(turns, sent, page) {
  for (const c of page.chunks) {
    const dir = c.dir === 1 ? 1 : 0;
    const bytes = page.bytes.subarray(c.offset, c.offset + c.len);
    const gap = c.gap_missing === null || c.gap_missing === undefined ? null : { missing: c.gap_missing, frame: c.gap_frame };
    let turn = turns[turns.length - 1];
    if (!turn || turn.dir !== dir) {
      turn = { dir, bytes: 0, startOffset: sent[dir], chunks: [] };
      turns.push(turn);
    }
    turn.chunks.push({ frame: c.frame, ts_ns: c.ts_ns, bytes, gap });
    turn.bytes += bytes.length;
    sent[dir] += bytes.length;
  }
  return turns;
}

/** Wireshark's ASCII view: printable ASCII, tab, CR and LF kept; every other byte as '.'. */
export function asciiText(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += (b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09 ? String.fromCharCode(b) : '.';
  }
  return out;
}

/** UTF-8 text (invalid sequences as U+FFFD). */
export function utf8Text(bytes) {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/** Lowercase hex without separators (tshark's raw format, one line per chunk). */
export function hexString(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += bytes[i].toString(16).padStart(2, '0');
  return out;
}

/**
 * A hex dump: 16 bytes a line, `OFFSET  hh hh … hh  ascii`, offsets from `start` (the bytes of the
 * same direction before these, as in tshark's hex format), upper-case 8-digit offsets.
 */
export function hexDump(bytes, start = 0) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, Math.min(bytes.length, i + 16));
    let hex = '';
    let text = '';
    for (let j = 0; j < 16; j++) {
      if (j < row.length) {
        hex += row[j].toString(16).padStart(2, '0') + ' ';
        text += row[j] >= 0x20 && row[j] < 0x7f ? String.fromCharCode(row[j]) : '.';
      } else {
        hex += '   ';
      }
      if (j === 7) hex += ' ';
    }
    lines.push(`${(start + i).toString(16).toUpperCase().padStart(8, '0')}  ${hex} ${text}`);
  }
  return lines.join('\n');
}

/** The text of one chunk in `view` (hex dump offsets start at `offset`). */
export function chunkText(view, bytes, offset = 0) {
  switch (view) {
    case 'hexdump': return hexDump(bytes, offset) + '\n';
    case 'raw': return hexString(bytes) + '\n';
    case 'utf8': return utf8Text(bytes);
    default: return asciiText(bytes);
  }
}

/** The marker shown (never saved) where the capture misses bytes. */
export function gapText(gap) {
  return `[${gap.missing} bytes missing in capture file]`;
}

/** Positions [start, end) of every case-insensitive occurrence of `query` in `text`. */
export function findAll(text, query) {
  const out = [];
  if (!query) return out;
  const hay = text.toLowerCase();
  const needle = query.toLowerCase();
  for (let at = hay.indexOf(needle); at >= 0 && out.length < 100000; at = hay.indexOf(needle, at + Math.max(1, needle.length))) {
    out.push([at, at + needle.length]);
  }
  return out;
}

/** The bytes of `turns` shown for `node` ('both' | 0 | 1), concatenated (gaps are not bytes). */
export function shownBytes(turns, node) {
  const parts = [];
  let total = 0;
  for (const t of turns) {
    if (node !== 'both' && t.dir !== node) continue;
    for (const c of t.chunks) { parts.push(c.bytes); total += c.bytes.length; }
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** True for a content type the page may show as an image (`image/png`, `image/svg+xml`…). */
export function isImageType(contentType) {
  return /^image\/[a-z0-9.+-]+$/i.test(String(contentType || '').split(';')[0].trim());
}

/** True when `bytes` look like text: valid UTF-8 with few control characters. */
export function looksLikeText(bytes) {
  if (bytes.length === 0) return true;
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, Math.min(bytes.length, 65536)));
  } catch {
    // A multi-byte character cut by the 64 KiB window is fine; anything else is binary.
    if (bytes.length <= 65536) return false;
    text = new TextDecoder('utf-8').decode(bytes.subarray(0, 65536));
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) control++;
  }
  return control * 100 <= text.length;
}

/** A safe download name: letters, digits, '.', '-', '_' only; never empty, never leading dots. */
export function safeFileName(name, fallback = 'stream.bin') {
  const clean = String(name || '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 120);
  return clean || fallback;
}

/** Default payload bytes per Follow page, and the bounds of the `?followpage=` page option. */
export const DEFAULT_FOLLOW_PAGE_BYTES = 256 * 1024;
export const MIN_FOLLOW_PAGE_BYTES = 256;
export const MAX_FOLLOW_PAGE_BYTES = 16 * 1024 * 1024;

/** Follow page size from the query string (`?followpage=4096`, for tests); the default otherwise. */
export function followPageBytesFromQuery(search) {
  const raw = new URLSearchParams(search || '').get('followpage');
  const n = raw === null ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < MIN_FOLLOW_PAGE_BYTES || n > MAX_FOLLOW_PAGE_BYTES) return DEFAULT_FOLLOW_PAGE_BYTES;
  return n;
}
