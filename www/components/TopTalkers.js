// Top talkers of the IO graph: the sources (outermost IP source) that sent the most bytes in the
// interval under the cursor, in the brushed time range, or in the whole capture. The per-interval
// lists come from the core (StatsHandle.topTalkers, the same numbers as `tracematch stats --top`);
// a range is the sum of its intervals' lists, exact when the lists are complete.
import { h, replaceChildren } from '../dom.js';
import { formatCount } from '../state.js';
import { toCsv, downloadCsv } from '../csv.js';

/** Sources listed. */
export const TOP_TALKERS_SHOWN = 10;

/**
 * Mounts the table for `talkers` ({ interval_ms, complete, intervals }) and returns
 * `{ element, showInterval(index), showRange([start, end] | null) }`.
 */
export function createTopTalkers(talkers, { name }) {
  const seconds = talkers.interval_ms / 1000;
  const byIndex = new Map(talkers.intervals.map((t) => [t.index, t]));
  const title = h('h3', {}, 'Top talkers');
  const scope = h('span', { class: 'pane-hint' });
  const body = h('tbody');
  let shown = [];
  let shownLabel = '';
  const exportButton = h('button', {
    type: 'button', class: 'btn btn-small btn-quiet', dataset: { testid: 'top-talkers-csv' },
    on: { click: () => downloadCsv(`${name}-top-talkers.csv`, toCsv(['scope', 'rank', 'address', 'packets', 'bytes'], shown.map((t, i) => [shownLabel, i + 1, t.address, t.frames, t.bytes]))) },
  }, 'CSV');
  const note = talkers.complete ? null : h('div', { class: 'pane-hint' }, 'Busy capture: each interval keeps its 20 biggest sources, so range totals are lower bounds.');
  const element = h('div', { class: 'top-talkers', dataset: { testid: 'top-talkers' } },
    h('div', { class: 'pane-head' }, title, scope, h('span', { class: 'spacer' }), exportButton),
    note,
    h('table', { class: 'plain' },
      h('thead', {}, h('tr', {}, ['Address', 'Packets', 'Bytes'].map((t) => h('th', {}, t)))),
      body));

  /** Lists `lists` (intervals' talker lists) summed, biggest first (ties: first seen, so one
   * interval keeps the core's order). */
  function render(label, start, end, lists) {
    const sum = new Map();
    for (const list of lists) {
      for (const t of list.top) {
        const s = sum.get(t.address) || { address: t.address, frames: 0, bytes: 0 };
        s.frames += t.frames;
        s.bytes += t.bytes;
        sum.set(t.address, s);
      }
    }
    shown = [...sum.values()]
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, TOP_TALKERS_SHOWN);
    shownLabel = label;
    scope.textContent = label;
    element.dataset.start = String(start);
    element.dataset.end = String(end);
    replaceChildren(body, shown.length === 0
      ? h('tr', {}, h('td', { colspan: 3, class: 'pane-hint' }, 'No IP packets here.'))
      : shown.map((t) => h('tr', { dataset: { testid: 'talker-row', addr: t.address, packets: t.frames, bytes: t.bytes } },
        h('td', {}, t.address), h('td', { class: 'num' }, formatCount(t.frames)), h('td', { class: 'num' }, formatCount(t.bytes)))));
  }

  let range = null;
  /** The intervals overlapping [start, end) s. */
  function inRange([start, end]) {
    return talkers.intervals.filter((t) => t.start < end && t.start + seconds > start);
  }
  function showRange(r) {
    range = r;
    if (r) render(`${r[0].toFixed(3)} – ${r[1].toFixed(3)} s`, r[0], r[1], inRange(r));
    else render('whole capture', 0, Infinity, talkers.intervals);
  }
  showRange(null);
  return {
    element,
    /** Shows the interval numbered `index` (the one under the cursor); null: back to the range. */
    showInterval(index) {
      if (index === null || index === undefined) { showRange(range); return; }
      const start = index * seconds;
      const t = byIndex.get(index);
      render(`interval ${start.toFixed(3)} s`, start, start + seconds, t ? [t] : []);
    },
    showRange,
  };
}
