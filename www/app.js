// Page bootstrap: open captures from the file picker, by dropping files, or the demo pair; each
// capture gets its own CaptureView (and worker). No request leaves the page's origin.
import { h } from './dom.js';
import { chunkBytesFromQuery } from './state.js';
import { openCapture } from './components/CaptureView.js';

const chunkBytes = chunkBytesFromQuery(location.search);
const list = document.getElementById('captures');
const input = document.querySelector('[data-testid="file-input"]');
const dropZone = document.getElementById('drop-overlay');
const intro = document.getElementById('intro');
const notice = document.getElementById('notice');

function open(files) {
  // The newest files go on top, in the order they were given.
  const top = list.firstChild;
  for (const file of files) {
    const view = openCapture(file, { chunkBytes, onClose: updateIntro });
    list.insertBefore(view.element, top);
  }
  updateIntro();
}

function updateIntro() {
  intro.hidden = list.children.length > 0;
}

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

updateIntro();
