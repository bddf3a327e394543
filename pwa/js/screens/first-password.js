// After signing in with a password an administrator chose (or `haven user add
// --temporary`), the server refuses everything else until the user picks their own.
import { h } from '../dom.js';
import { signedInLayout } from '../components/layout.js';
import { changePasswordForm } from '../components/new-password.js';

/** onChanged() continues into Haven. */
export function firstPasswordScreen(session, actions, { onChanged }) {
  const { form, focusTarget } = changePasswordForm({
    submitLabel: 'Save and continue', onChanged,
  });
  const content = h('section', { class: 'card', 'aria-labelledby': 'first-password-heading' },
    h('h1', { id: 'first-password-heading' }, 'Choose a new password'),
    h('p', {}, 'Your password was set by someone else. Choose your own before you carry '
      + 'on: type the one you signed in with, then your new one twice.'),
    form);
  const { element } = signedInLayout(session, actions, { setupOnly: true, content });
  return { title: 'Choose a new password', element, focusTarget };
}
