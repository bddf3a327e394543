// "Are you sure?" for actions that cannot simply be undone: disabling an account,
// resetting an authenticator, ending someone's sessions; and questions with a few answers.
import { h } from '../dom.js';
import { dialogActions, openDialog } from './dialog.js';

/**
 * A question with answers. choices: [{value, label, kind ('primary' or 'danger'),
 * testid}], shown in order, then Cancel. Resolves the value chosen, or null.
 */
export async function chooseAction(host, {
  heading, message, choices, testid = 'choose-dialog',
}) {
  const buttons = choices.map(({ value, label, kind, testid: buttonId }) => {
    const button = h('button', { type: 'button', class: `button button--${kind}`, 'data-testid': buttonId }, label);
    return { value, button };
  });
  // Focus starts on Cancel: Enter by habit must not do the destructive thing.
  const cancel = h('button', { type: 'button', class: 'button button--secondary', autofocus: true },
    'Cancel');
  const { close, closed } = openDialog(host, {
    heading,
    testid,
    content: [h('p', {}, message), dialogActions(...buttons.map(({ button }) => button), cancel)],
  });
  buttons.forEach(({ value, button }) => button.addEventListener('click', () => close(value)));
  cancel.addEventListener('click', () => close(null));
  return (await closed) ?? null;
}

/** Resolves true when the user presses the confirming button, false otherwise. */
export async function confirmAction(host, { heading, message, confirmLabel }) {
  const answer = await chooseAction(host, {
    heading,
    message,
    testid: 'confirm-dialog',
    choices: [{ value: true, label: confirmLabel, kind: 'danger', testid: 'confirm' }],
  });
  return answer === true;
}
