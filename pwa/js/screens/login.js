// The sign-in screen: email and password, errors from the server in an alert, and the
// way to a forgotten password.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { panelPage } from '../components/panel.js';

/**
 * notice: a calm message to announce, e.g. "You have signed out."
 * problem: an error to show at once, e.g. the server could not be reached.
 * onSignedIn(session) is called with the session from POST /api/session.
 * onForgotten(email) opens the forgotten-password screen with what was typed.
 */
export function loginScreen({ notice, problem, onSignedIn, onForgotten }) {
  const email = h('input', {
    id: 'email', name: 'email', type: 'email', autocomplete: 'username',
    autocapitalize: 'none', spellcheck: 'false', required: true,
  });
  const password = h('input', {
    id: 'password', name: 'password', type: 'password', autocomplete: 'current-password',
    required: true,
  });
  const submit = h('button', {
    type: 'submit', class: 'button button--primary button--wide', 'data-testid': 'sign-in',
  }, 'Sign in');
  const status = h('p', {
    class: 'message message--notice', role: 'status', 'data-testid': 'login-status',
  });
  const alert = h('p', {
    class: 'message message--error', role: 'alert', 'data-testid': 'login-error',
  });
  const forgotten = h('button', {
    type: 'button', class: 'link-button', 'data-testid': 'forgotten-password',
  }, 'Forgotten your password?');
  forgotten.addEventListener('click', () => onForgotten(email.value.trim()));

  const form = h('form', { 'data-testid': 'login-form', 'aria-labelledby': 'login-heading' },
    alert,
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email'), email),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    submit,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    alert.textContent = '';
    status.textContent = '';
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      const session = await api.post('/api/session', {
        email: email.value.trim(),
        password: password.value,
      });
      onSignedIn(session);
    } catch (error) {
      alert.textContent = error.message;
      submit.disabled = false;
      form.removeAttribute('aria-busy');
      password.focus();
      password.select();
    }
  });

  const element = panelPage(
    h('h1', { id: 'login-heading' }, 'Sign in'),
    h('p', { class: 'login__intro' }, 'Safeguarding and pastoral records for school staff.'),
    status,
    form,
    h('p', { class: 'login__more' }, forgotten),
  );

  if (notice) announce(status, notice);
  if (problem) announce(alert, problem);
  return { title: 'Sign in', element, focusTarget: email };
}
