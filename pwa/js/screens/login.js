// The sign-in screen: email and password, errors from the server in an alert.
import { api } from '../api.js';
import { announce, h } from '../dom.js';

/**
 * notice: a calm message to announce, e.g. "You have signed out."
 * problem: an error to show at once, e.g. the server could not be reached.
 * onSignedIn(session) is called with the session from POST /api/session.
 */
export function loginScreen({ notice, problem, onSignedIn }) {
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

  const element = h('main', { class: 'login' },
    h('div', { class: 'login__panel' },
      h('div', { class: 'brand brand--large' },
        h('img', {
          src: '/icons/favicon.svg', alt: '', width: 48, height: 48, class: 'brand__logo',
        }),
        h('span', { class: 'brand__name' }, 'Haven'),
      ),
      h('h1', { id: 'login-heading', class: 'login__heading' }, 'Sign in'),
      h('p', { class: 'login__intro' }, 'Safeguarding and pastoral records for school staff.'),
      status,
      form,
    ),
  );

  if (notice) announce(status, notice);
  if (problem) announce(alert, problem);
  return { title: 'Sign in', element, focusTarget: email };
}
