// The screen a reset or invitation link opens (/#reset=<token>): choose a password, then
// sign in with it. The token came from the address, which app.js has already cleaned.
import { api } from '../api.js';
import { h } from '../dom.js';
import { errorRegion, submitting } from '../components/form.js';
import { newPasswordFields } from '../components/new-password.js';
import { panelPage } from '../components/panel.js';

/** onDone() after the password is set; onAskAgain() when the link is used or old. */
export function resetPasswordScreen({ token, onDone, onAskAgain }) {
  const heading = h('h1', { tabindex: '-1' }, 'Choose a new password');
  const fresh = newPasswordFields();
  const alert = errorRegion('reset-error');
  const askAgain = h('button', { type: 'button', class: 'link-button', hidden: true },
    'Ask for a new link');
  askAgain.addEventListener('click', onAskAgain);
  const form = h('form', { 'data-testid': 'reset-form' },
    alert,
    fresh.fields,
    h('button', { type: 'submit', class: 'button button--primary button--wide' },
      'Save my password'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let linkDead = false;
    const done = await submitting(form, alert, async () => {
      fresh.check();
      try {
        await api.post(`/api/password-reset/${encodeURIComponent(token)}`,
          { password: fresh.value() });
      } catch (error) {
        linkDead = error.code === 'INVALID_TOKEN';
        throw error;
      }
    });
    if (done) {
      onDone();
    } else if (linkDead) {
      askAgain.hidden = false;
      askAgain.focus();
    } else {
      fresh.first.focus();
    }
  });

  const element = panelPage(heading,
    h('p', { class: 'login__intro' },
      'Choose the password you will sign in to Haven with. Then sign in with it.'),
    form,
    h('p', { class: 'login__more' }, askAgain));
  return { title: 'Choose a new password', element, focusTarget: fresh.first };
}
