// Page bootstrap: open captures from the file picker, by dropping files, or the demo pair; each
// capture gets its own CaptureView (and worker). No request leaves the page's origin.
import { h } from './dom.js';
import { chunkBytesFromQuery } from './state.js';
import { openCapture } from './components/CaptureView.js';
import { createMatchView } from './components/MatchView.js';
import { createMergedView } from './components/MergedView.js';
import { urlState } from './url_state.js';
import { createIndexCacheControl } from './components/IndexCacheControl.js';

const chunkBytes = chunkBytesFromQuery(location.search);
const list = document.getElementById('captures');
const input = document.querySelector('[data-testid="file-input"]');
const dropZone = document.getElementById('drop-overlay');
const intro = document.getElementById('intro');
const notice = document.getElementById('notice');

// Open captures in the order they were opened (the Match view compares them in this order).
const openViews = [];
let matchView = null;
let mergedView = null;
const mergedButton = document.getElementById('merged-button');

function open(files) {
  // The newest files go on top, in the order they were given.
  const top = list.firstChild;
  for (const file of files) {
    const view = openCapture(file, {
      chunkBytes,
      onClose: () => { openViews.splice(openViews.indexOf(view), 1); updateIntro(); },
      onIndexEnd: () => { if (mergedView) mergedView.refresh(); },
    });
    openViews.push(view);
    list.insertBefore(view.element, top);
  }
  updateIntro();
}

function updateIntro() {
  intro.hidden = list.children.length > 0 || Boolean(matchView) || Boolean(mergedView);
  if (matchView) matchView.refresh();
  if (mergedView) mergedView.refresh();
  mergedButton.disabled = openViews.length < 2 && !mergedView;
}

// The Merged view (every packet of the open captures in time order) sits above the captures
// while open; it can be opened once two captures are.
function openMergedView() {
  if (!mergedView) {
    mergedView = createMergedView({
      getCaptures: () => openViews.slice(),
      onClose: () => { mergedView.element.remove(); mergedView = null; updateIntro(); urlState.changed(); },
    });
    list.parentNode.insertBefore(mergedView.element, list);
  }
  updateIntro();
  mergedView.element.scrollIntoView({ block: 'start' });
  urlState.changed();
}
mergedButton.addEventListener('click', openMergedView);
// "merged=1" in the URL fragment: the Merged view is open.
urlState.bind('merged', () => (mergedView ? '1' : null), (v) => { if (v === '1') openMergedView(); });

// The Match view (cross-capture matching) sits above the captures while open.
function openMatchView() {
  if (!matchView) {
    matchView = createMatchView({
      getCaptures: () => openViews.slice(),
      chunkBytes,
      onClose: () => { matchView.element.remove(); matchView = null; updateIntro(); urlState.changed(); },
    });
    list.parentNode.insertBefore(matchView.element, list);
  }
  updateIntro();
  matchView.element.scrollIntoView({ block: 'start' });
  urlState.changed();
}
document.getElementById('match-button').addEventListener('click', openMatchView);
// "match=1" in the URL fragment: the Match view is open (url_state.js).
urlState.bind('match', () => (matchView ? '1' : null), (v) => { if (v === '1') openMatchView(); });

input.addEventListener('change', () => {
  open([...input.files]);
  input.value = '';
});

// Dropping files anywhere on the page opens them.
let dragDepth = 0;
const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
document.addEventListener('dragenter', (e) => { if (hasFiles(e)) { dragDepth++; dropZone.hidden = false; } });
document.addEventListener('dragleave', () => { dragDepth = Math.max(0, dragDepth - 1); if (!dragDepth) dropZone.hidden = true; });
document.addEventListener('dragover', (e) => { if (hasFiles(e)) e.preventDefault(); });
document.addEventListener('drop', (e) => {
  if (!hasFiles(e)) return;
  e.preventDefault();
  dragDepth = 0;
  dropZone.hidden = true;
  open([...e.dataTransfer.files]);
});

// The demo pair written by scripts/serve.sh into www/demo/ (same-origin requests only).
document.getElementById('demo-button').addEventListener('click', async () => {
  notice.hidden = true;
  try {
    const listing = await fetch(new URL('./demo/index.json', import.meta.url));
    if (!listing.ok) throw new Error('no demo captures here: run bash scripts/serve.sh to create them');
    const { captures } = await listing.json();
    const files = [];
    for (const name of captures) {
      if (typeof name !== 'string' || name.includes('/')) continue;
      const response = await fetch(new URL(`./demo/${encodeURIComponent(name)}`, import.meta.url));
      if (!response.ok) throw new Error(`demo capture ${name}: HTTP ${response.status}`);
      files.push(new File([await response.blob()], name));
    }
    open(files);
  } catch (err) {
    notice.replaceChildren(h('span', {}, String(err.message || err)));
    notice.hidden = false;
  }
});

// "Cached indexes" (the local index cache, index_cache.js) in the top bar.
document.getElementById('demo-button').before(createIndexCacheControl().element);

updateIntro();
