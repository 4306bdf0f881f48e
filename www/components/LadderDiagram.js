// The ladder (timing) diagram of one TCP session: client and server columns, one arrow per packet
// with flags, seq/ack, length and the first payload bytes; times absolute, relative or delta; packet
// lots shaded, retransmissions and resets marked. Only the arrows in view exist in the DOM, so a
// session of 100k packets scrolls as smoothly as one of ten. Clicking an arrow selects the packet.
import { h, replaceChildren } from '../dom.js';
import { visibleRange } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';

/** Height of one arrow row in px (must match .ladder-arrow in styles/session.css). */
export const ARROW_HEIGHT = 30;

const MARKED = new Set(['retransmission', 'fast_retransmission', 'spurious_retransmission', 'out_of_order', 'lost_segment', 'ack_lost_segment', 'duplicate_ack', 'zero_window']);

/** Index of the lot each arrow belongs to (-1 before the first lot): lots start at their first frame. */
export function lotIndexOf(arrows, lots) {
  const out = new Int32Array(arrows.length).fill(-1);
  let lot = -1;
  for (let i = 0; i < arrows.length; i++) {
    while (lot + 1 < lots.length && arrows[i].frame >= lots[lot + 1].first_frame) lot++;
    out[i] = lot;
  }
  return out;
}

/** Mounts the diagram for `arrows`; onSelect(frame) when an arrow is clicked. */
export function createLadderDiagram({ arrows, lots, client, server, name, onSelect }) {
  const lotOf = lotIndexOf(arrows, lots);
  let timeMode = 'rel';
  let selected = -1;
  let frame = 0;
  const modeSelect = h('select', { 'aria-label': 'Time column', on: { change: () => { timeMode = modeSelect.value; render(true); } } },
    h('option', { value: 'rel' }, 'relative time'), h('option', { value: 'abs' }, 'absolute time'), h('option', { value: 'delta' }, 'delta time'));
  const exportButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: () => downloadCsv(`${name}-ladder.csv`, csv()) } }, 'CSV');
  const canvas = h('div', { class: 'ladder-canvas' });
  canvas.style.height = `${arrows.length * ARROW_HEIGHT}px`;
  const viewport = h('div', { class: 'ladder-viewport', tabindex: 0 }, canvas);
  const element = h('div', { class: 'ladder', dataset: { testid: 'ladder', arrows: arrows.length } },
    h('div', { class: 'pane-head' }, h('h4', {}, `Ladder (${arrows.length} packets)`), modeSelect, h('span', { class: 'spacer' }), exportButton),
    h('div', { class: 'ladder-cols' }, h('span', { class: 'ladder-time' }, 'time'), h('span', { class: 'ladder-end' }, `client ${client}`), h('span', { class: 'ladder-mid' }), h('span', { class: 'ladder-end' }, `server ${server}`)),
    viewport);

  function timeText(i) {
    const a = arrows[i];
    if (timeMode === 'abs') return a.abs_time;
    if (timeMode === 'delta') return i === 0 ? '0.000000' : (a.rel_time - arrows[i - 1].rel_time).toFixed(6);
    return a.rel_time.toFixed(6);
  }

  function label(a) {
    const parts = [a.flags ? `[${a.flags}]` : '', `Seq=${a.seq}`];
    if (a.ack !== null && a.ack !== undefined) parts.push(`Ack=${a.ack}`);
    parts.push(`Win=${a.win}`, `Len=${a.len}`);
    return parts.filter(Boolean).join(' ');
  }

  let last = { first: -1, end: -1 };
  function render(force = false) {
    frame = 0;
    const { first, end } = visibleRange(viewport.scrollTop, viewport.clientHeight || 480, ARROW_HEIGHT, arrows.length);
    if (!force && first === last.first && end === last.end) return;
    last = { first, end };
    const rows = [];
    for (let i = first; i < end; i++) {
      const a = arrows[i];
      const marks = a.analysis.filter((k) => MARKED.has(k));
      const rst = a.flags.includes('RST');
      const classes = ['ladder-arrow', a.from_client ? 'to-server' : 'to-client', lotOf[i] >= 0 ? `lot lot-${lotOf[i] % 2}` : '', marks.length ? 'marked' : '', rst ? 'reset' : '', i === selected ? 'selected' : ''];
      const row = h('div', {
        class: classes.filter(Boolean).join(' '), role: 'button', tabindex: -1,
        title: [label(a), ...marks, a.preview ? `payload: ${a.preview}` : ''].filter(Boolean).join('\n'),
        dataset: { testid: 'ladder-arrow', frame: a.frame, index: i },
        on: { click: () => select(i) },
      },
      h('span', { class: 'ladder-time' }, timeText(i)),
      h('span', { class: 'ladder-line' },
        h('span', { class: 'ladder-label' }, `${a.frame}: ${label(a)}`,
          marks.length ? h('span', { class: 'ladder-mark' }, ` ${marks.join(', ')}`) : null,
          a.preview ? h('span', { class: 'ladder-preview' }, ` ${a.preview}`) : null)),
      );
      row.style.top = `${i * ARROW_HEIGHT}px`;
      rows.push(row);
    }
    replaceChildren(canvas, rows);
  }

  function select(i) {
    selected = i;
    for (const el of canvas.children) el.classList.toggle('selected', Number(el.dataset.index) === i);
    element.dataset.selected = arrows[i].frame;
    if (onSelect) onSelect(arrows[i].frame);
  }

  function csv() {
    return toCsv(['frame', 'abs_time', 'rel_time', 'direction', 'flags', 'seq', 'ack', 'len', 'win', 'analysis', 'lot'],
      arrows.map((a, i) => [a.frame, a.abs_time, a.rel_time.toFixed(9), a.from_client ? 'client_to_server' : 'server_to_client', a.flags, a.seq, a.ack ?? '', a.len, a.win, a.analysis.join(' '), lotOf[i] >= 0 ? lots[lotOf[i]].number : '']));
  }

  viewport.addEventListener('scroll', () => { if (!frame) frame = requestAnimationFrame(() => render()); });
  // Keyboard: arrows move the selection (and list that packet), Home/End jump to the ends.
  viewport.addEventListener('keydown', (e) => {
    if (arrows.length === 0) return;
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    let next;
    if (e.key in moves) next = Math.max(0, Math.min(arrows.length - 1, (selected < 0 ? -1 : selected) + moves[e.key]));
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = arrows.length - 1;
    else return;
    e.preventDefault();
    const top = next * ARROW_HEIGHT;
    if (top < viewport.scrollTop) viewport.scrollTop = top;
    else if (top + ARROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) viewport.scrollTop = top + ARROW_HEIGHT - viewport.clientHeight;
    render(true);
    select(next);
  });
  requestAnimationFrame(() => render(true));
  return { element, render: () => render(true) };
}
