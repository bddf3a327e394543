// The ten recovery codes, shown once after the authenticator is set up: each works once
// instead of a code from the app. The user saves them (a text file, or the clipboard)
// and says so before carrying on.
import { announce, h } from '../dom.js';
import { errorRegion, statusRegion } from './form.js';

function asText(codes, session) {
  return [
    `Haven recovery codes for ${session.user.email} at ${session.school.name}`,
    'Each code works once, instead of a code from your authenticator app.',
    '',
    ...codes,
    '',
  ].join('\n');
}

/** Returns {element, focusTarget}; onDone() once the user says the codes are saved. */
export function recoveryCodes(codes, session, { onDone }) {
  const heading = h('h2', { tabindex: '-1' }, 'Save your recovery codes');
  const text = asText(codes, session);
  // A blob: address on a download link is a navigation, which Haven's CSP allows; the
  // codes never leave the device.
  const fileUrl = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const download = h('a', {
    href: fileUrl, download: 'haven-recovery-codes.txt', class: 'button button--secondary',
    'data-testid': 'download-recovery-codes',
  }, 'Download as a text file');
  const status = statusRegion('recovery-codes-status');
  const copy = h('button', { type: 'button', class: 'button button--secondary' }, 'Copy');
  copy.hidden = !navigator.clipboard;
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      announce(status, 'The codes are copied. Paste them somewhere safe.');
    } catch {
      announce(status, 'Haven could not copy them: download the file instead.');
    }
  });

  const saved = h('input', { type: 'checkbox', id: 'codes-saved', 'data-testid': 'codes-saved' });
  const alert = errorRegion('recovery-codes-error');
  const carryOn = h('button', { type: 'button', class: 'button button--primary' }, 'Continue');
  carryOn.addEventListener('click', () => {
    if (!saved.checked) {
      alert.textContent = 'Tick “I have saved these codes” once they are somewhere safe.';
      saved.focus();
      return;
    }
    URL.revokeObjectURL(fileUrl);
    onDone();
  });

  const element = h('div', { class: 'step' },
    heading,
    h('p', {}, 'If you lose your phone, each of these codes works once instead of a code '
      + 'from the app. Keep them somewhere safe and away from your phone: Haven will not '
      + 'show them again.'),
    h('ol', { class: 'recovery-codes', 'data-testid': 'recovery-codes' },
      codes.map((code) => h('li', {}, h('code', {}, code)))),
    h('div', { class: 'button-row' }, download, copy),
    status,
    alert,
    h('div', { class: 'checkbox' }, saved,
      h('label', { for: 'codes-saved' }, 'I have saved these codes')),
    carryOn);
  return { element, focusTarget: heading };
}
