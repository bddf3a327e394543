// A bar at the foot of the screen: "A new version of Haven is ready" with a Reload button.
// It never reloads by itself, so nothing being typed is lost.
import { announce, h } from './dom.js';

let banner = null;
let reload = null;

/** Shows the bar once; onReload() runs when the user presses Reload. */
export function showUpdateBanner(onReload) {
  reload = onReload;
  if (banner) return;
  const message = h('p', { class: 'update-banner__message', role: 'status' });
  const button = h('button', {
    type: 'button', class: 'button button--on-dark', 'data-testid': 'update-reload',
  }, 'Reload');
  button.addEventListener('click', () => {
    button.disabled = true;
    reload();
  });
  banner = h('aside', {
    class: 'update-banner', 'aria-label': 'Update', 'data-testid': 'update-banner',
  }, h('div', { class: 'update-banner__inner' }, message, button));
  document.body.append(banner);
  document.body.classList.add('has-update-banner');
  announce(message, 'A new version of Haven is ready.');
}
