// Your account: your details, alerts on this device and quiet hours, your password, the
// authenticator and your sessions.
import { api } from '../api.js';
import { announce, h } from '../dom.js';
import { codeInput } from '../components/code-input.js';
import { detail } from '../components/details.js';
import { dialogActions, openDialog } from '../components/dialog.js';
import {
  clearFieldProblems, errorRegion, field, passwordInput, showFieldProblem, statusRegion,
  submitting, typedCode,
} from '../components/form.js';
import { signedInLayout } from '../components/layout.js';
import { mySessions } from '../components/my-sessions.js';
import { changePasswordForm } from '../components/new-password.js';
import {
  alertsState, howToUnblock, pushSupport, removeDevice, serverKey, turnOffAlerts, turnOnAlerts,
  whereAlertsWork,
} from '../push.js';
import { rolesInWords } from '../roles.js';
import { dateAndTime } from '../time.js';

// What the panel says in each state of alerts on this device (push.js alertsState).
const ALERT_STATES = {
  on: 'Alerts are on for this device.',
  off: 'Alerts are off for this device.',
  blocked: 'Your browser is blocking notifications from Haven, so it cannot alert you here.',
  'home-screen': 'On an iPhone or iPad, alerts need Haven on your home screen first.',
  unsupported: 'This browser cannot show alerts from Haven.',
};

function deviceItem(device, timeZone, onRemove) {
  const name = device.label || 'A device';
  let action = h('span', { class: 'badge badge--current' }, 'This device');
  if (!device.thisDevice) {
    action = h('button', { type: 'button', class: 'button button--secondary button--small' },
      'Stop alerts', h('span', { class: 'visually-hidden' }, ` to ${name}`));
    action.addEventListener('click', () => onRemove(device, name, action));
  }
  return h('li', { class: 'item', 'data-testid': 'push-device' },
    h('div', { class: 'item__main' },
      h('p', { class: 'item__title' }, name),
      h('p', { class: 'item__meta' }, `Alerts since ${dateAndTime(new Date(device.created_at), timeZone)}`)),
    h('div', { class: 'item__actions' }, action));
}

/**
 * "Alerts on this device": its state, the button that turns them on or off, and the
 * user's other devices. The button is the only way in: Safari asks for permission only
 * from a tap, and nobody should be asked before they choose to.
 */
function alertsSection(session, signal) {
  const timeZone = session.school.timezone;
  const state = h('p', { class: 'push-state', 'data-testid': 'push-state' }, 'Checking…');
  const help = h('div', { class: 'push-help' });
  const alert = errorRegion('push-error');
  const status = statusRegion('push-status');
  const devices = h('div', {});
  const turnOn = h('button', {
    type: 'button', class: 'button button--primary', 'data-testid': 'push-on', hidden: true,
  }, 'Turn on alerts on this device');
  const turnOff = h('button', {
    type: 'button', class: 'button button--secondary', 'data-testid': 'push-off', hidden: true,
  }, 'Turn off');
  const buttons = h('div', { class: 'button-row' }, turnOn, turnOff);
  let key = null; // a promise of the server's VAPID key, asked for before the tap

  function steps(...lines) {
    return h('ol', { class: 'steps' }, lines.map((line) => h('li', {}, line)));
  }

  function showDevices(list) {
    if (!list.length) {
      devices.replaceChildren();
      return;
    }
    devices.replaceChildren(
      h('h3', { class: 'subheading' }, 'Your devices with alerts'),
      h('ul', { class: 'item-list', 'data-testid': 'push-devices' },
        list.map((device) => deviceItem(device, timeZone, stopAlertsTo))),
    );
  }

  function show({ state: now, devices: list }) {
    // replaceChildren would show a null as the text "null": only what there is.
    state.replaceChildren(...(now === 'on' ? [h('span', { class: 'badge badge--good' }, 'On'), ' '] : []),
      ALERT_STATES[now]);
    state.dataset.state = now;
    turnOn.hidden = now !== 'off';
    turnOff.hidden = now !== 'on';
    buttons.hidden = turnOn.hidden && turnOff.hidden;
    if (now === 'blocked') {
      help.replaceChildren(h('p', {}, `${howToUnblock()} Then come back to this page.`));
    } else if (now === 'home-screen') {
      help.replaceChildren(steps(
        'Open Haven in Safari.',
        'Tap Share (the square with an arrow), then Add to Home Screen.',
        'Open Haven from its new icon, sign in, and turn alerts on here.',
      ));
    } else if (now === 'unsupported') {
      help.replaceChildren(h('p', {}, whereAlertsWork()));
    } else {
      help.replaceChildren();
    }
    if (now === 'off' && !key) {
      key = serverKey({ signal });
      key.catch(() => { key = null; }); // said when the button is pressed
    }
    showDevices(list);
  }

  let latest = 0; // only the latest check is shown, whatever order the answers come in
  async function load() {
    latest += 1;
    const asked = latest;
    try {
      const now = await alertsState({ signal });
      if (asked === latest) show(now);
    } catch (error) {
      if (error.name === 'AbortError' || asked !== latest) return;
      state.textContent = 'Haven could not tell whether alerts are on for this device.';
      alert.textContent = error.message;
    }
  }

  async function busy(button, work) {
    button.disabled = true;
    alert.textContent = '';
    try {
      await work();
    } catch (error) {
      alert.textContent = error.message;
    } finally {
      button.disabled = false;
    }
    await load();
  }

  async function stopAlertsTo(device, name, button) {
    await busy(button, async () => {
      await removeDevice(device.endpoint);
      announce(status, `${name} will not get alerts any more.`);
    });
  }

  turnOn.addEventListener('click', () => busy(turnOn, async () => {
    // Called at once, inside the tap: the permission question needs the tap.
    const permission = await turnOnAlerts(key || serverKey());
    if (permission === 'granted') {
      announce(status, 'Alerts are on. Haven will alert you on this device.');
    } else if (permission === 'default') {
      alert.textContent = 'Haven needs your permission to alert you. Press the button again '
        + 'and choose Allow.';
    }
  }));
  turnOff.addEventListener('click', () => busy(turnOff, async () => {
    await turnOffAlerts();
    announce(status, 'Alerts are off for this device.');
  }));

  // Allowed or blocked in the browser's settings while this page is open: the browser
  // may say so at once, or the page finds out when it is shown again (back from the
  // Settings app on an iPhone).
  if (pushSupport() === 'supported' && navigator.permissions) {
    navigator.permissions.query({ name: 'notifications' }).then((permission) => {
      permission.addEventListener('change', load, { signal });
    }, () => {});
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') load();
  }, { signal });
  load();

  return h('section', { class: 'card', 'aria-labelledby': 'push-heading', 'data-testid': 'push-panel' },
    h('h2', { id: 'push-heading' }, 'Alerts on this device'),
    h('p', {}, 'Haven can alert you here when a concern or an action is sent to you, even '
      + 'when Haven is closed. An alert says who raised it and its category, never a '
      + 'pupil’s name: you read the rest in Haven.'),
    state, help, alert, status, buttons, devices);
}

