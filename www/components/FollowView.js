// Follow stream, as Wireshark's dialog: the stream's bytes coloured by direction (node 0 red,
// node 1 blue), one block per turn (consecutive bytes in one direction), shown as ASCII, hex dump,
// raw hex or UTF-8, both sides or one, with find, previous/next stream and save; plus a
// "Follow HTTP" tab (messages, headers, decoded bodies, export objects).
// Pages come from the worker on demand (the first screen of a huge stream shows at once; more loads
// as the view scrolls). Everything from the capture is inserted as text nodes; images are <img>
// elements with blob: URLs of the decoded bytes, only for image/* content types.
import { h, replaceChildren } from '../dom.js';
import { formatBytes, formatCount, formatRelativeTime } from '../state.js';
import {
  FOLLOW_VIEWS, addPage, followPageBytesFromQuery, chunkText, findAll, gapText, hexDump, isImageType, looksLikeText, safeFileName, shownBytes, utf8Text,
} from '../follow-text.js';

/** Payload bytes per worker page (256 KiB; `?followpage=N` for tests). */
const PAGE_BYTES = followPageBytesFromQuery(location.search);
/** Body bytes shown as text or hex before "(N more bytes: save to see all)". */
const BODY_SHOW_BYTES = 256 * 1024;

/** Starts a download of `bytes` named `name` (a blob: URL, revoked after the click). */
export function download(bytes, name, type = 'application/octet-stream') {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = h('a', { href: url, download: safeFileName(name), hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/**
 * Mounts the Follow pane. `rpc` talks to the capture's worker; `streamCount(proto)` gives the
 * number of streams (for previous/next); `firstTsNs()` gives the capture's first timestamp.
 * Returns { element, open(proto, stream), close() }.
 */
export function createFollowView({ rpc, streamCount, firstTsNs, onClose }) {
  let token = 0;
  let current = null; // { proto, stream, header, turns, sent, done, loading, frames }
  let view = 'ascii';
  let node = 'both';
  let marks = [];
  let markAt = -1;
  const blobUrls = [];

  const title = h('h3', { class: 'follow-title' }, 'Follow');
  const prev = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-prev' }, title: 'Previous stream', on: { click: () => step(-1) } }, '◀ Prev stream');
  const next = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-next' }, title: 'Next stream', on: { click: () => step(1) } }, 'Next stream ▶');
  const closeButton = h('button', { type: 'button', class: 'btn btn-small btn-quiet', on: { click: close } }, 'Close');
  const streamTab = h('button', { type: 'button', role: 'tab', class: 'conv-tab', 'aria-selected': 'true', dataset: { testid: 'follow-tab', tab: 'stream' }, on: { click: () => showTab('stream') } }, 'Stream');
  const httpTab = h('button', { type: 'button', role: 'tab', class: 'conv-tab', 'aria-selected': 'false', dataset: { testid: 'follow-tab', tab: 'http' }, on: { click: () => showTab('http') } }, 'Follow HTTP');

  const nodeSelect = h('select', { dataset: { testid: 'follow-node' }, 'aria-label': 'Show', on: { change: () => { node = nodeSelect.value === 'both' ? 'both' : Number(nodeSelect.value); render(); } } });
  const viewSelect = h('select', { dataset: { testid: 'follow-view' }, 'aria-label': 'Show as', on: { change: () => { view = viewSelect.value; render(); } } },
    FOLLOW_VIEWS.map((v) => h('option', { value: v.key }, v.label)));
  const findInput = h('input', { type: 'search', placeholder: 'Find', dataset: { testid: 'follow-find' }, 'aria-label': 'Find text', on: { input: () => find(), keydown: (e) => { if (e.key === 'Enter') { e.preventDefault(); moveMark(e.shiftKey ? -1 : 1); } } } });
  const findPrev = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-find-prev' }, title: 'Previous match', on: { click: () => moveMark(-1) } }, '↑');
  const findNext = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-find-next' }, title: 'Next match', on: { click: () => moveMark(1) } }, '↓');
  const findCount = h('span', { class: 'pane-hint', dataset: { testid: 'follow-find-count' } }, '');
  const saveButton = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-save' }, title: 'Save the bytes shown (the selected side; gap markers are not saved)', on: { click: save } }, 'Save shown bytes');
  const moreButton = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'follow-more' }, on: { click: () => loadMore() } }, 'Load more');
  const status = h('span', { class: 'pane-hint follow-status', dataset: { testid: 'follow-status' } }, '');

  const tlsBox = h('div', { class: 'follow-tls', dataset: { testid: 'follow-tls' }, hidden: true });
  const content = h('div', { class: 'follow-text', dataset: { testid: 'follow' }, tabindex: 0 });
  const scroller = h('div', { class: 'follow-scroll' }, content);
  const streamPane = h('div', { class: 'follow-stream' },
    h('div', { class: 'follow-tools' },
      h('label', {}, 'Show ', nodeSelect), h('label', {}, 'as ', viewSelect),
      h('span', { class: 'follow-find' }, findInput, findPrev, findNext, findCount),
      h('span', { class: 'spacer' }), saveButton),
    tlsBox,
    scroller,
    h('div', { class: 'follow-foot' }, status, moreButton));
  const httpPane = h('div', { class: 'follow-http', dataset: { testid: 'follow-http' }, hidden: true });
  const element = h('div', { class: 'pane follow-pane', dataset: { testid: 'follow-pane' }, hidden: true },
    h('div', { class: 'pane-head' }, title, h('div', { class: 'tabs', role: 'tablist' }, streamTab, httpTab), h('span', { class: 'spacer' }), prev, next, closeButton),
    streamPane, httpPane);

  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 400) loadMore();
  }, { passive: true });

  function endpoint(n) {
    return n.address ? `${n.address}:${n.port}` : '(none)';
  }

  function revokeBlobs() {
    for (const u of blobUrls.splice(0)) URL.revokeObjectURL(u);
  }

  async function open(proto, stream) {
    const my = ++token;
    revokeBlobs();
    current = { proto, stream, header: null, turns: [], sent: [0, 0], done: false, loading: false, framesRead: 0 };
    element.hidden = false;
    node = 'both';
    content.dataset.stream = String(stream);
    content.dataset.proto = proto;
    content.dataset.state = 'loading';
    replaceChildren(content);
    replaceChildren(httpPane);
    replaceChildren(tlsBox);
    tlsBox.hidden = true;
    httpPane.dataset.stream = String(stream);
    delete httpPane.dataset.state;
    title.textContent = `Follow ${proto.toUpperCase()} stream ${stream}`;
    httpTab.hidden = proto !== 'tcp';
    showTab('stream');
    const count = streamCount(proto);
    prev.disabled = stream <= 0;
    next.disabled = !(stream + 1 < count);
    status.textContent = 'Reading…';
    try {
      const header = await rpc.call('followStart', [proto, stream]);
      if (my !== token) return;
      current.header = header;
      current.frames = header.frames;
      title.textContent = `Follow ${proto.toUpperCase()} stream ${stream}: ${endpoint(header.node0)} ⇄ ${endpoint(header.node1)}`;
      updateNodeSelect();
      if (proto === 'tcp') showTls(my, stream);
      await loadMore(my);
    } catch (err) {
      if (my !== token) return;
      content.dataset.state = 'error';
      status.textContent = `Could not follow the stream: ${err.message}`;
    }
  }

  /** The TLS handshake summary above the bytes, when the stream is TLS (nothing is decrypted). */
  async function showTls(my, stream) {
    let t;
    try {
      t = await rpc.call('tlsSummary', [stream]);
    } catch {
      return;
    }
    if (my !== token || !t) return;
    const cipher = t.cipher_suite ? `${t.cipher_suite_name || ''} (${t.cipher_suite})`.trim() : '';
    const items = [
      ['SNI', t.sni || ''],
      ['ALPN offered', (t.alpn_offered || []).join(', ')],
      ['ALPN selected', t.alpn_selected || ''],
      ['Client versions', (t.client_versions || []).join(', ')],
      ['Server version', t.server_version || ''],
      ['Cipher suite', cipher],
      ['Certificate subject', t.certificate_subject || ''],
    ].filter(([, v]) => v);
    replaceChildren(tlsBox, h('strong', {}, 'TLS handshake'),
      h('dl', { class: 'facts' }, items.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
    tlsBox.hidden = false;
  }

  function updateNodeSelect() {
    const hd = current.header;
    const keep = nodeSelect.value;
    replaceChildren(nodeSelect,
      h('option', { value: 'both' }, `Entire conversation (${formatBytes(current.sent[0] + current.sent[1])}${current.done ? '' : '+'})`),
      h('option', { value: '0' }, `${endpoint(hd.node0)} → ${endpoint(hd.node1)} (${formatBytes(current.sent[0])}${current.done ? '' : '+'})`),
      h('option', { value: '1' }, `${endpoint(hd.node1)} → ${endpoint(hd.node0)} (${formatBytes(current.sent[1])}${current.done ? '' : '+'})`));
    nodeSelect.value = keep && [...nodeSelect.options].some((o) => o.value === keep) ? keep : 'both';
    node = nodeSelect.value === 'both' ? 'both' : Number(nodeSelect.value);
  }

  async function loadMore(my = token) {
    if (!current || current.done || current.loading || !current.header) return;
    current.loading = true;
    moreButton.disabled = true;
    try {
      const page = await rpc.call('followNext', [PAGE_BYTES]);
      if (my !== token) return;
      const before = current.turns.length;
      addPage(current.turns, current.sent, page);
      current.done = page.done;
      current.framesRead = page.frames_read;
      updateNodeSelect();
      // The last turn may have grown: re-render it and append the new ones.
      renderFrom(Math.max(0, before - 1));
      content.dataset.state = current.done ? 'done' : 'partial';
      content.dataset.turns = String(current.turns.length);
    } catch (err) {
      if (my !== token) return;
      content.dataset.state = 'error';
      status.textContent = `Reading the stream failed: ${err.message}`;
      return;
    } finally {
      if (my === token && current) current.loading = false;
    }
    updateStatus();
    // Keep filling while the view is not yet scrollable.
    if (!current.done && scroller.scrollHeight <= scroller.clientHeight + 400) loadMore(my);
  }

  function updateStatus() {
    const total = current.sent[0] + current.sent[1];
    status.textContent = `${formatCount(current.turns.length)} turn${current.turns.length === 1 ? '' : 's'} · ${formatCount(total)} bytes · ${formatCount(current.framesRead)} of ${formatCount(current.frames)} frames read${current.done ? '' : ' · scroll for more'}`;
    moreButton.hidden = current.done;
    moreButton.disabled = false;
  }

  function turnElement(turn) {
    const parts = [];
    let offset = turn.startOffset;
    for (const c of turn.chunks) {
      if (c.gap) parts.push(h('span', { class: 'follow-gap', dataset: { testid: 'follow-gap' }, title: `revealed by frame ${c.gap.frame}` }, gapText(c.gap)), '\n');
      parts.push(h('span', { class: 'follow-bytes', dataset: { frame: c.frame } }, chunkText(view, c.bytes, offset)));
      offset += c.bytes.length;
    }
    const first = turn.chunks[0];
    return h('div', {
      class: `follow-chunk node${turn.dir}`,
      dataset: { testid: 'follow-chunk', node: turn.dir, bytes: turn.bytes, frame: first ? first.frame : '' },
      title: first ? `frame ${first.frame} · ${formatRelativeTime(first.ts_ns, firstTsNs())} s · ${turn.bytes} bytes` : '',
      hidden: node !== 'both' && node !== turn.dir,
    }, parts);
  }

  function renderFrom(index) {
    while (content.children.length > index) content.lastChild.remove();
    for (let i = index; i < current.turns.length; i++) content.append(turnElement(current.turns[i]));
    if (findInput.value) find(true);
  }

  function render() {
    if (!current) return;
    content.dataset.view = view;
    content.dataset.node = String(node);
    renderFrom(0);
  }

  // Find: matches are wrapped in <mark> by splitting text nodes (still text, never markup).
  function clearMarks() {
    for (const m of marks) {
      const parent = m.parentNode;
      if (!parent) continue;
      parent.replaceChild(document.createTextNode(m.textContent), m);
      parent.normalize();
    }
    marks = [];
    markAt = -1;
  }

  function find(keepPosition = false) {
    const at = markAt;
    clearMarks();
    const query = findInput.value;
    if (!query) { findCount.textContent = ''; return; }
    for (const span of content.querySelectorAll('.follow-chunk:not([hidden]) .follow-bytes')) {
      const text = span.textContent;
      const hits = findAll(text, query);
      if (!hits.length) continue;
      const nodes = [];
      let last = 0;
      for (const [s, e] of hits) {
        nodes.push(document.createTextNode(text.slice(last, s)));
        const mark = h('mark', { class: 'follow-mark' }, text.slice(s, e));
        marks.push(mark);
        nodes.push(mark);
        last = e;
      }
      nodes.push(document.createTextNode(text.slice(last)));
      span.replaceChildren(...nodes);
    }
    markAt = -1;
    if (marks.length) moveMark(keepPosition && at >= 0 ? at : 0, true);
    else findCount.textContent = 'no match';
  }

  function moveMark(delta, absolute = false) {
    if (!marks.length) return;
    if (markAt >= 0 && marks[markAt]) marks[markAt].classList.remove('current');
    markAt = absolute ? Math.min(delta, marks.length - 1) : (markAt + delta + marks.length) % marks.length;
    const m = marks[markAt];
    m.classList.add('current');
    m.scrollIntoView({ block: 'nearest' });
    findCount.textContent = `${markAt + 1} of ${marks.length}${current && !current.done ? ' (loaded part)' : ''}`;
  }

  function save() {
    if (!current) return;
    const bytes = shownBytes(current.turns, node);
    const side = node === 'both' ? 'both' : `node${node}`;
    download(bytes, `${current.proto}-stream-${current.stream}-${side}${current.done ? '' : '-partial'}.bin`);
  }

  function step(delta) {
    if (!current) return;
    const target = current.stream + delta;
    if (target < 0 || target >= streamCount(current.proto)) return;
    open(current.proto, target);
  }

  function showTab(tab) {
    streamTab.setAttribute('aria-selected', tab === 'stream' ? 'true' : 'false');
    httpTab.setAttribute('aria-selected', tab === 'http' ? 'true' : 'false');
    streamPane.hidden = tab !== 'stream';
    httpPane.hidden = tab !== 'http';
    if (tab === 'http' && current && !httpPane.dataset.state) loadHttp();
  }

  // ---- Follow HTTP ------------------------------------------------------------------------

  async function loadHttp() {
    const my = token;
    const stream = current.stream;
    httpPane.dataset.state = 'loading';
    replaceChildren(httpPane, h('div', { class: 'loading' }, 'Parsing HTTP…'));
    try {
      const messages = await rpc.call('httpMessages', [stream]);
      if (my !== token) return;
      const objects = h('div', { class: 'http-objects' },
        h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'export-objects-button' }, on: { click: (e) => listObjects(e.currentTarget.parentNode) } }, 'List HTTP objects of the whole capture…'));
      replaceChildren(httpPane,
        messages.length ? null : h('div', { class: 'loading' }, 'No HTTP/1.x messages in this stream.'),
        messages.map((m) => messageElement(m)),
        objects);
      httpPane.dataset.state = 'done';
      httpPane.dataset.messages = String(messages.length);
    } catch (err) {
      if (my !== token) return;
      httpPane.dataset.state = 'error';
      replaceChildren(httpPane, h('div', { class: 'error' }, `Could not parse HTTP: ${err.message}`));
    }
  }

  function messageElement(m) {
    const request = m.kind === 'request';
    const startLine = request ? `${m.method || ''} ${m.uri || ''}` : `HTTP ${m.status ?? ''}`;
    const contentType = (m.headers.find(([n]) => n.toLowerCase() === 'content-type') || [])[1] || '';
    const facts = [
      `frames ${m.first_frame}–${m.last_frame}`,
      m.content_encoding ? `Content-Encoding: ${m.content_encoding}` : null,
      m.transfer_encoding ? `Transfer-Encoding: ${m.transfer_encoding}` : null,
      m.body_len !== null && m.body_len !== undefined ? `body ${formatCount(m.body_len)} bytes decoded` : (m.body ? null : 'no body'),
    ].filter(Boolean).join(' · ');
    return h('article', { class: `http-message node${request ? 0 : 1}`, dataset: { testid: 'http-message', kind: m.kind, frame: m.last_frame } },
      h('header', { class: 'http-start' }, h('code', { dataset: { testid: 'http-start-line' } }, startLine),
        h('span', { class: 'pane-hint' }, facts),
        m.truncated ? h('span', { class: 'badge', dataset: { status: 'cancelled' }, title: 'The decoded body exceeded the size cap; the first bytes are shown' }, 'truncated') : null),
      h('table', { class: 'http-headers', dataset: { testid: 'http-headers' } },
        h('tbody', {}, m.headers.map(([name, value]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, value))))),
      m.body ? bodyElement(m, contentType) : null);
  }

  function bodyElement(m, contentType) {
    const body = m.body;
    const name = `${current.proto}-stream-${current.stream}-frame-${m.last_frame}.body`;
    const save = h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'http-save-body' }, on: { click: () => download(body, name) } }, `Save body (${formatBytes(body.length)})`);
    let shown;
    if (isImageType(contentType)) {
      const url = URL.createObjectURL(new Blob([body], { type: contentType.split(';')[0].trim() }));
      blobUrls.push(url);
      shown = h('img', { class: 'http-image', src: url, alt: `image body of frame ${m.last_frame}`, dataset: { testid: 'http-image' } });
    } else {
      const part = body.subarray(0, Math.min(body.length, BODY_SHOW_BYTES));
      const text = looksLikeText(part);
      shown = h('pre', { class: 'http-body', dataset: { testid: 'http-body', as: text ? 'text' : 'hex' } }, text ? utf8Text(part) : hexDump(part));
    }
    const more = body.length > BODY_SHOW_BYTES ? h('div', { class: 'pane-hint' }, `${formatCount(body.length - BODY_SHOW_BYTES)} more bytes: save the body to see all`) : null;
    return h('div', { class: 'http-body-box' }, h('div', { class: 'http-body-head' }, h('span', { class: 'pane-hint' }, contentType ? `Body (${contentType})` : 'Body'), save), shown, more);
  }

  async function listObjects(box) {
    const my = token;
    replaceChildren(box, h('div', { class: 'loading' }, 'Listing HTTP objects…'));
    try {
      const objects = await rpc.call('exportObjects', []);
      if (my !== token) return;
      const rows = objects.map((o) => h('tr', { dataset: { testid: 'export-object', stream: o.stream, frame: o.frame } },
        h('td', { class: 'num' }, String(o.stream)), h('td', { class: 'num' }, String(o.frame)), h('td', {}, o.host), h('td', {}, o.path),
        h('td', {}, o.content_type), h('td', { class: 'num' }, formatCount(o.size)), h('td', {}, o.filename),
        h('td', {}, h('button', { type: 'button', class: 'btn btn-small', dataset: { testid: 'export-object-save' }, on: { click: () => saveObject(o) } }, 'Save'))));
      replaceChildren(box, h('h4', {}, `HTTP objects (${formatCount(objects.length)})`),
        h('table', { class: 'http-objects-table', dataset: { testid: 'export-objects' } },
          h('thead', {}, h('tr', {}, ['Stream', 'Frame', 'Host', 'Path', 'Content type', 'Size', 'File name', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, rows)));
    } catch (err) {
      if (my !== token) return;
      replaceChildren(box, h('div', { class: 'error' }, `Could not list objects: ${err.message}`));
    }
  }

  async function saveObject(o) {
    try {
      const body = await rpc.call('exportObjectBody', [o.stream, o.frame]);
      download(body, o.filename);
    } catch (err) {
      status.textContent = `Could not save ${o.filename}: ${err.message}`;
    }
  }

  function close() {
    token++;
    current = null;
    revokeBlobs();
    clearMarks();
    replaceChildren(content);
    replaceChildren(httpPane);
    element.hidden = true;
    if (onClose) onClose();
  }

  return { element, open, close };
}
