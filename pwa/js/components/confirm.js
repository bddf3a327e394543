// "Are you sure?" for actions that cannot simply be undone: disabling an account,
// resetting an authenticator, ending someone's sessions.
import { h } from '../dom.js';
import { dialogActions, openDialog } from './dialog.js';

/** Resolves true when the user presses the confirming button, false otherwise. */
export async function confirmAction(host, { heading, message, confirmLabel }) {
  const confirm = h('button', {
    type: 'button', class: 'button button--danger', 'data-testid': 'confirm',
  }, confirmLabel);
  // Focus starts on Cancel: Enter by habit must not do the destructive thing.
  const cancel = h('button', { type: 'button', class: 'button button--secondary', autofocus: true },
    'Cancel');
  const { close, closed } = openDialog(host, {
    heading,
    testid: 'confirm-dialog',
    content: [h('p', {}, message), dialogActions(confirm, cancel)],
  });
  confirm.addEventListener('click', () => close(true));
  cancel.addEventListener('click', () => close(false));
  return Boolean(await closed);
}
