// Pure helpers of the Merged view (components/MergedView.js; no DOM, unit-tested in
// tests/js/merged_state.test.mjs): what the view can do with the captures open now, and the
// origin of its relative Time column.

/**
 * What to show for `captures` (in open order: { status, summary }): `{ state, captures, waiting,
 * total }`. Captures that failed to index are left out. state is 'few' (fewer than two captures),
 * 'waiting' (`waiting` lists those still indexing), 'too-big' (more than `maxPackets` packets in
 * all: `total`) or 'merge' (merge `captures`).
 */
export function mergePlan(captures, maxPackets) {
  const usable = captures.filter((c) => c.status !== 'failed');
  if (usable.length < 2) return { state: 'few', captures: usable, waiting: [], total: 0 };
  const waiting = usable.filter((c) => c.status === 'indexing' || !c.summary);
  if (waiting.length) return { state: 'waiting', captures: usable, waiting, total: 0 };
  const total = usable.reduce((sum, c) => sum + (Number(c.summary.frames) || 0), 0);
  return { state: total > maxPackets ? 'too-big' : 'merge', captures: usable, waiting: [], total };
}

/**
 * The time (BigInt epoch ns) of the first merged packet: the earliest of the captures' first
 * packets (`columns[i].ts`, BigInt64Array), which the merge takes first; null when all are empty.
 */
export function firstMergedNs(columns) {
  let first = null;
  for (const c of columns) {
    if (c.ts.length > 0 && (first === null || c.ts[0] < first)) first = c.ts[0];
  }
  return first;
}
