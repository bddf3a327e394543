// A new password typed twice, and the form to change one's own password. The rules live
// on the server (they differ between schools); its answer names every rule a password
// breaks, and the screens show it as it is.
import { api } from '../api.js';
import { h } from '../dom.js';
import { errorRegion, field, passwordInput, submitting } from './form.js';

const HINT = 'Haven checks it against your school’s password rules and a list of common '
  + 'passwords, and tells you if something is missing.';

/** Returns {fields, first, value(), check(), clear()}; check() throws when the copies differ. */
export function newPasswordFields() {
  const password = passwordInput('new-password', { 'data-testid': 'new-password' });
  const again = passwordInput('new-password', { 'data-testid': 'new-password-again' });
  return {
    fields: [field('New password', password, HINT), field('New password again', again)],
    first: password,
    value: () => password.value,
    check() {
      if (password.value !== again.value) {
        throw new Error('The two new passwords are different. Type the same one twice.');
      }
    },
    clear() {
      password.value = '';
      again.value = '';
    },
  };
}

/**
 * Current password, new, and again: the Account page and the forced change after a first
 * sign-in share it. onChanged() runs after the server's 204. Returns {form, focusTarget}.
 */
export function changePasswordForm({ submitLabel, onChanged }) {
  const current = passwordInput('current-password', { 'data-testid': 'current-password' });
  const fresh = newPasswordFields();
  const alert = errorRegion('password-error');
  const form = h('form', { 'data-testid': 'change-password-form' },
    alert,
    field('Current password', current),
    fresh.fields,
    h('button', { type: 'submit', class: 'button button--primary' }, submitLabel));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let wrongCurrent = false;
    const done = await submitting(form, alert, async () => {
      fresh.check();
      try {
        await api.post('/api/me/password', {
          current_password: current.value, new_password: fresh.value(),
        });
      } catch (error) {
        wrongCurrent = error.code === 'INVALID_PASSWORD';
        throw error;
      }
    });
    if (done) {
      current.value = '';
      fresh.clear();
      onChanged();
    } else {
      (wrongCurrent ? current : fresh.first).focus();
    }
  });
  return { form, focusTarget: current };
}
