// Setting up the authenticator: scan the QR code (or type the key), confirm with a code
// from the app, save the recovery codes. Setting it up again on a new phone first asks
// for the password and a code from the old one, as the server does.
import { api } from '../api.js';
import { h } from '../dom.js';
import { codeInput } from '../components/code-input.js';
import {
  errorRegion, field, passwordInput, submitting, typedCode,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { recoveryCodes } from '../components/recovery-codes.js';

// The QR code is an SVG made by the server. Shown through <img>, an SVG is only a
// picture: no script or link inside it can run, and nothing is parsed into this page.
function svgAsImageSource(svg) {
  let binary = '';
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP", easier to copy by eye. */
function inFours(secret) {
  return secret.match(/.{1,4}/g).join(' ');
}

/**
 * The password (and, when replacing one, a code from the authenticator in use). A first
 * set-up asks for the password only when the sign-in is more than a few minutes old.
 */
function identityCheckStep(onStarted, { replacing = true } = {}) {
  const heading = h('h2', { tabindex: '-1' }, 'First, confirm it is you');
  const password = passwordInput('current-password');
  const code = replacing ? codeInput() : null;
  const alert = errorRegion('authenticator-error');
  const form = h('form', { 'data-testid': 'identity-form' },
    alert,
    field('Your password', password),
    code ? field('Code from the authenticator you have now', code) : null,
    h('button', { type: 'submit', class: 'button button--primary' }, 'Continue'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await submitting(form, alert, async () => {
      const body = { password: password.value };
      if (code) body.code = typedCode(code);
      onStarted(await api.post('/api/me/totp', body));
    });
  });
  const explanation = replacing
    ? 'Setting up the authenticator again replaces the one on your old phone, '
      + 'and gives you new recovery codes.'
    : 'Type your password again before setting up the authenticator.';
  const element = h('div', { class: 'step' }, heading, h('p', {}, explanation), form);
  return { element, focusTarget: password };
}

function scanStep(enrolment, onConfirmed) {
  const heading = h('h2', { tabindex: '-1' }, 'Scan the code with your app');
  const code = codeInput({ 'data-testid': 'totp-code' });
  const alert = errorRegion('authenticator-error');
  const form = h('form', { 'data-testid': 'confirm-authenticator-form' },
    alert,
    field('6-digit code from the app', code),
    h('button', { type: 'submit', class: 'button button--primary' }, 'Confirm'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let answer;
    const done = await submitting(form, alert, async () => {
      answer = await api.post('/api/me/totp/confirm', { code: typedCode(code) });
    });
    if (done) onConfirmed(answer.recovery_codes);
    else code.select();
  });

  const element = h('div', { class: 'step' },
    heading,
    h('ol', { class: 'steps' },
      h('li', {}, 'Install an authenticator app on your phone if you have none, such as '
        + 'Microsoft Authenticator or Google Authenticator.'),
      h('li', {}, 'In the app, add an account and scan this QR code.',
        h('div', { class: 'enrolment' },
          h('img', {
            src: svgAsImageSource(enrolment.qr_svg), class: 'enrolment__qr',
            alt: 'QR code for your authenticator app', width: 200, height: 200,
            'data-testid': 'totp-qr',
          }),
          h('div', {},
            h('p', { class: 'enrolment__label' }, 'Cannot scan it? Type this key instead:'),
            h('p', {}, h('code', { class: 'enrolment__secret', 'data-testid': 'totp-secret' },
              inFours(enrolment.secret))),
            h('p', {}, h('a', { href: enrolment.otpauth_uri },
              'Using this phone? Open the key in your authenticator app'))))),
      h('li', {}, 'Type the 6-digit code the app shows for Haven.', form)));
  return { element, focusTarget: heading };
}

/**
 * required: the school insists before anything else (no links to other pages).
 * onDone() once the user has saved their recovery codes.
 */
export function authenticatorScreen(session, actions, { required = false, onDone }) {
  const heading = h('h1', { tabindex: '-1', id: 'authenticator-heading' }, 'Set up the authenticator');
  const alert = errorRegion('authenticator-start-error');
  const step = h('div', {}, h('p', { class: 'muted' }, 'Getting a new key…'));

  const showStep = ({ element, focusTarget }, { moveFocus = true } = {}) => {
    step.replaceChildren(element);
    if (moveFocus) focusTarget.focus();
  };
  const showCodes = (codes) => showStep(recoveryCodes(codes, session, { onDone }));
  const showScan = (enrolment, options) => showStep(scanStep(enrolment, showCodes), options);

  let focusTarget = heading;
  if (session.totp_enrolled) {
    const identityCheck = identityCheckStep(showScan);
    showStep(identityCheck, { moveFocus: false });
    focusTarget = identityCheck.focusTarget;
  } else {
    // The new key arrives while the user reads the introduction: focus stays put.
    // Straight after signing in the password is not asked again; later it is.
    api.post('/api/me/totp', {}).then(
      (enrolment) => showScan(enrolment, { moveFocus: false }),
      (error) => {
        if (error.code === 'INVALID_PASSWORD') {
          showStep(identityCheckStep(showScan, { replacing: false }));
          return;
        }
        step.replaceChildren();
        alert.textContent = error.message;
      },
    );
  }

  const intro = required
    ? `${session.school.name} asks everyone to set up the authenticator before using Haven. `
    : '';
  const content = h('section', { class: 'card', 'aria-labelledby': 'authenticator-heading' },
    heading,
    h('p', {}, intro, 'The authenticator is an app on your phone that shows a new 6-digit '
      + 'code every 30 seconds. Haven asks for a code before it shows records beyond your own.'),
    alert,
    step);
  const { element } = signedInLayout(session, actions, {
    current: 'account', setupOnly: required, content,
  });
  return { title: 'Set up the authenticator', element, focusTarget };
}
