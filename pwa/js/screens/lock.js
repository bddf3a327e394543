// The blank screen: nothing of Haven's is on the page, only a way back in (the password)
// and a way out (Sign out). The page's title says only "Haven".
import { h } from '../dom.js';
import { errorRegion, field, passwordInput, submitting } from '../components/form.js';
import { panelPage } from '../components/panel.js';

/**
 * name: whose session it is, so a colleague at the same iPad knows not to try.
 * onUnlock(password) resolves once the server accepts it, or throws its error.
 */
export function lockScreen({ name, onUnlock, onSignOut }) {
  const heading = h('h1', { tabindex: '-1' }, 'Screen blanked');
  const password = passwordInput('current-password', { name: 'password' });
  const alert = errorRegion('unlock-error');
  const form = h('form', { 'data-testid': 'unlock-form' },
    alert,
    field('Your password', password),
    h('button', { type: 'submit', class: 'button button--primary button--wide',
      'data-testid': 'unlock' }, 'Carry on'));
  const signOut = h('button', { type: 'button', class: 'link-button', 'data-testid': 'lock-sign-out' },
    'Sign out');
  signOut.addEventListener('click', async () => {
    signOut.disabled = true;
    alert.textContent = '';
    try {
      await onSignOut();
    } catch (error) {
      alert.textContent = `Haven could not sign you out. ${error.message}`;
      signOut.disabled = false;
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const done = await submitting(form, alert, () => onUnlock(password.value));
    if (!done) {
      password.focus();
      password.select();
    }
  });

  const element = panelPage(heading,
    h('p', { class: 'login__intro', 'data-testid': 'lock-who' },
      `Haven is hidden. ${name}, enter your password to carry on.`),
    form,
    h('p', { class: 'login__more' }, 'Not you? ', signOut));
  return { title: null, element, focusTarget: password };
}