/** "22:00" and "07:00", or both null: quiet hours are off. */
function quietHoursInWords({ quiet_from: from, quiet_until: until }) {
  return from && until
    ? `Quiet hours are on: from ${from} to ${until} every day.`
    : 'Quiet hours are off: alerts come at any time.';
}

function quietHoursSection(session, signal) {
  const summary = h('p', { 'data-testid': 'quiet-hours-state' }, 'Checking…');
  const alert = errorRegion('quiet-hours-error');
  const status = statusRegion('quiet-hours-status');
  const from = h('input', { type: 'time', name: 'quiet_from', 'data-testid': 'quiet-from' });
  const until = h('input', { type: 'time', name: 'quiet_until', 'data-testid': 'quiet-until' });
  const save = h('button', { type: 'submit', class: 'button button--primary' }, 'Save quiet hours');
  const off = h('button', { type: 'button', class: 'button button--secondary', hidden: true },
    'Turn off quiet hours');
  // What is wrong is said under the legend, across both fields: a column is narrow on a phone.
  const times = h('fieldset', { class: 'fieldset' },
    h('legend', {}, 'Every day'),
    h('div', { class: 'quiet-hours__times' }, field('From', from), field('Until', until)));
  const form = h('form', { class: 'quiet-hours', 'data-testid': 'quiet-hours-form', novalidate: true },
    times,
    alert,
    h('div', { class: 'button-row' }, save, off));

  function show(hours) {
    summary.textContent = quietHoursInWords(hours);
    from.value = hours.quiet_from || '';
    until.value = hours.quiet_until || '';
    off.hidden = !hours.quiet_from;
  }

  async function put(hours, done) {
    const saved = await submitting(form, alert, async () => {
      show(await api.put('/api/me/quiet-hours', hours));
    });
    if (saved) announce(status, done);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldProblems(form);
    const problems = [[from, 'Choose when quiet hours start.'], [until, 'Choose when quiet hours end.']]
      .filter(([input]) => !input.value);
    if (!problems.length && from.value === until.value) {
      problems.push([until, 'Quiet hours must end at another time than they start.']);
    }
    // Each goes straight under the legend: the last first, so they read in order.
    [...problems].reverse().forEach(([input, message]) => showFieldProblem(input, message, times));
    if (problems.length) {
      problems[0][0].focus();
      return;
    }
    put({ quiet_from: from.value, quiet_until: until.value },
      `Quiet hours saved: from ${from.value} to ${until.value}.`);
  });
  off.addEventListener('click', () => {
    clearFieldProblems(form);
    put({ quiet_from: null, quiet_until: null }, 'Quiet hours are off.');
  });

  api.get('/api/me/quiet-hours', { signal }).then(show, (error) => {
    if (error.name === 'AbortError') return;
    summary.textContent = '';
    alert.textContent = error.message;
  });

  return h('section', { class: 'card', 'aria-labelledby': 'quiet-hours-heading', 'data-testid': 'quiet-hours' },
    h('h2', { id: 'quiet-hours-heading' }, 'Quiet hours'),
    h('p', {}, 'During quiet hours Haven holds back alerts to your devices and sends them when '
      + `quiet hours end (times are the school’s, ${session.school.timezone}). Urgent alerts, `
      + 'such as child protection concerns, still come at once.'),
    summary, status, form);
}

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

export function accountScreen(session, actions, { signal }) {
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
    alertsSection(session, signal),
    quietHoursSection(session, signal),
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
