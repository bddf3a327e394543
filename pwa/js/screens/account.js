// Your account: your details, your password, the authenticator and your sessions.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { codeInput } from '../components/code-input.js';
import { detail } from '../components/details.js';
import { dialogActions, openDialog } from '../components/dialog.js';
import {
  errorRegion, field, passwordInput, statusRegion, submitting, typedCode,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { mySessions } from '../components/my-sessions.js';
import { changePasswordForm } from '../components/new-password.js';
import { rolesInWords } from '../roles.js';

// Removing the authenticator needs the password and a current code, as the server asks.
function removeAuthenticatorDialog(host) {
  const password = passwordInput('current-password');
  const code = codeInput();
  const alert = errorRegion('remove-authenticator-error');
  const remove = h('button', { type: 'submit', class: 'button button--danger' },
    'Remove the authenticator');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Cancel');
  const form = h('form', {},
    h('p', {}, 'Without it, Haven cannot show you records beyond your own. '
      + 'Your recovery codes stop working too.'),
    alert,
    field('Your password', password),
    field('Code from your authenticator', code, 'Or one of your recovery codes.'),
    dialogActions(remove, cancel));
  const { close, closed } = openDialog(host, {
    heading: 'Remove the authenticator?', testid: 'remove-authenticator-dialog', content: form,
  });
  cancel.addEventListener('click', () => close(false));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const done = await submitting(form, alert, () => api.delete('/api/me/totp', {
      body: { password: password.value, code: typedCode(code) },
    }));
    if (done) close(true);
  });
  return closed;
}

function authenticatorSection(session, actions, host) {
  const status = statusRegion('authenticator-status');
  const body = [];
  if (session.totp_enrolled) {
    const again = h('a', { href: '#/authenticator', class: 'button button--secondary' },
      'Set it up on a new phone');
    const remove = h('button', { type: 'button', class: 'button button--secondary' }, 'Remove it');
    remove.addEventListener('click', async () => {
      if (await removeAuthenticatorDialog(host)) await actions.refresh();
    });
    body.push(h('p', {}, 'Your authenticator is set up. Lost your phone? Use a recovery code '
      + 'when Haven asks for a code, then set it up on your new phone.'),
    h('div', { class: 'button-row' }, again, remove));
  } else {
    body.push(
      h('p', {}, 'The authenticator is an app on your phone that shows a new 6-digit code '
        + 'every 30 seconds. Key holders and administrators need it: Haven asks for a code '
        + 'before it shows records beyond your own.'),
      h('a', {
        href: '#/authenticator', class: 'button button--primary', 'data-testid': 'set-up-authenticator',
      }, 'Set up the authenticator'),
    );
  }
  return h('section', { class: 'card', 'aria-labelledby': 'authenticator-heading' },
    h('h2', { id: 'authenticator-heading' }, 'The authenticator'), status, ...body);
}

export function accountScreen(session, actions) {
  const { user, school, roles } = session;
  const heading = h('h1', { tabindex: '-1' }, 'Your account');
  const passwordStatus = statusRegion('password-status');
  const { form } = changePasswordForm({
    submitLabel: 'Change password',
    onChanged: () => announce(passwordStatus,
      'Your password has been changed. Any other sessions you had have ended.'),
  });
  const sessions = mySessions(session);
  sessions.load();

  const host = h('div', { class: 'stack' });
  host.append(
    heading,
    h('section', { class: 'card', 'aria-labelledby': 'details-heading' },
      h('h2', { id: 'details-heading' }, 'Your details'),
      h('dl', { class: 'details' },
        detail('Name', user.name),
        detail('Email', user.email),
        detail('School', school.name),
        detail(roles.length === 1 ? 'Role' : 'Roles', rolesInWords(roles)))),
    h('section', { class: 'card', 'aria-labelledby': 'password-heading' },
      h('h2', { id: 'password-heading' }, 'Change your password'),
      passwordStatus,
      form),
    authenticatorSection(session, actions, host),
    sessions.element,
  );
  const { element } = signedInLayout(session, actions, { current: 'account', content: host });
  return { title: 'Your account', element, focusTarget: heading };
}
