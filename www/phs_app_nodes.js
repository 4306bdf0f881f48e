// The protocol hierarchy's application nodes (http, tls) merged into its rows. The statistics pass
// counts the hierarchy without them; the capture's worker computes them afterwards from reassembled
// TCP streams (CaptureHandle.appHierarchy: [{ parent, proto, frames, bytes }]). Pure: no DOM.

/**
 * `rows` (depth first: { depth, proto, path, frames, bytes }) with `nodes` added: each node becomes
 * a row `${parent}:${proto}` one level below the row whose path is `parent` (a row, or a node given
 * before it: `tls` under `eth:ip:tcp`, then `tcp.segments` under `eth:ip:tcp:tls`), after that
 * row's existing descendants (nodes under the same parent keep their given order). A node whose
 * parent is neither, or whose own path already is a row, is left out. Linear in rows + nodes;
 * `rows` is not changed.
 */
export function mergeAppNodes(rows, nodes) {
  const paths = new Set(rows.map((r) => r.path));
  const byParent = new Map();
  for (const n of nodes) {
    const path = `${n.parent}:${n.proto}`;
    if (paths.has(path) || !paths.has(n.parent)) continue;
    paths.add(path);
    if (!byParent.has(n.parent)) byParent.set(n.parent, []);
    byParent.get(n.parent).push({ proto: n.proto, path, frames: n.frames, bytes: n.bytes });
  }
  const out = [];
  // Added nodes below `path` at `depth`, each followed by its own added nodes (depth at most the
  // hierarchy's, so the recursion is shallow).
  const emit = (path, depth) => {
    for (const n of byParent.get(path) || []) {
      out.push({ depth, ...n });
      emit(n.path, depth + 1);
    }
  };
  const open = []; // rows whose subtree is being written, outermost first
  const closeTo = (depth) => {
    while (open.length && open[open.length - 1].depth >= depth) {
      const r = open.pop();
      emit(r.path, r.depth + 1);
    }
  };
  for (const r of rows) {
    closeTo(r.depth);
    out.push(r);
    open.push(r);
  }
  closeTo(0);
  return out;
}
