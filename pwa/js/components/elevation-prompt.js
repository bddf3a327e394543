// The elevation prompt: a screen that needs key-holder access (403 ELEVATION_REQUIRED)
// asks for a code from the authenticator, or a recovery code, then carries on.
import { api } from '../api.js';
import { h } from '../dom.js';
import { codeInput } from './code-input.js';
import { dialogActions, openDialog } from './dialog.js';
import { errorRegion, field, submitting, typedCode } from './form.js';

function noAuthenticator(host, onSetUp) {
  const setUp = h('button', { type: 'button', class: 'button button--primary' },
    'Set up the authenticator');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Not now');
  const { close, closed } = openDialog(host, {
    heading: 'This needs the authenticator',
    testid: 'elevation-dialog',
    content: [
      h('p', {}, 'Before Haven shows this, it asks for a code from an authenticator app on '
        + 'your phone. You have not set one up yet: it takes a minute.'),
      dialogActions(setUp, cancel),
    ],
  });
  setUp.addEventListener('click', () => {
    close(null);
    onSetUp();
  });
  cancel.addEventListener('click', () => close(null));
  return closed;
}

function askForCode(host) {
  const code = codeInput({ 'data-testid': 'elevation-code' });
  const label = h('label', { for: 'elevation-code' }, 'Enter the 6-digit code from your authenticator');
  code.id = 'elevation-code';
  const alert = errorRegion('elevation-error');
  const submit = h('button', { type: 'submit', class: 'button button--primary' }, 'Continue');
  const cancel = h('button', { type: 'button', class: 'button button--secondary' }, 'Cancel');
  const switchKind = h('button', { type: 'button', class: 'link-button' },
    'Use a recovery code instead');
  let recovery = false;
  switchKind.addEventListener('click', () => {
    recovery = !recovery;
    label.textContent = recovery
      ? 'Enter one of your recovery codes, like abcde-fghij'
      : 'Enter the 6-digit code from your authenticator';
    switchKind.textContent = recovery ? 'Use the authenticator app instead' : 'Use a recovery code instead';
    code.inputMode = recovery ? 'text' : 'numeric';
    code.autocomplete = recovery ? 'off' : 'one-time-code';
    code.value = '';
    code.focus();
  });

  const form = h('form', { 'data-testid': 'elevation-form' },
    h('p', {}, 'This part of Haven holds records beyond your own, so it asks who you are '
      + 'with the authenticator on your phone.'),
    alert,
    h('div', { class: 'field' }, label, code),
    h('p', {}, switchKind),
    dialogActions(submit, cancel));
  const { close, closed } = openDialog(host, {
    heading: 'Confirm it is you', testid: 'elevation-dialog', content: form,
  });
  cancel.addEventListener('click', () => close(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let session;
    const done = await submitting(form, alert, async () => {
      session = await api.post('/api/session/elevate', { code: typedCode(code) });
    });
    if (done) close(session);
    else code.select();
  });
  code.focus();
  return closed;
}

/**
 * Resolves with the elevated session from the server, or null when the user cancels.
 * Someone without an authenticator is offered to set one up (onSetUp) instead.
 */
export function elevationPrompt(host, session, { onSetUp }) {
  if (!session.totp_enrolled) return noAuthenticator(host, onSetUp).then(() => null);
  return askForCode(host).then((elevated) => elevated || null);
}
