// The packet-bytes pane: offset, 16 bytes in hex and their ASCII per line, with the selected
// field's byte range marked (class "marked" on the hex and ASCII cells; data-mark-offset/-length).
import { h, replaceChildren } from '../dom.js';

/** Bytes per line. */
const PER_LINE = 16;
/** Most bytes drawn (a 256 KiB jumbo frame would be 16,384 lines): the rest is summarised. */
const MAX_BYTES = 65536;

/** Mounts an empty pane. */
export function createBytesPane() {
  const element = h('pre', { class: 'bytes-pane', tabindex: 0, 'aria-label': 'Packet bytes', dataset: { testid: 'bytes-pane' } });
  let hexCells = [];
  let asciiCells = [];

  function mark(offset, length) {
    for (const cell of element.querySelectorAll('.marked')) cell.classList.remove('marked');
    if (!(length > 0)) {
      delete element.dataset.markOffset;
      delete element.dataset.markLength;
      return;
    }
    element.dataset.markOffset = String(offset);
    element.dataset.markLength = String(length);
    const end = Math.min(hexCells.length, offset + length);
    for (let i = offset; i < end; i++) {
      hexCells[i].classList.add('marked');
      asciiCells[i].classList.add('marked');
    }
    const first = hexCells[offset];
    if (first && typeof first.scrollIntoView === 'function') first.scrollIntoView({ block: 'nearest' });
  }

  return {
    element,
    /** Shows `bytes` (Uint8Array). */
    show(bytes) {
      const shown = Math.min(bytes.length, MAX_BYTES);
      hexCells = new Array(shown);
      asciiCells = new Array(shown);
      const lines = [];
      for (let start = 0; start < shown; start += PER_LINE) {
        const hex = [];
        const ascii = [];
        for (let i = start; i < start + PER_LINE; i++) {
          if (i < shown) {
            const b = bytes[i];
            hexCells[i] = h('span', { class: 'bx', dataset: { i } }, b.toString(16).padStart(2, '0'));
            asciiCells[i] = h('span', { class: 'ba', dataset: { i } }, b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.');
            hex.push(hexCells[i], i % PER_LINE === 7 ? '  ' : ' ');
            ascii.push(asciiCells[i]);
          } else {
            hex.push(i % PER_LINE === 7 ? '    ' : '   ');
          }
        }
        lines.push(h('span', { class: 'bl' }, h('span', { class: 'bo' }, start.toString(16).padStart(4, '0')), '  ', hex, ' ', ascii, '\n'));
      }
      if (bytes.length > shown) lines.push(h('span', { class: 'bl' }, `… ${bytes.length - shown} more bytes not shown`));
      element.dataset.length = String(bytes.length);
      replaceChildren(element, lines);
      mark(0, 0);
    },
    /** Marks bytes [offset, offset + length) (length 0 clears). */
    mark,
    /** Empties the pane. */
    clear() {
      hexCells = [];
      asciiCells = [];
      delete element.dataset.length;
      element.replaceChildren();
      mark(0, 0);
    },
  };
}
