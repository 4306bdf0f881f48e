// The URL-fragment keys of one capture's views today (see url_state.js for the mechanism):
//   conv=tcp|udp|ip       the conversation tab
//   range=START-END       the IO graph's time range (seconds since the first packet)
//   stream=N              the selected conversation (tcp/udp stream number; ip: its row)
//   view=follow           the Follow view of the selected stream is open
//   packet=N              the packet selected in the whole-capture packet list (frame number)
//   (filter=TEXT, the applied display filter, is bound by CaptureView.js before these keys.)
// Restoring runs in that order (each step waits for the previous one). Values are checked here
// before anything acts on them: a hand-edited link can only choose among valid view settings.

const KINDS = new Set(['tcp', 'udp', 'ip']);
const VIEWS = new Set(['follow']);

/** "tcp" | "udp" | "ip" from a fragment value, or null. */
export function parseKind(value) {
  return KINDS.has(value) ? value : null;
}

/** A non-negative stream / row number from a fragment value, or null. */
export function parseStream(value) {
  return /^\d{1,9}$/.test(String(value)) ? Number(value) : null;
}

/** A frame number (1 or more) from a fragment value, or null. */
export function parsePacket(value) {
  return /^[1-9]\d{0,9}$/.test(String(value)) && Number(value) <= 0xffffffff ? Number(value) : null;
}

/** "follow" from a fragment value, or null. */
export function parseView(value) {
  return VIEWS.has(value) ? value : null;
}

/** A time range [start, end] (seconds) as fragment text: up to 6 decimals, no trailing zeros. */
export function formatRange(range) {
  if (!range) return null;
  const f = (x) => String(Number(Number(x).toFixed(6)));
  return `${f(range[0])}-${f(range[1])}`;
}

/** Fragment text back to [start, end] with 0 <= start <= end, or null. */
export function parseRange(value) {
  const m = /^(\d{1,12}(?:\.\d{1,9})?)-(\d{1,12}(?:\.\d{1,9})?)$/.exec(String(value));
  if (!m) return null;
  const a = Number(m[1]), b = Number(m[2]);
  return Number.isFinite(a) && Number.isFinite(b) && a <= b ? [a, b] : null;
}

/**
 * Binds a capture view's keys in `scope` (from urlState.scope(name)). `view` supplies:
 *   kind(), showKind(kind) → promise; range(), setRange(range) → promise;
 *   stream(), selectStream(id) → promise; followOpen(), openFollow() → promise;
 *   packet() → frame number or null, selectPacket(frame) → promise.
 */
export function bindCaptureUrl(scope, view) {
  scope.bind('conv', () => view.kind(), (v) => { const k = parseKind(v); return k ? view.showKind(k) : undefined; });
  scope.bind('range', () => formatRange(view.range()), (v) => { const r = parseRange(v); return r ? view.setRange(r) : undefined; });
  scope.bind('stream', () => view.stream(), (v) => { const s = parseStream(v); return s === null ? undefined : view.selectStream(s); });
  scope.bind('view', () => (view.followOpen() ? 'follow' : null), (v) => (parseView(v) === 'follow' ? view.openFollow() : undefined));
  scope.bind('packet', () => view.packet(), (v) => { const n = parsePacket(v); return n === null ? undefined : view.selectPacket(n); });
}
