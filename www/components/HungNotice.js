// The "worker not responding" notice of a capture: what happened and a Restart button that starts
// a fresh worker and indexes the file again.
import { h } from '../dom.js';

/** Mounts the notice; `onRestart` is called once when the user asks for a restart. */
export function createHungNotice({ seconds, onRestart }) {
  const restart = h('button', {
    type: 'button', class: 'btn btn-small', dataset: { testid: 'restart-worker' },
    on: { click: () => { restart.disabled = true; onRestart(); } },
  }, 'Restart');
  const element = h('div', { class: 'error', role: 'alert', dataset: { testid: 'worker-hung' } },
    h('strong', {}, 'The worker is not responding: '),
    `no progress for ${seconds} s while indexing. `, restart);
  return { element };
}
