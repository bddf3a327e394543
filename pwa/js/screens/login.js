// The sign-in screen: email and password, errors from the server in an alert, and the
// way to a forgotten password. Without a connection, the device checks the password itself
// (offline/sign-in.js), so a concern can still be recorded.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { panelPage } from '../components/panel.js';
import { cannotReachServer } from '../offline/queue.js';
import { forgetPassOf, rememberSignIn, signInWithoutSignal } from '../offline/sign-in.js';

/** Signs in with the server, or with this device's pass when the server cannot be reached. */
async function signIn(email, password) {
  let session;
  try {
    session = await api.post('/api/session', { email, password });
  } catch (error) {
    if (error.code === 'INVALID_CREDENTIALS') await forgetPassOf(email);
    if (!await cannotReachServer(error)) throw error;
    return signInWithoutSignal(email, password);
  }
  if (!session.password_change_required && !session.authenticator_required) {
    rememberSignIn(email, password, session); // in the background: the page goes on
  }
  return session;
}

/**
 * notice: a calm message to announce, e.g. "You have signed out."
 * problem: an error to show at once, e.g. the server could not be reached.
 * onSignedIn(session) is called with the session from POST /api/session, or with the one
 * kept on this device ({..., offline: true}) when the server cannot be reached.
 * email: filled in already (back online, the person who recorded without signal).
 * onForgotten(email) opens the forgotten-password screen with what was typed.
 */
export function loginScreen({
  notice, problem, email: knownEmail = '', onSignedIn, onForgotten,
}) {
  const email = h('input', {
    id: 'email', name: 'email', type: 'email', autocomplete: 'username',
    autocapitalize: 'none', spellcheck: 'false', required: true, value: knownEmail,
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
      onSignedIn(await signIn(email.value.trim(), password.value));
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
  return { title: 'Sign in', element, focusTarget: knownEmail ? password : email };
}
