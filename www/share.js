// Wires the top bar's Share button to the share dialog (links to the current view).
import { urlState } from './url_state.js';
import { createShareDialog } from './components/ShareDialog.js';

const button = document.getElementById('share-button');
if (button) {
  const dialog = createShareDialog(urlState);
  button.addEventListener('click', () => dialog.open());
}
