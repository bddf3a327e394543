// What the reference-data pages of the administration share (categories, agencies): the
// heading with the page's main button, the calm status line, a list fetched once the
// screen is on the page, and every change followed by a fresh fetch, so what the page
// shows is always the server's.
import { announce, h } from '../dom.js';
import { statusRegion } from './form.js';
import { signedInLayout } from './layout.js';

/**
 * current: the page's route. mainButton: shown once the list has loaded. content: what
 * goes under the heading. fetch(): gets the list and puts it on the page.
 * Returns {screen, page}. page.change(request, message, {focus}) sends a change, then
 * fetches the list again and calls focus(); page.changed(message, {focus}) is the same
 * after a change a dialog has sent. page.host: where dialogs open.
 */
export function adminPage(session, actions, {
  current, title, intro, mainButton, content, fetch, testid,
}) {
  const heading = h('h1', { tabindex: '-1' }, title);
  const status = statusRegion(`${testid}-status`);
  const loading = h('p', { class: 'muted' }, 'Loading…');
  const retry = h('button', { type: 'button', class: 'button button--primary', hidden: true },
    'Enter a code');
  const host = h('div', { class: 'stack' });
  mainButton.hidden = true;
  let alert;

  async function reload({ focus } = {}) {
    retry.hidden = true;
    try {
      await fetch();
      mainButton.hidden = false;
      if (focus) focus();
    } catch (error) {
      alert.textContent = error.code === 'ELEVATION_REQUIRED'
        ? 'This page needs a code from your authenticator.'
        : error.message;
      // Cancelling the authenticator prompt leaves the page empty: this asks again.
      retry.hidden = error.code !== 'ELEVATION_REQUIRED';
    } finally {
      loading.remove();
    }
  }

  async function changed(message, { focus } = {}) {
    announce(status, message);
    await reload({ focus });
  }

  async function change(request, message, { focus } = {}) {
    alert.textContent = '';
    try {
      await request();
    } catch (error) {
      alert.textContent = error.message;
      await reload({ focus });
      return;
    }
    await changed(message, { focus });
  }

  retry.addEventListener('click', () => {
    alert.textContent = '';
    reload();
  });

  host.append(
    h('div', { class: 'page-heading' }, heading, mainButton),
    h('p', { class: 'admin-intro' }, intro),
    status,
    loading,
    retry,
    ...[content].flat(),
  );
  const layout = signedInLayout(session, actions, { current, content: host });
  alert = layout.alert;
  // Fetched once the screen is on the page, so an elevation prompt has a page to open over.
  window.setTimeout(reload);
  return {
    screen: { title, element: layout.element, focusTarget: heading },
    page: { change, changed, host },
  };
}
