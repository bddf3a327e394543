// "Forgotten your password?": asks for the email and says the same thing whether or not
// it is an account's, as the server does, so nobody can learn who works at the school.
import { api } from '../api.js';
import { h } from '../dom.js';
import { errorRegion, field, submitting } from '../components/form.js';
import { panelPage } from '../components/panel.js';

/** email: what was typed on the sign-in screen. onBack() returns to it. */
export function forgottenPasswordScreen({ email: typed = '', onBack }) {
  const heading = h('h1', { tabindex: '-1' }, 'Reset your password');
  const email = h('input', {
    type: 'email', name: 'email', autocomplete: 'username', autocapitalize: 'none',
    spellcheck: 'false', required: true, value: typed,
  });
  const alert = errorRegion('forgotten-error');
  const form = h('form', { 'data-testid': 'forgotten-form' },
    alert,
    field('Email', email),
    h('button', { type: 'submit', class: 'button button--primary button--wide' },
      'Email me a link'));
  const back = h('button', { type: 'button', class: 'link-button' }, 'Back to sign in');
  back.addEventListener('click', onBack);
  const intro = h('p', { class: 'login__intro' },
    'Haven will email you a link to choose a new password. The link works for 30 minutes.');

  const sent = h('div', { class: 'message message--notice', 'data-testid': 'reset-sent', tabindex: '-1' },
    h('p', {}, 'If that is a Haven account, an email is on its way.'),
    h('p', {}, 'Open the link in it within 30 minutes. Nothing there? Look in your junk '
      + 'mail, or ask your school’s Haven administrator.'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await submitting(form, alert, async () => {
      await api.post('/api/password-reset', { email: email.value.trim() });
      form.replaceWith(sent);
      intro.remove();
      sent.focus();
    });
  });

  const element = panelPage(heading, intro, form, h('p', { class: 'login__more' }, back));
  return { title: 'Reset your password', element, focusTarget: email };
}
